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

    private sealed record Settings(Uri Url, string? Area, string Out, string? Token, string? Database = null);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("export", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var area = Options.Text("--area", "area", "A province or a unit under it, such as bac-kan or bac-kan/ba-be; without it, the whole store.");
        var database = Options.Text("--database", "name", "Where the provinces are spread over several databases, the whole of one of them (main, or a name /api/projections gives).");
        var target = Options.Text("--out", "file", "The file to write; it appears only once the export is complete.");
        target.Required = true;
        var command = new UsageCommand("export",
            "Writes the recorded history of an area, or of the whole store, as CloudEvents in JSON lines, showing the events written and events/s as it goes. "
            + "Needs an auditor's token.", Usage)
        {
            target, area, database, url, token,
        };
        command.Validators.Add(result =>
        {
            if (result.Given(area) && result.Given(database))
            {
                result.AddError("Give --area or --database, not both: an area is exported from the database its province lives in.");
            }
        });
        return command.Runs(parsed => RunAsync(new Settings(parsed.GetValue(url)!, parsed.GetValue(area), parsed.GetValue(target)!, parsed.GetValue(token), parsed.GetValue(database)), output, error));
    }

    private static Task<long> ExportAsync(ReadinessClient client, Settings options, Stream file, IProgress<long> progress, CancellationToken cancellationToken) =>
        options.Database is { } database
            ? client.ExportDatabaseAsync(file, database, progress, cancellationToken)
            : client.ExportAsync(file, options.Area, progress, cancellationToken);

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        // The timeout covers only the wait for the first byte; the body streams for as long as it takes.
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromMinutes(5));
        var full = Path.GetFullPath(options.Out);
        // A cut-off export still verifies (every chain is whole up to where it stops) and would import
        // as a shorter history, so the file takes its name only when the server has sent everything.
        var partial = full + ".partial";
        var clock = Stopwatch.StartNew();
        long written = 0;
        var watched = Live.Watched(output);
        var meter = watched ? null : new RateLine(error, clock);
        long lines;
        try
        {
            await using (var file = OwnerOnlyFile.Create(partial))
            {
                lines = watched
                    ? await Live.ProgressAsync(async context =>
                    {
                        // The server does not say how many events are coming, so there is no bar to fill: it counts.
                        var task = context.AddTask(Counted(0, clock.Elapsed));
                        var total = await ExportAsync(client, options, file, new Live.Synchronous<long>(n =>
                        {
                            written = n;
                            task.Description = Counted(n, clock.Elapsed);
                        }), stop.Token);
                        task.Description = Counted(total, clock.Elapsed);
                        task.Value = task.MaxValue;
                        return total;
                    }, bounded: false)
                    : await ExportAsync(client, options, file, new Live.Synchronous<long>(n =>
                    {
                        written = n;
                        meter!.Draw(n);
                    }), stop.Token);
            }
            File.Move(partial, full, overwrite: true);
        }
        catch (Exception ex) when (ex is ReadinessApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            File.Delete(partial);
            await error.WriteLineAsync(ex switch
            {
                ReadinessApiException api => api.Problem.Detail ?? api.Message,
                HttpRequestException when written == 0 => $"Cannot reach the silo at {options.Url}: {ex.Message}. Start it with ./run.sh.",
                OperationCanceledException => "Stopped; no file written.",
                _ => $"The export broke off after {written:N0} events ({ex.Message}); no file written.",
            });
            return ex is OperationCanceledException ? 130 : 1;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Exported {lines:N0} events of {options.Area ?? "the whole store"} in {seconds:0.00} s, {lines / Math.Max(seconds, 1e-3):N0} events/s, " +
                $"{new FileInfo(full).Length / 1048576.0:0.0} MB → {full}"));
        return 0;
    }

    private static string Counted(long lines, TimeSpan elapsed) =>
        string.Create(CultureInfo.InvariantCulture, $"{lines:N0} events written  {lines / Math.Max(elapsed.TotalSeconds, 1e-3):N0} events/s");

    /// <summary>Events written and events/s, a line a second, where no one watches a bar: a log still shows the export getting on.</summary>
    private sealed class RateLine(TextWriter error, Stopwatch clock)
    {
        // Not written in the first second: the first blocks say nothing about the rate.
        private TimeSpan lastDrawn = TimeSpan.Zero;

        public void Draw(long lines)
        {
            if (clock.Elapsed - lastDrawn >= TimeSpan.FromSeconds(1))
            {
                lastDrawn = clock.Elapsed;
                error.WriteLine(Counted(lines, lastDrawn));
            }
        }
    }
}
