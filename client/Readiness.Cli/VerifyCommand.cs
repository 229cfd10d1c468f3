using System.Globalization;
using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Cli;

/// <summary><c>readiness verify</c>: recomputes the hash chains and says whether the record is as it was written.</summary>
internal static class VerifyCommand
{
    public const string Usage = """
        readiness verify [--stream key | --area id] [--json] [--url http://127.0.0.1:5080] [--token T]
          Recomputes the hash chain of every stream (or of one: a unit id, exercise:<id>, post:<id>;
          or of an area's streams, such as --area bac-kan/ba-be) and prints the verdict, the first
          broken link with the hash expected and the one found, and events per second. --json
          prints the whole report. Exits 1 when a link is broken, 2 when it could not check.
          --token (else READINESS_TOKEN, else .local/dev-token) is sent as the bearer token.
        """;

    // Enough to see the pattern of a tampering without burying the verdict.
    private const int BreaksListed = 10;

    private sealed record Options(Uri Url, string? Stream, string? Area, bool Json, string? Token = null);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var options = Parse(args, error);
        if (options is null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        using var client = Connection.Client(options.Url, options.Token, AuditOptions.QueryTimeout);
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            var report = await client.VerifyAsync(options.Stream, options.Area);

            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, AuditOptions.Indented));
                return report.Intact ? 0 : 1;
            }
            var scope = options.Stream is { } stream ? $"stream {stream}" : options.Area is { } area ? $"area {area}" : "every stream";
            var checkedText = string.Create(CultureInfo.InvariantCulture,
                $"{report.StreamsChecked:N0} stream{(report.StreamsChecked == 1 ? "" : "s")}, {report.EventsChecked:N0} event{(report.EventsChecked == 1 ? "" : "s")} checked in {report.Seconds:0.00} s ({report.EventsPerSecond:N0} events/s)");
            if (report.Intact)
            {
                await output.WriteLineAsync($"INTACT: every link of {scope} holds. {checkedText}.");
                return 0;
            }
            var brokenStreams = report.Breaks.Select(b => b.Stream).Distinct(StringComparer.Ordinal).Count();
            await output.WriteLineAsync($"BROKEN: {report.Breaks.Count} broken link(s) in {brokenStreams} stream(s) of {scope}. {checkedText}.");
            if (report.FirstBreak is { } first)
            {
                await output.WriteLineAsync("First broken link:");
                await WriteBreak(output, first);
            }
            var others = report.Breaks.Where(b => b != report.FirstBreak).ToList();
            if (others.Count > 0)
            {
                await output.WriteLineAsync("Other broken links (the first of each stream):");
                foreach (var other in others.Take(BreaksListed))
                {
                    await WriteBreak(output, other);
                }
                if (others.Count > BreaksListed)
                {
                    await output.WriteLineAsync($"  … and {others.Count - BreaksListed} more (--json lists them all).");
                }
            }
            return 1;
        }, 2);
    }

    private static async Task WriteBreak(TextWriter output, ChainBreak link)
    {
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  stream {link.Stream}, version {link.Version}: {link.Problem}"));
        await output.WriteLineAsync($"    expected: {link.Expected ?? "—"}");
        await output.WriteLineAsync($"    found:    {link.Found ?? "—"}");
    }

    private static Options? Parse(string[] args, TextWriter error)
    {
        var result = new Options(AuditOptions.DefaultUrl, null, null, false);
        var reader = new OptionReader(error);
        if (!reader.Read(args, Own))
        {
            return null;
        }
        result = result with { Url = reader.Url, Token = reader.Token, Json = reader.Json };
        if (result.Stream is not null && result.Area is not null)
        {
            error.WriteLine("Give --stream or --area, not both.");
            return null;
        }
        return result;

        Taken Own(string name, string? value)
        {
            switch (name)
            {
                case "--stream" when value is { Length: > 0 }:
                    result = result with { Stream = value };
                    return Taken.WithValue;
                case "--area" when value is { Length: > 0 }:
                    result = result with { Area = value };
                    return Taken.WithValue;
                default:
                    return Taken.No;
            }
        }
    }
}
