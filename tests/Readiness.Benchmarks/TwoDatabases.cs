using System.Diagnostics;
using System.Globalization;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Contracts.Http;

namespace Readiness.Benchmarks;

/// <summary>
/// The country over two databases on this machine (<c>--databases 2</c>): the main one on the
/// checkout's first PostgreSQL cluster, every other province in a database on a second cluster. It
/// measures what the sizing note needs: the grains' durable rate and lag per database, the same-run
/// ceiling of raw appends into one cluster and into both at once, and each database's daemon and rebuild.
/// </summary>
public sealed class TwoDatabaseBenchmark(BenchOptions options, Report report)
{
    private const string SecondName = "second";

    private BenchDatabase[] databases = [];
    private SiloRunner silo = null!;
    private CountryLoad country = null!;
    private readonly Dictionary<string, double> rates = new(StringComparer.Ordinal);

    private static readonly string[] Names = ["main", SecondName];

    public async Task RunAsync()
    {
        Console.WriteLine("PostgreSQL: infra/postgres.sh start --cluster 1 and --cluster 2, a database of this run's own in each");
        await using var main = await BenchDatabase.CreateAsync(cluster: 1);
        await using var second = await BenchDatabase.CreateAsync(cluster: 2);
        databases = [main, second];
        report.Machine = await Machine.DescribeAsync(main);
        var provinces = CountryLoad.ProvinceIds(options.Shape);
        var settings = new Dictionary<string, string?>
        {
            ["Readiness:Databases:0:Name"] = SecondName,
            ["Readiness:Databases:0:Connection"] = second.AppConnectionString,
        };
        var moved = provinces.Where((_, i) => i % 2 == 1).ToList();
        for (var i = 0; i < moved.Count; i++)
        {
            settings[$"Readiness:Databases:0:Provinces:{i}"] = moved[i];
        }
        report.Evidence["databases"] = $"main: {provinces.Count - moved.Count} provinces ({main.Name}); {SecondName}: {moved.Count} provinces ({second.Name}, second cluster)";
        silo = await SiloRunner.StartAsync(main, settings);
        try
        {
            await SeedAsync();
            await LoadAsync();
            await RawBaselinesAsync();
            await DaemonAndRebuildAsync();
        }
        finally
        {
            Console.WriteLine("Stopping the silo and dropping the databases");
            await silo.DisposeAsync();
        }
        Targets();
    }

    private async Task<long[]> HeadsAsync() => await Task.WhenAll(databases.Select(d => d.HighestSequenceAsync()));

    private async Task SeedAsync()
    {
        var shape = options.Shape;
        Console.WriteLine($"Seeding {shape.Provinces} provinces through the grains, every other one into the second database");
        country = new CountryLoad(shape, silo.Grains);
        var t0 = Stopwatch.GetTimestamp();
        await country.SeedAsync();
        var heads = await HeadsAsync();
        for (var i = 0; i < databases.Length; i++)
        {
            report.Add(new Figure($"seed.{Names[i]}", $"seed: events in the {Names[i]} database", "events", heads[i]));
        }
        report.Add(new Figure("seed", $"seed: {country.Units:N0} units over two databases", "events", heads.Sum(), Notes: $"{Latencies.Since(t0) / 1000:F1} s"));
    }

    private async Task LoadAsync()
    {
        Console.WriteLine($"Commands through the grains (warm-up {options.Warmup.TotalSeconds:F0} s, then {options.LevelDuration.TotalSeconds:F0} s at 64 and 256 callers)");
        await ClosedLoop.RunAsync(64, options.Warmup, caller => country.SendOneAsync(new Random(caller)));
        foreach (var callers in new[] { 64, 256 })
        {
            var randoms = Enumerable.Range(0, callers).Select(i => new Random(1_000 + i)).ToArray();
            var before = await Task.WhenAll(databases.Select(d => d.CountersAsync()));
            var first = await HeadsAsync();
            var probes = databases.Select(d => new LagProbe(d, country)).ToArray();
            foreach (var probe in probes)
            {
                probe.Start();
            }
            var run = await ClosedLoop.RunAsync(callers, options.LevelDuration, caller => country.SendOneAsync(randoms[caller]));
            var after = await Task.WhenAll(databases.Select(d => d.CountersAsync()));
            var last = await HeadsAsync();
            var total = 0L;
            for (var i = 0; i < databases.Length; i++)
            {
                var events = last[i] - first[i];
                total += events;
                var cost = after[i].Since(before[i]);
                var lag = await probes[i].FinishAsync();
                await probes[i].DisposeAsync();
                rates[$"grains.c{callers}.{Names[i]}"] = events / run.Seconds;
                report.Add(new Figure($"grains.c{callers}.{Names[i]}", $"grains: durable events/s into the {Names[i]} database, {callers} callers", "events/s", events / run.Seconds,
                    Samples: events, Notes: $"PostgreSQL CPU per event {PerEvent(cost.PostgresCpuSeconds, events)} ms; {cost.WalBytes / Math.Max(1, events)} WAL bytes/event"));
                report.Add(new Figure($"lag.c{callers}.{Names[i]}", $"projection lag in the {Names[i]} database, {callers} callers", "ms", lag.Mean, lag.P50, lag.P99, lag.Count));
            }
            var siloCpu = after[0].Since(before[0]).BenchmarkCpuSeconds;
            rates[$"grains.c{callers}"] = total / run.Seconds;
            report.Add(new Figure($"grains.c{callers}", $"grains: durable events/s over both databases, {callers} callers", "events/s", total / run.Seconds,
                run.Latency.P50, run.Latency.P99, run.Operations, $"{run.Failures} refused; silo CPU per event {PerEvent(siloCpu, total)} ms"));
        }
    }

    /// <summary>Raw appends, ten events per transaction from 8 callers: into the main cluster alone, then into both clusters at once.</summary>
    private async Task RawBaselinesAsync()
    {
        Console.WriteLine($"Baselines without Orleans ({options.BaselineDuration.TotalSeconds:F0} s each): raw ten-per-transaction into one cluster, then both at once");
        var samples = await Baselines.SampleAsync(databases[0]);
        var benches = databases.Select(d => new Baselines(d, samples)).ToArray();
        try
        {
            foreach (var bench in benches)
            {
                await bench.CreateRawTablesAsync();
            }
            var alone = await benches[0].RawMultiRowAsync(8, 10, options.BaselineDuration);
            rates["raw.multi10.c8.one"] = alone.EventsPerSecond;
            report.Add(new Figure("raw.multi10.c8.one", "raw Npgsql, 10 events per transaction, 8 callers, main cluster alone", "events/s", alone.EventsPerSecond,
                alone.Latency.P50, alone.Latency.P99, alone.Operations));
            // The same streams again would collide with the first run's: the main cluster's tables start afresh.
            await databases[0].ExecuteAsync($"DROP SCHEMA {Baselines.Raw} CASCADE");
            await benches[0].CreateRawTablesAsync();
            var both = await Task.WhenAll(benches.Select(b => b.RawMultiRowAsync(8, 10, options.BaselineDuration)));
            var sum = both.Sum(r => r.EventsPerSecond);
            rates["raw.multi10.c8.both"] = sum;
            report.Add(new Figure("raw.multi10.c8.both", "raw Npgsql, 10 events per transaction, 8 callers into each cluster at once", "events/s", sum,
                Notes: string.Join("; ", both.Select((r, i) => $"{Names[i]} {Report.Num(r.EventsPerSecond)}/s"))));
        }
        finally
        {
            foreach (var bench in benches)
            {
                await bench.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Each database filled to half the run's rebuild size with copies of its provinces; then each
    /// database's daemon catching up on the copies, both at once, and each database rebuilt in turn.
    /// </summary>
    private async Task DaemonAndRebuildAsync()
    {
        var coordinator = silo.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        var half = options.RebuildEvents / databases.Length;
        foreach (var database in databases)
        {
            var original = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_events");
            var copies = (int)Math.Max(0, Math.Ceiling((half - original) / (double)original));
            Console.WriteLine($"  {database.Name}: {original:N0} events, copied {copies} times");
            await database.CopyProvincesAsync(copies);
        }

        const string progress = "SELECT COALESCE(max(last_seq_id), 0) FROM readiness.mt_event_progression WHERE name = 'province-roster:All'";
        var start = await Task.WhenAll(databases.Select(d => d.ScalarAsync(progress)));
        await coordinator.ResumeAsync();
        var resumed = Stopwatch.GetTimestamp() + (long)(30 * Stopwatch.Frequency);
        while ((await Task.WhenAll(databases.Select(d => d.ScalarAsync(progress)))).Zip(start).Any(p => p.First == p.Second) && Stopwatch.GetTimestamp() < resumed)
        {
            await Task.Delay(20);
        }
        var from = await Task.WhenAll(databases.Select(d => d.ScalarAsync(progress)));
        var t0 = Stopwatch.GetTimestamp();
        await Task.Delay(options.CatchUpWindow);
        var reached = await Task.WhenAll(databases.Select(d => d.ScalarAsync(progress)));
        var seconds = Latencies.Since(t0) / 1000;
        await coordinator.PauseAsync();
        for (var i = 0; i < databases.Length; i++)
        {
            rates[$"daemon.catchup.{Names[i]}"] = (reached[i] - from[i]) / seconds;
            report.Add(new Figure($"daemon.catchup.{Names[i]}", $"async daemon catch-up in the {Names[i]} database, both daemons at once ({options.CatchUpWindow.TotalSeconds:F0} s window)",
                "events/s", (reached[i] - from[i]) / seconds, Samples: reached[i] - from[i]));
        }

        foreach (var name in Names)
        {
            Console.WriteLine($"  rebuilding in the {name} database (POST /api/admin/projections/rebuild?database={name})");
            var (ended, problem) = await silo.RebuildAsync($"?database={name}");
            if (ended is not { } status)
            {
                report.Problems.Add($"rebuild in {name} did not start: {problem}");
                continue;
            }
            if (status.State != RebuildState.Succeeded)
            {
                report.Problems.Add($"rebuild in {name} ended {status.State}: {status.Error}");
                continue;
            }
            rates[$"rebuild.{name}"] = status.EventsPerSecond;
            report.Add(new Figure($"rebuild.{name}", $"projection rebuild in the {name} database", "events/s", status.EventsPerSecond, Samples: status.TotalEvents,
                Notes: $"{status.ElapsedSeconds:F1} s, {status.DocumentsWritten:N0} documents"));
        }
        await coordinator.ResumeAsync();
    }

    private void Targets()
    {
        double Rate(string key) => rates.TryGetValue(key, out var r) ? r : double.NaN;
        var total = Rate("grains.c256");
        report.Targets.Add(new TargetRow("durable events through the grains over two databases, 256 callers", "(sizing: per database and per silo)",
            $"{Report.Num(total)} events/s ({Report.Num(Rate("grains.c256.main"))} main, {Report.Num(Rate("grains.c256.second"))} second)", null,
            $"raw ten-per-transaction: one cluster {Report.Num(Rate("raw.multi10.c8.one"))}/s, both {Report.Num(Rate("raw.multi10.c8.both"))}/s",
            $"{Report.Ratio(total, Rate("raw.multi10.c8.both"))} raw both; {Report.Ratio(Rate("raw.multi10.c8.both"), Rate("raw.multi10.c8.one"))} both/one (raw)"));
        report.Targets.Add(new TargetRow("daemon catch-up, each database's daemon at once", "(sizing)",
            $"main {Report.Num(Rate("daemon.catchup.main"))}/s, second {Report.Num(Rate("daemon.catchup.second"))}/s", null, "—", "—"));
        report.Targets.Add(new TargetRow("rebuild per database", "≥ 50,000 events/s",
            $"main {Report.Num(Rate("rebuild.main"))}/s, second {Report.Num(Rate("rebuild.second"))}/s",
            double.IsNaN(Rate("rebuild.main")) ? null : Rate("rebuild.main") >= 50_000 && Rate("rebuild.second") >= 50_000, "—", "—"));
    }

    private static string PerEvent(double seconds, double events) => events <= 0 ? "n/a" : (seconds * 1000 / events).ToString("0.00", CultureInfo.InvariantCulture);
}
