using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Readiness.Client;
using Readiness.Contracts.Http;

namespace Readiness.Cli;

/// <summary><c>readiness rebuild</c>: starts a projection rebuild on the silo and draws its progress.</summary>
internal static class RebuildCommand
{
    public const string Usage = """
        readiness rebuild [--projection all|unit-record|exercise-record|duty-post-record|province-roster] [--url http://127.0.0.1:5080] [--token T] [--json]
          Rebuilds one projection, or all (the default), from the events while the silo keeps
          serving, and draws a progress bar with events per second. --json prints the final status
          as JSON instead. Exits 1 if the rebuild fails or cannot start. Needs an admin token.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    private sealed record Options(Uri Url, string Projection, bool Json, string? Token = null);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var options = Parse(args, error);
        if (options is null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromSeconds(30));
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            RebuildStatus final;
            try
            {
                var started = await client.StartRebuildAsync(options.Projection, stop.Token);
                var bar = options.Json ? null : new ProgressBar(output, output == Console.Out && !Console.IsOutputRedirected);
                final = await client.WaitForRebuildAsync(started.Id, bar is null ? null : new SynchronousProgress(bar.Draw), cancellationToken: stop.Token);
                bar?.Finish();
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
                    $"Rebuilt {string.Join(", ", final.Projections)}: {final.EventsProcessed:N0} events, {final.DocumentsWritten:N0} documents in {final.ElapsedSeconds:0.00} s, {final.EventsPerSecond:N0} events/s."));
            }
            else
            {
                await error.WriteLineAsync($"Rebuild {final.Id} failed: {final.Error}");
            }
            return final.State == RebuildState.Succeeded ? 0 : 1;
        });
    }

    private static Options? Parse(string[] args, TextWriter error)
    {
        var projection = ReadinessClient.AllProjections;
        var reader = new OptionReader(error, showValue: false);
        var read = reader.Read(args, (name, value) =>
        {
            if (name != "--projection" || value is not { Length: > 0 })
            {
                return Taken.No;
            }
            projection = value;
            return Taken.WithValue;
        });
        return read ? new Options(reader.Url, projection, reader.Json, reader.Token) : null;
    }

    /// <summary>Calls back on the polling thread, so bars are drawn in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<RebuildStatus> report) : IProgress<RebuildStatus>
    {
        public void Report(RebuildStatus value) => report(value);
    }

    /// <summary>One line redrawn in place on a terminal; a line per tenth of progress when redirected.</summary>
    private sealed class ProgressBar(TextWriter output, bool interactive)
    {
        private const int Width = 30;
        private int lastTenth = -1;
        private int drawnLength;

        public void Draw(RebuildStatus status)
        {
            var fraction = status.Fraction;
            var filled = (int)Math.Round(fraction * Width);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"[{new string('#', filled)}{new string('.', Width - filled)}] {fraction,4:P0}  {status.EventsProcessed:N0}/{status.TotalEvents:N0} events  {status.EventsPerSecond:N0} events/s  {status.Phase}");
            if (interactive)
            {
                output.Write('\r' + line.PadRight(drawnLength));
                drawnLength = line.Length;
                return;
            }
            var tenth = (int)(fraction * 10);
            if (tenth != lastTenth || status.State != RebuildState.Running)
            {
                lastTenth = tenth;
                output.WriteLine(line);
            }
        }

        public void Finish()
        {
            if (interactive)
            {
                output.WriteLine();
            }
        }
    }
}
