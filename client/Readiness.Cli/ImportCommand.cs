using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Readiness.Client;

namespace Readiness.Cli;

/// <summary><c>readiness import</c>: sends an export to a silo whose store is empty.</summary>
internal static class ImportCommand
{
    public const string Usage = """
        readiness import file.jsonl [--url http://127.0.0.1:5080] [--token T] [--json]
          Takes an export into a silo whose store holds no events. The silo checks every stream's
          hash chain first and refuses the whole file at its first bad line; otherwise it writes
          every event in one transaction and rebuilds the views before answering. Prints the events
          imported and events/s, or the refusal (line N: why); --json prints the report or the
          problem document as JSON. Exits 1 when refused. Needs an administrator's token:
          --token, or READINESS_TOKEN.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed record Options(Uri Url, string? File, bool Json, string? Token);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var options = Parse(args, error);
        if (options?.File is not { } path)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        if (!File.Exists(path))
        {
            await error.WriteLineAsync($"No such file: {path}");
            return 1;
        }
        // The silo answers only after checking, writing and rebuilding every view: minutes for a big store.
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromHours(1));
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        if (!options.Json)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Sending {Path.GetFileName(path)} ({file.Length / 1048576.0:0.0} MB) to {options.Url}; the silo checks every chain, writes, then rebuilds the views…"));
        }
        var clock = Stopwatch.StartNew();
        try
        {
            var report = await client.ImportAsync(file);
            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, Json));
            }
            else
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Imported {report.Events:N0} events in {report.Streams:N0} streams in {report.Seconds:0.00} s, {report.EventsPerSecond:N0} events/s (chains checked and written); views rebuilt, {clock.Elapsed.TotalSeconds:0.00} s in all."));
            }
            return 0;
        }
        catch (ReadinessApiException ex)
        {
            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(ex.Problem, Json));
            }
            else if (ex.Problem.Line is { } line)
            {
                // The detail begins with the line already ("Line 12: …"); say it plainly once.
                var reason = ex.Problem.Detail ?? ex.Message;
                var prefix = $"Line {line.ToString(CultureInfo.InvariantCulture)}: ";
                await error.WriteLineAsync($"Refused, nothing imported: line {line.ToString(CultureInfo.InvariantCulture)}: {(reason.StartsWith(prefix, StringComparison.Ordinal) ? reason[prefix.Length..] : reason)}");
            }
            else
            {
                await error.WriteLineAsync($"Refused, nothing imported ({ex.StatusCode}): {ex.Problem.Detail ?? ex.Problem.Title ?? ex.Message}");
            }
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync(Connection.Unreachable(options.Url, ex));
            return 1;
        }
    }

    private static Options? Parse(string[] args, TextWriter error)
    {
        string? path = null;
        var reader = new OptionReader(error, showValue: false);
        var read = reader.Read(args, (name, _) =>
        {
            if (name.StartsWith("--", StringComparison.Ordinal) || path is not null)
            {
                return Taken.No;
            }
            path = name;
            return Taken.Alone;
        });
        return read ? new Options(reader.Url, path, reader.Json, reader.Token) : null;
    }
}
