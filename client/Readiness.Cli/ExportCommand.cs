using System.Diagnostics;
using System.Globalization;
using Readiness.Client;

namespace Readiness.Cli;

/// <summary><c>readiness export</c>: the recorded history as CloudEvents JSON lines, to a file.</summary>
internal static class ExportCommand
{
    public const string Usage = """
        readiness export --out file.jsonl [--area bac-kan] [--url http://127.0.0.1:5080] [--token T]
          Writes the history of an area (a province, or a unit under it), or of the whole store,
          as CloudEvents in JSON lines: one event a line in recording order, with who recorded it,
          when, for which command, and its hash. Shows the events written and events/s as it goes.
          The file only appears once the export is complete. `readiness import` takes it back.
          Needs an auditor's token: --token, or READINESS_TOKEN.
        """;

    private sealed record Options(Uri Url, string? Area, string? Out, string? Token);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var options = Parse(args, error);
        if (options?.Out is not { } target)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        // The timeout covers only the wait for the first byte; the body streams for as long as it takes.
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromMinutes(5));
        var full = Path.GetFullPath(target);
        // A cut-off export still verifies (every chain is whole up to where it stops) and would import
        // as a shorter history, so the file takes its name only when the server has sent everything.
        var partial = full + ".partial";
        var meter = new RateLine(output, output == Console.Out && !Console.IsOutputRedirected);
        long lines;
        try
        {
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                lines = await client.ExportAsync(file, options.Area, new SynchronousProgress(meter.Draw), stop.Token);
            }
            File.Move(partial, full, overwrite: true);
        }
        catch (Exception ex) when (ex is ReadinessApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            meter.Finish();
            File.Delete(partial);
            await error.WriteLineAsync(ex switch
            {
                ReadinessApiException api => api.Problem.Detail ?? api.Message,
                HttpRequestException when meter.Lines == 0 => $"Cannot reach the silo at {options.Url}: {ex.Message}. Start it with ./run.sh.",
                OperationCanceledException => "Stopped; no file written.",
                _ => $"The export broke off after {meter.Lines:N0} events ({ex.Message}); no file written.",
            });
            return ex is OperationCanceledException ? 130 : 1;
        }
        meter.Finish();
        var seconds = meter.Elapsed.TotalSeconds;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Exported {lines:N0} events of {options.Area ?? "the whole store"} in {seconds:0.00} s, {lines / Math.Max(seconds, 1e-3):N0} events/s, {new FileInfo(full).Length / 1048576.0:0.0} MB → {full}"));
        return 0;
    }

    private static Options? Parse(string[] args, TextWriter error)
    {
        string? area = null;
        string? target = null;
        var reader = new OptionReader(error);
        // An odd count is refused before any option is read, so it never says "Bad option".
        var read = args.Length % 2 == 0 && reader.ReadPairs(args, (name, value) =>
        {
            switch (name)
            {
                case "--area" when value.Length > 0:
                    area = value;
                    return true;
                case "--out" when value.Length > 0:
                    target = value;
                    return true;
                default:
                    return false;
            }
        });
        return read ? new Options(reader.Url, area, target, reader.Token) : null;
    }

    /// <summary>Calls back on the copying thread, so the count shown never goes backwards (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    /// <summary>Events written and events/s, redrawn in place on a terminal ten times a second; a line a second when redirected.</summary>
    private sealed class RateLine(TextWriter output, bool interactive)
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private readonly TimeSpan interval = interactive ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1);
        // Not drawn in the first interval: the first blocks say nothing about the rate.
        private TimeSpan lastDrawn = TimeSpan.Zero;
        private int drawnLength;

        public long Lines { get; private set; }

        public TimeSpan Elapsed => clock.Elapsed;

        public void Draw(long lines)
        {
            Lines = lines;
            if (clock.Elapsed - lastDrawn >= interval)
            {
                Render();
            }
        }

        /// <summary>Leaves a redrawn line at its final count, so the summary starts on a line of its own.</summary>
        public void Finish()
        {
            if (interactive && drawnLength > 0)
            {
                Render();
                output.WriteLine();
            }
        }

        private void Render()
        {
            lastDrawn = clock.Elapsed;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{Lines:N0} events written  {Lines / Math.Max(lastDrawn.TotalSeconds, 1e-3):N0} events/s");
            if (interactive)
            {
                output.Write('\r' + line.PadRight(drawnLength));
                drawnLength = line.Length;
                return;
            }
            output.WriteLine(line);
        }
    }
}
