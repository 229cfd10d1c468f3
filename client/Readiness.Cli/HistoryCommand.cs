using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Readiness.Client;
using Readiness.Contracts;

namespace Readiness.Cli;

/// <summary><c>readiness history</c>: the recorded events of an actor or an area, with who recorded them and when.</summary>
internal static class HistoryCommand
{
    public const string Usage = """
        readiness history (--unit id | --exercise id | --post id | --province id [--district d]) [--kind K]...
                          [--from T] [--to T] [--recorded-from T] [--recorded-to T] [--limit n] [--after seq] [--all] [--json] [--url http://127.0.0.1:5080] [--token T]
          Prints recorded events oldest first: sequence, when recorded, when it happened, kind, stream,
          who recorded it, command id. --from/--to filter by when it happened, --recorded-from/--recorded-to
          by when it was recorded (T such as 2024-06-30 or 2024-06-30T08:00:00+07:00; UTC without an
          offset). One page (--limit, 100 by default, at most 1000) unless --all; --after continues
          from a sequence. --json prints each event, with its data and hash, as a line of JSON.
          --token (else READINESS_TOKEN, else .local/dev-token) is sent as the bearer token.
        """;

    private sealed record Settings(Uri Url, HistoryScope Scope, HistoryFilter Filter, long? After, bool All, bool Json, string? Token);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("history", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var json = Options.Json("Print each event, with its data and hash, as a line of JSON; the count goes to standard error.");
        var unit = Options.Text("--unit", "id", "The events of a unit.");
        var exercise = Options.Text("--exercise", "id", "The events of an exercise.");
        var post = Options.Text("--post", "id", "The events of a duty post.");
        var province = Options.Text("--province", "id", "The events of a province's units, exercises and duty posts.");
        var district = Options.Text("--district", "id", "With --province: only one district's.");
        var kinds = Options.Texts("--kind", "kind", "Only events of this kind, such as OutreachSessionHeld; may be given again.");
        var from = Options.Moment("--from", "Only events that happened at or after this moment");
        var to = Options.Moment("--to", "Only events that happened before this moment");
        var recordedFrom = Options.Moment("--recorded-from", "Only events recorded at or after this moment");
        var recordedTo = Options.Moment("--recorded-to", "Only events recorded before this moment");
        var limit = Options.Number<int>("--limit", "Events on a page, at most 1000; 100 by default.", n => n is >= 1 and <= 1000, "a whole number from 1 to 1000", NumberStyles.None);
        var after = Options.Number<long>("--after", "Continue after this sequence, as the last page said.", _ => true, "a sequence number", NumberStyles.None);
        var all = new Option<bool>("--all") { Description = "Every page, not only the first." };
        var command = new UsageCommand("history",
            "Prints recorded events oldest first: sequence, when recorded, when it happened, kind, stream, who recorded it, command id. "
            + "Name exactly one of --unit, --exercise, --post or --province.", Usage)
        {
            unit, exercise, post, province, district, kinds, from, to, recordedFrom, recordedTo, limit, after, all, json, url, token,
        };
        command.Validators.Add(result =>
        {
            if (new Option[] { unit, exercise, post, province }.Count(o => result.Given(o)) != 1)
            {
                result.AddError("Name exactly one of --unit, --exercise, --post or --province.");
            }
            else if (result.Given(district) && !result.Given(province))
            {
                result.AddError("--district goes with --province.");
            }
        });
        return command.Runs(parsed =>
        {
            var scope = parsed.GetValue(unit) is { } u ? HistoryScope.Unit(u)
                : parsed.GetValue(exercise) is { } e ? HistoryScope.Exercise(e)
                : parsed.GetValue(post) is { } p ? HistoryScope.DutyPost(p)
                : HistoryScope.Province(parsed.GetValue(province)!, parsed.GetValue(district));
            var filter = new HistoryFilter
            {
                Kinds = parsed.GetValue(kinds) is { Count: > 0 } k ? k : null,
                OccurredFrom = parsed.GetValue(from),
                OccurredTo = parsed.GetValue(to),
                RecordedFrom = parsed.GetValue(recordedFrom),
                RecordedTo = parsed.GetValue(recordedTo),
                Limit = parsed.GetValue(limit),
            };
            var settings = new Settings(parsed.GetValue(url)!, scope, filter, parsed.GetValue(after),
                parsed.GetValue(all), parsed.GetValue(json), parsed.GetValue(token));
            return RunAsync(settings, output, error);
        });
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        var scope = options.Scope;
        using var client = Connection.Client(options.Url, options.Token, AuditOptions.QueryTimeout);
        var table = options.Json ? null : new Table(output);
        long count = 0;
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            if (options.All)
            {
                // Bigger pages than the default: fewer round trips for a whole history, and the server's maximum is 1000.
                var filter = options.Filter.Limit is null ? options.Filter with { Limit = 1000 } : options.Filter;
                await foreach (var entry in client.ReadHistoryAsync(scope, filter, options.After))
                {
                    await Write(entry);
                }
                await Footer(null);
            }
            else
            {
                var page = await client.GetHistoryPageAsync(scope, options.Filter, options.After);
                foreach (var entry in page.Events)
                {
                    await Write(entry);
                }
                await Footer(page.NextAfter);
            }
            return 0;
        });

        async Task Write(HistoryEntry entry)
        {
            count++;
            if (table is null)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(entry, AuditOptions.Line));
            }
            else
            {
                await table.RowAsync(entry);
            }
        }

        async Task Footer(long? nextAfter)
        {
            var more = nextAfter is { } n ? $"; more after sequence {n} (--after {n}, or --all)" : "";
            // With --json the footer goes to standard error, so that standard output stays pure JSON lines.
            await (table is null ? error : output).WriteLineAsync(
                string.Create(CultureInfo.InvariantCulture, $"{count:N0} event{(count == 1 ? "" : "s")} of {scope.Description}{more}."));
        }
    }

    /// <summary>Fixed columns, so that rows line up while pages stream in and nothing has to be held back.</summary>
    private sealed class Table(TextWriter output)
    {
        private static readonly System.Text.CompositeFormat Format =
            System.Text.CompositeFormat.Parse("{0,9}  {1,-20}  {2,-20}  {3,-29}  {4,-48}  {5,-22}  {6}");
        private bool headed;

        public async Task RowAsync(HistoryEntry entry)
        {
            if (!headed)
            {
                headed = true;
                await output.WriteLineAsync(string.Format(CultureInfo.InvariantCulture, Format,
                    "sequence", "recorded at", "occurred at", "kind", "stream", "recorded by", "command id"));
            }
            await output.WriteLineAsync(string.Format(CultureInfo.InvariantCulture, Format,
                entry.Sequence, AuditOptions.Format(entry.RecordedAt), AuditOptions.Format(entry.OccurredAt), entry.Kind,
                $"{entry.Stream} v{entry.Version}", entry.RecordedBy ?? "—", entry.CommandId ?? "—"));
        }
    }
}
