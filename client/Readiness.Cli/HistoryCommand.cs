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

    private sealed record Options(Uri Url, HistoryScope? Scope, string? Province, string? District, HistoryFilter Filter, long? After, bool All, bool Json, string? Token = null);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var options = Parse(args, error);
        if (options?.Scope is not { } scope)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
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

    private static Options? Parse(string[] args, TextWriter error)
    {
        var result = new Options(AuditOptions.DefaultUrl, null, null, null, new HistoryFilter(), null, false, false);
        var kinds = new List<string>();
        var scopes = 0;
        var reader = new OptionReader(error);
        if (!reader.Read(args, Own))
        {
            return null;
        }
        result = result with { Url = reader.Url, Token = reader.Token, Json = reader.Json };
        if (scopes != 1)
        {
            error.WriteLine("Name exactly one of --unit, --exercise, --post or --province.");
            return null;
        }
        if (result.District is not null && result.Province is null)
        {
            error.WriteLine("--district goes with --province.");
            return null;
        }
        if (result.Province is { } province)
        {
            result = result with { Scope = HistoryScope.Province(province, result.District) };
        }
        return result with { Filter = result.Filter with { Kinds = kinds.Count == 0 ? null : kinds } };

        Taken Own(string name, string? value)
        {
            DateTimeOffset moment = default;
            bool IsMoment() => AuditOptions.TryParseMoment(value, out moment);
            switch (name)
            {
                case "--all":
                    result = result with { All = true };
                    return Taken.Alone;
                case "--unit" when value is { Length: > 0 }:
                    result = result with { Scope = HistoryScope.Unit(value) };
                    scopes++;
                    return Taken.WithValue;
                case "--exercise" when value is { Length: > 0 }:
                    result = result with { Scope = HistoryScope.Exercise(value) };
                    scopes++;
                    return Taken.WithValue;
                case "--post" when value is { Length: > 0 }:
                    result = result with { Scope = HistoryScope.DutyPost(value) };
                    scopes++;
                    return Taken.WithValue;
                case "--province" when value is { Length: > 0 }:
                    result = result with { Province = value };
                    scopes++;
                    return Taken.WithValue;
                case "--district" when value is { Length: > 0 }:
                    result = result with { District = value };
                    return Taken.WithValue;
                case "--kind" when value is { Length: > 0 }:
                    kinds.Add(value);
                    return Taken.WithValue;
                case "--from" when IsMoment():
                    result = result with { Filter = result.Filter with { OccurredFrom = moment } };
                    return Taken.WithValue;
                case "--to" when IsMoment():
                    result = result with { Filter = result.Filter with { OccurredTo = moment } };
                    return Taken.WithValue;
                case "--recorded-from" when IsMoment():
                    result = result with { Filter = result.Filter with { RecordedFrom = moment } };
                    return Taken.WithValue;
                case "--recorded-to" when IsMoment():
                    result = result with { Filter = result.Filter with { RecordedTo = moment } };
                    return Taken.WithValue;
                case "--limit" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= 1000:
                    result = result with { Filter = result.Filter with { Limit = limit } };
                    return Taken.WithValue;
                case "--after" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var after):
                    result = result with { After = after };
                    return Taken.WithValue;
                default:
                    return Taken.No;
            }
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
