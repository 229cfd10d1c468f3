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

    private sealed record Settings(Uri Url, string? Stream, string? Area, bool Json, string? Token);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("verify", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var json = Options.Json("Print the whole report as JSON.");
        var stream = Options.Text("--stream", "key", "Only this stream: a unit id, exercise:<id> or post:<id>.");
        var area = Options.Text("--area", "area", "Only the streams of this area, such as bac-kan/ba-be.");
        var command = new UsageCommand("verify",
            "Recomputes the hash chain of every stream, or of one stream or area's, and prints the verdict, the first broken link with the hash "
            + "expected and the one found, and events per second. Exits 0 when intact, 1 when a link is broken, 2 when it could not check.", Usage)
        {
            stream, area, json, url, token,
        };
        command.Validators.Add(result =>
        {
            if (result.Given(stream) && result.Given(area))
            {
                result.AddError("Give --stream or --area, not both.");
            }
        });
        return command.Runs(parsed => RunAsync(
            new Settings(parsed.GetValue(url)!, parsed.GetValue(stream), parsed.GetValue(area), parsed.GetValue(json), parsed.GetValue(token)), output, error));
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        using var client = Connection.Client(options.Url, options.Token, AuditOptions.QueryTimeout);
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            var report = Live.Watched(output, options.Json)
                ? await Live.WaitAsync($"Recomputing the hash chains of {Scope(options)}", () => client.VerifyAsync(options.Stream, options.Area))
                : await client.VerifyAsync(options.Stream, options.Area);

            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, AuditOptions.Indented));
                return report.Intact ? 0 : 1;
            }
            var scope = Scope(options);
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

    private static string Scope(Settings options) =>
        options.Stream is { } stream ? $"stream {stream}" : options.Area is { } area ? $"area {area}" : "every stream";
}
