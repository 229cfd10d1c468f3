using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Readiness.Client;

namespace Readiness.Cli;

/// <summary>
/// <c>readiness outbox</c> and <c>readiness sync</c>: the commands kept while the silo could not be reached, and sending them
/// once it can. The outbox is the client library's (<see cref="ReadinessOutbox"/>), so a program built on the library and the
/// command line can share one directory.
/// </summary>
internal static class OutboxCommand
{
    public const string OutboxUsage = """
        readiness outbox [--outbox DIR] [--json]
          Lists the commands waiting in the outbox, oldest first: kind, command id, when it happened,
          how long it has waited. The outbox is --outbox, else $READINESS_OUTBOX, else
          $XDG_STATE_HOME/readiness/outbox, else ~/.local/state/readiness/outbox.
        """;

    public const string SyncUsage = """
        readiness sync [--outbox DIR] [--json] [--url http://127.0.0.1:5080] [--token T]
          Sends the outbox's commands, oldest first, each once: prints what was applied, already
          applied, refused and why, and what is still queued. A refused command leaves the outbox;
          when the silo cannot be reached, or answers 5xx or 429, or refuses the token, the sync stops
          and the rest stay queued for the next one. Exits 1 when anything was refused or is still queued.
        """;

    public static Task<int> RunOutboxAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("outbox", args, output, error);

    public static Task<int> RunSyncAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("sync", args, output, error);

    public static Option<string?> Directory() => Options.Text("--outbox", "dir",
        $"The outbox's directory; without it, {ReadinessOutbox.DirectoryVariable}, else $XDG_STATE_HOME/readiness/outbox, else ~/.local/state/readiness/outbox.");

    public static UsageCommand CreateOutbox(TextWriter output, TextWriter error)
    {
        var directory = Directory();
        var json = Options.Json("Print the queued commands as a JSON array.");
        var command = new UsageCommand("outbox",
            "Lists the commands waiting in the outbox, oldest first: kind, command id, when it happened, how long it has waited.", OutboxUsage)
        {
            directory, json,
        };
        return command.Runs(parsed => ListAsync(Open(parsed.GetValue(directory)), parsed.GetValue(json), output));
    }

    public static UsageCommand CreateSync(TextWriter output, TextWriter error)
    {
        var directory = Directory();
        var json = Options.Json("Print every command's outcome and the counts as one JSON document.");
        var url = Options.Url();
        var token = Options.Token();
        var command = new UsageCommand("sync",
            "Sends the outbox's commands, oldest first, each once, and prints what was applied, already applied, refused and why, and what is "
            + "still queued. Exits 1 when anything was refused or is still queued.", SyncUsage)
        {
            directory, json, url, token,
        };
        return command.Runs(parsed => SyncAsync(Open(parsed.GetValue(directory)), parsed.GetValue(json), parsed.GetValue(url)!, parsed.GetValue(token), output, error));
    }

    public static ReadinessOutbox Open(string? directory) => new(directory ?? ReadinessOutbox.DefaultDirectory());

    private static async Task<int> ListAsync(ReadinessOutbox outbox, bool json, TextWriter output)
    {
        var pending = await outbox.PendingAsync();
        var now = DateTimeOffset.UtcNow;
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(pending.Select(e => new
            {
                e.Kind,
                e.CommandId,
                e.OccurredAt,
                e.QueuedAt,
                AgeSeconds = Math.Round((now - e.QueuedAt).TotalSeconds),
            }), AuditOptions.Indented));
            return 0;
        }
        if (pending.Count == 0)
        {
            await output.WriteLineAsync($"The outbox in {outbox.Directory} is empty.");
            return 0;
        }
        foreach (var entry in pending)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{entry.Kind,-32} {entry.CommandId,-36}  occurred {entry.OccurredAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  waiting {Age(now - entry.QueuedAt)}"));
        }
        await output.WriteLineAsync($"{pending.Count} queued in {outbox.Directory}; readiness sync sends them.");
        return 0;
    }

    private static async Task<int> SyncAsync(ReadinessOutbox outbox, bool json, Uri url, string? token, TextWriter output, TextWriter error)
    {
        using var client = Connection.Client(url, token, TimeSpan.FromSeconds(30));
        OutboxSyncReport report;
        try
        {
            report = await outbox.SyncAsync(client);
        }
        catch (InvalidOperationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                outbox = outbox.Directory,
                report.Applied,
                report.AlreadyApplied,
                report.Refused,
                report.StillQueued,
                results = report.Results.Select(r => new
                {
                    r.Entry.Kind,
                    r.Entry.CommandId,
                    r.Entry.OccurredAt,
                    r.Outcome,
                    r.Accepted?.StreamId,
                    r.Accepted?.Version,
                    r.Status,
                    r.Reason,
                }),
            }, AuditOptions.Indented));
        }
        else
        {
            foreach (var result in report.Results)
            {
                await output.WriteLineAsync(Describe(result));
            }
            await output.WriteLineAsync(
                $"Applied {report.Applied}, already applied {report.AlreadyApplied}, refused {report.Refused}, still queued {report.StillQueued}.");
            if (report.StillQueued > 0)
            {
                await error.WriteLineAsync($"{report.StillQueued} still queued in {outbox.Directory}: run readiness sync again when the silo at {url} answers.");
            }
        }
        return report.Refused + report.StillQueued == 0 ? 0 : 1;
    }

    private static string Describe(OutboxResult result)
    {
        var what = $"{result.Entry.Kind} {result.Entry.CommandId}";
        return result.Outcome switch
        {
            OutboxOutcome.Applied => $"applied          {what} → {result.Accepted!.StreamId} v{result.Accepted.Version}",
            OutboxOutcome.AlreadyApplied => $"already applied  {what} → {result.Accepted!.StreamId} v{result.Accepted.Version}",
            OutboxOutcome.Refused => $"refused          {what}: {result.Status} {result.Reason}",
            _ => $"still queued     {what}: {result.Reason}",
        };
    }

    private static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => $"{Math.Max(0, (int)age.TotalSeconds)} s",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min",
        { TotalDays: < 2 } => $"{(int)age.TotalHours} h {age.Minutes} min",
        _ => $"{(int)age.TotalDays} days",
    };
}
