using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Readiness.Client;
using Readiness.Contracts.Http;
using Spectre.Console;

namespace Readiness.Cli;

/// <summary><c>readiness rebuild</c>: starts a projection rebuild on the silo and draws its progress.</summary>
internal static class RebuildCommand
{
    public const string Usage = """
        readiness rebuild [--projection all|province-roster] [--url http://127.0.0.1:5080] [--token T] [--json]
          Rebuilds one projection, or all (the default), from the events while the silo keeps
          serving, and draws a progress bar with events per second. --json prints the final status
          as JSON instead. Exits 1 if the rebuild fails or cannot start. Needs an admin token.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private sealed record Settings(Uri Url, string Projection, bool Json, string? Token);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("rebuild", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var json = Options.Json("Print the final status as JSON instead of drawing progress.");
        var projection = Options.Text("--projection", "projection",
            "The projection to rebuild: all, or province-roster (the only one: every view reads it).", ReadinessClient.AllProjections);
        var command = new UsageCommand("rebuild",
            "Rebuilds one projection, or all, from the events while the silo keeps serving, showing its progress and events per second. "
            + "Exits 1 if the rebuild fails or cannot start. Needs an admin token.", Usage)
        {
            projection, url, token, json,
        };
        return command.Runs(parsed => RunAsync(new Settings(parsed.GetValue(url)!, parsed.GetValue(projection)!, parsed.GetValue(json), parsed.GetValue(token)), output, error));
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromSeconds(30));
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            RebuildStatus final;
            try
            {
                var started = await client.StartRebuildAsync(options.Projection, stop.Token);
                if (Live.Watched(output, options.Json))
                {
                    final = await Live.ProgressAsync(async context =>
                    {
                        var task = context.AddTask(Described(started), maxValue: 1);
                        return await client.WaitForRebuildAsync(started.Id, new Live.Synchronous<RebuildStatus>(status =>
                        {
                            task.Description = Described(status);
                            task.Value = status.Fraction;
                        }), cancellationToken: stop.Token);
                    });
                }
                else
                {
                    // Where no one watches a bar, a line per tenth goes to standard error, which keeps standard output for the result.
                    var lines = options.Json ? null : new ProgressLines(error);
                    final = await client.WaitForRebuildAsync(started.Id, lines is null ? null : new Live.Synchronous<RebuildStatus>(lines.Draw), cancellationToken: stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                await error.WriteLineAsync("Stopped watching; the rebuild goes on in the silo (GET /api/admin/rebuilds).");
                return 130;
            }

            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(final, Json));
            }
            else if (final.State == RebuildState.Succeeded)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Rebuilt {string.Join(", ", final.Projections)}: {final.EventsProcessed:N0} events, {final.DocumentsWritten:N0} documents in {final.ElapsedSeconds:0.00} s, " +
                        $"{final.EventsPerSecond:N0} events/s."));
            }
            else
            {
                await error.WriteLineAsync($"Rebuild {final.Id} failed: {final.Error}");
            }
            return final.State == RebuildState.Succeeded ? 0 : 1;
        });
    }

    private static string Described(RebuildStatus status) => Markup.Escape(string.Create(CultureInfo.InvariantCulture,
        $"{status.EventsProcessed:N0}/{status.TotalEvents:N0} events  {status.EventsPerSecond:N0} events/s  {status.Phase}"));

    /// <summary>The bar as text, a line per tenth of progress, for logs.</summary>
    private sealed class ProgressLines(TextWriter error)
    {
        private const int Width = 30;
        private int lastTenth = -1;

        public void Draw(RebuildStatus status)
        {
            var fraction = status.Fraction;
            var tenth = (int)(fraction * 10);
            if (tenth == lastTenth && status.State == RebuildState.Running)
            {
                return;
            }
            lastTenth = tenth;
            var filled = (int)Math.Round(fraction * Width);
            error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0}  {status.EventsProcessed:N0}/{status.TotalEvents:N0} events  " +
                    $"{status.EventsPerSecond:N0} events/s  {status.Phase}"));
        }
    }
}
