using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Store;
using Readiness.Store.Projections;

namespace Readiness.Benchmarks;

/// <summary>The phases of one run, in order, each adding its figures to the report.</summary>
public sealed class Benchmark(BenchOptions options, Report report)
{

    private BenchDatabase database = null!;
    private SiloRunner silo = null!;
    private CountryLoad country = null!;
    private DateTimeOffset pastMoment;
    private DateTimeOffset lastLoadEnded;
    private readonly Dictionary<int, (LoadRun Run, PhaseCost Cost, Latencies Lag, long Events)> levels = [];
    private readonly Dictionary<int, Latencies> liveLags = [];
    private readonly Dictionary<string, LoadRun> baselines = new(StringComparer.Ordinal);

    public async Task RunAsync()
    {
        Console.WriteLine("PostgreSQL: infra/postgres.sh start, and a database of this run's own");
        await using (database = await BenchDatabase.CreateAsync())
        {
            report.Machine = await Machine.DescribeAsync(database);
            Console.WriteLine($"  {database.Name} on {report.Machine.PostgreSql}");
            var t0 = Stopwatch.GetTimestamp();
            silo = await SiloRunner.StartAsync(database);
            try
            {
                report.Add(new Figure("silo.start", "silo start, schema applied, ready", "ms", Latencies.Since(t0)));
                if (options.IdleOnly)
                {
                    // --idle-only: the two figures of grains at rest, on a silo that has carried no load, to iterate on them in a minute.
                    await ColdActivationAsync();
                    await MemoryAsync();
                }
                else
                {
                    await SeedAsync();
                    await GrainThroughputAsync();
                }
                // --grains-only: the figures a profile of the command path needs, in a minute; the targets of the phases left out are not judged.
                if (!options.GrainsOnly && !options.IdleOnly)
                {
                    await ProfileAsync();
                    await BaselinesAsync();
                    await ViewQueriesAsync();
                    await ColdActivationAsync();
                    await MemoryAsync();
                    await RebuildAsync();
                }
            }
            finally
            {
                Console.WriteLine("Stopping the silo and dropping the database");
                await silo.DisposeAsync();
            }
        }
        Targets();
    }

    private async Task SeedAsync()
    {
        var shape = options.Shape;
        Console.WriteLine($"Seeding {shape.Provinces} provinces × {shape.DistrictsPerProvince} districts × {shape.CommunesPerDistrict} communes × {shape.UnitsPerCommune} units through the grains");
        country = new CountryLoad(shape, silo.Grains);
        var t0 = Stopwatch.GetTimestamp();
        await country.SeedAsync();
        var events = await database.HighestSequenceAsync();
        report.Add(new Figure("seed", $"seed: {country.Units:N0} units, {country.Posts:N0} duty posts, {shape.Provinces * shape.DistrictsPerProvince} exercises", "events",
            events, Notes: $"{Latencies.Since(t0) / 1000:F1} s, one province per caller"));
    }

    private async Task<(LoadRun Run, PhaseCost Cost, Latencies Lag, long Events)> LoadAsync(int callers, TimeSpan duration, bool probeLag)
    {
        var randoms = Enumerable.Range(0, callers).Select(i => new Random(1_000 + i)).ToArray();
        var before = await database.CountersAsync();
        var firstSequence = await database.HighestSequenceAsync();
        await using var probe = new LagProbe(database, country);
        var province = country.Provinces[0];
        await using var live = new LiveLagProbe(silo, database, province, country.ReportingUnitsIn(province));
        if (probeLag)
        {
            probe.Start();
            await live.StartAsync();
        }
        var run = await ClosedLoop.RunAsync(callers, duration, caller => country.SendOneAsync(randoms[caller]));
        lastLoadEnded = DateTimeOffset.UtcNow;
        var after = await database.CountersAsync();
        // The live probe's own commands are in the store's sequence too: at four a second, they are not counted apart.
        var events = await database.HighestSequenceAsync() - firstSequence;
        var lag = probeLag ? await probe.FinishAsync() : new Latencies();
        if (probeLag)
        {
            liveLags[callers] = await live.FinishAsync();
        }
        if (probe.TimedOut > 0)
        {
            report.Problems.Add($"{probe.TimedOut} lag probes at {callers} callers were not reached within 60 s");
        }
        if (live.TimedOut > 0 || live.Refused > 0)
        {
            report.Problems.Add($"live-feed probe at {callers} callers: {live.TimedOut} commands not seen on the stream within 60 s, {live.Refused} refused");
        }
        return (run, after.Since(before), lag, events);
    }

    private async Task GrainThroughputAsync()
    {
        Console.WriteLine($"Commands through the grains (warm-up {options.Warmup.TotalSeconds:F0} s, then {options.LevelDuration.TotalSeconds:F0} s per level)");
        await LoadAsync(64, options.Warmup, probeLag: false);
        foreach (var callers in options.CallerLevels)
        {
            var result = await LoadAsync(callers, options.LevelDuration, probeLag: true);
            if (callers == 64)
            {
                // A moment in the middle of the busiest stretch, for the as-of query.
                pastMoment = lastLoadEnded - options.LevelDuration / 2;
            }
            levels[callers] = result;
            var (run, cost, lag, events) = result;
            var rate = events / run.Seconds;
            report.Add(new Figure($"grains.c{callers}", $"grains: durable events/s and command latency, {callers} callers", "events/s", rate,
                run.Latency.P50, run.Latency.P99, run.Operations,
                $"{run.Failures} refused; CPU per event: PostgreSQL {PerEvent(cost.PostgresCpuSeconds, events)} ms, silo {PerEvent(cost.BenchmarkCpuSeconds, events)} ms; " +
                    $"{Per(cost.Commits, events)} transactions/event; {Per(cost.AllocatedBytes / 1024.0, events)} KiB allocated/event"));
            report.Add(new Figure($"lag.c{callers}", $"projection lag (ack → province roster), {callers} callers", "ms", lag.Mean, lag.P50, lag.P99, lag.Count));
            var seen = liveLags[callers];
            report.Add(new Figure($"live.c{callers}", $"live-feed lag (HTTP 2xx → SSE carrying it), {callers} callers", "ms", seen.Mean, seen.P50, seen.P99, seen.Count,
                $"province {country.Provinces[0]}, a command over HTTP four times a second"));
            report.Evidence[$"grains.c{callers}.server"] = cost;
        }
    }

    /// <summary>
    /// A separate pass at 64 callers, so the measured levels carry no sampling overhead: which
    /// statements keep PostgreSQL busy, which tables each event writes, and (with --trace and
    /// dotnet-trace installed) where this process's threads spend their time.
    /// </summary>
    private async Task ProfileAsync()
    {
        Console.WriteLine($"Profile pass: 64 callers, {options.ProfileDuration.TotalSeconds:F0} s, sampling pg_stat_activity every 20 ms");
        var tablesBefore = await ActivitySampler.TablesAsync(database);
        var firstSequence = await database.HighestSequenceAsync();
        await using var sampler = new ActivitySampler(database);
        sampler.Start();
        var tool = options.Trace ? ThreadSampler.Find() : null;
        var tracePath = Path.Combine(options.OutDirectory, $"profile-{options.Mode}.nettrace");
        if (options.Trace && tool is null)
        {
            report.Problems.Add("--trace asks for dotnet-trace, which is not installed (dotnet tool restore installs the repository's)");
        }
        Directory.CreateDirectory(options.OutDirectory);
        using var trace = tool is null ? null : ThreadSampler.Start(tool, tracePath, options.ProfileDuration);
        var randoms = Enumerable.Range(0, 64).Select(i => new Random(5_000 + i)).ToArray();
        var run = await ClosedLoop.RunAsync(64, options.ProfileDuration, caller => country.SendOneAsync(randoms[caller]));
        var activity = await sampler.FinishAsync();
        var events = await database.HighestSequenceAsync() - firstSequence;
        // Table statistics reach the shared view at most once a second after a transaction.
        await Task.Delay(1_500);
        var tables = ActivitySampler.PerEvent(tablesBefore, await ActivitySampler.TablesAsync(database), events);
        var sizes = await database.TextAsync(
            """
            SELECT json_build_object(
              'rosterPartBytes', (SELECT avg(pg_column_size(data))::int FROM readiness.mt_doc_provinceroster),
              'rosterPartBytesMax', (SELECT max(pg_column_size(data))::int FROM readiness.mt_doc_provinceroster),
              'eventDataBytes', (SELECT avg(pg_column_size(data))::int FROM readiness.mt_events),
              'eventHeaderBytes', (SELECT avg(pg_column_size(headers))::int FROM readiness.mt_events))::text
            """);
        report.Evidence["profile"] = new { callers = 64, seconds = run.Seconds, events, eventsPerSecond = events / run.Seconds, activity,
            tablesPerEvent = tables, storedSizes = JsonDocument.Parse(sizes).RootElement };
        Console.WriteLine($"  {events / run.Seconds:F0} events/s while sampled; stored sizes {sizes}");
        if (trace is not null)
        {
            await trace.WaitForExitAsync();
            if (File.Exists(tracePath))
            {
                report.Evidence["threadTimeExclusive"] = await ThreadSampler.TopAsync(tool!, tracePath, 30, inclusive: false);
                report.Evidence["threadTimeInclusive"] = await ThreadSampler.TopAsync(tool!, tracePath, 60, inclusive: true);
            }
        }
    }

    private static string Per(double part, double whole) => whole <= 0 ? "n/a" : (part / whole).ToString("0.00", CultureInfo.InvariantCulture);

    private static string PerEvent(double seconds, double events) => events <= 0 ? "n/a" : (seconds * 1000 / events).ToString("0.00", CultureInfo.InvariantCulture);

    private async Task BaselinesAsync()
    {
        Console.WriteLine($"Baselines without Orleans ({options.BaselineDuration.TotalSeconds:F0} s each)");
        var samples = await Baselines.SampleAsync(database);
        report.Evidence["eventSample"] = Baselines.Describe(samples);
        await using var bench = new Baselines(database, samples);
        await bench.CreateRawTablesAsync();
        var d = options.BaselineDuration;
        await Baseline("raw.single.c8", "raw Npgsql, 1 event per transaction, 8 callers", () => bench.RawSingleAsync(8, d));
        await Baseline("raw.single.c64", "raw Npgsql, 1 event per transaction, 64 callers", () => bench.RawSingleAsync(64, d));
        await Baseline("raw.multi10.c8", "raw Npgsql, 10 events per transaction (multi-row), 8 callers", () => bench.RawMultiRowAsync(8, 10, d));
        await Baseline("raw.copy1000.c2", "raw Npgsql, COPY 1,000 events per transaction, 2 callers", () => bench.RawCopyAsync(2, 1_000, d));
        await StoragePathsAsync(samples, d);
    }

    /// <summary>
    /// The project's append path and Marten's quick append, in turn at the same concurrency on the same
    /// sampled events, in a migrated database of their own (<see cref="StoragePaths"/>).
    /// </summary>
    private async Task StoragePathsAsync(IReadOnlyList<StoredEvent> samples, TimeSpan d)
    {
        Console.WriteLine("The project's append path beside Marten's quick append (a migrated database of their own)");
        await using var paths = await StoragePaths.CreateAsync(samples);
        await Baseline("marten.single.c8", "Marten quick append, 1 event per session, 8 callers", () => paths.MartenQuickAsync(8, 1, d), paths.Database);
        await Baseline("store.single.c8", "project's append (group commit), 1 event per call, 8 callers", () => paths.StoreGroupedAsync(8, d), paths.Database);
        await Baseline("marten.single.c64", "Marten quick append, 1 event per session, 64 callers", () => paths.MartenQuickAsync(64, 1, d), paths.Database);
        await Baseline("store.single.c64", "project's append (group commit), 1 event per call, 64 callers", () => paths.StoreGroupedAsync(64, d), paths.Database);
        await Baseline("store.direct.c64", "project's append function, 1 event per transaction, 64 callers", () => paths.StoreDirectAsync(64, 1, d), paths.Database);
        await Baseline("marten.batch10.c8", "Marten quick append, 10 events (10 streams) per session, 8 callers", () => paths.MartenQuickAsync(8, 10, d), paths.Database);
        await Baseline("store.batch10.c8", "project's append function, 10 events (10 streams) per transaction, 8 callers", () => paths.StoreDirectAsync(8, 10, d), paths.Database);
        report.Evidence["storagePaths.rows"] = JsonDocument.Parse(await paths.RowsAsync()).RootElement;
        foreach (var (store, marten) in AppendPairs)
        {
            Console.WriteLine($"  {store} ÷ {marten}: {Report.Ratio(baselines[store].EventsPerSecond, baselines[marten].EventsPerSecond)}");
        }
    }

    /// <summary>Each figure of the project's append path and the figure of Marten's own path it is weighed against.</summary>
    private static readonly (string Store, string Marten)[] AppendPairs =
    [
        ("store.single.c8", "marten.single.c8"),
        ("store.single.c64", "marten.single.c64"),
        ("store.direct.c64", "marten.single.c64"),
        ("store.batch10.c8", "marten.batch10.c8"),
    ];

    /// <summary>Runs a baseline and reports its rate with what it cost the database <paramref name="where"/> it writes to (the run's by default).</summary>
    private async Task Baseline(string key, string label, Func<Task<LoadRun>> run, BenchDatabase? where = null)
    {
        where ??= database;
        var before = await where.CountersAsync();
        var result = await run();
        var cost = (await where.CountersAsync()).Since(before);
        baselines[key] = result;
        report.Evidence[key + ".server"] = cost;
        report.Add(new Figure(key, label, "events/s", result.EventsPerSecond, result.Latency.P50, result.Latency.P99, result.Operations,
            $"{result.Failures} failed; CPU per event: PostgreSQL {PerEvent(cost.PostgresCpuSeconds, result.Events)} ms, client " +
                $"{PerEvent(cost.BenchmarkCpuSeconds, result.Events)} ms (with the idle silo); " +
                $"" +
                $"{Per(cost.Commits, result.Events)} transactions/event"));
    }

    private async Task ViewQueriesAsync()
    {
        var province = country.Provinces[0];
        Console.WriteLine($"Province view queries ({province}: {options.Shape.UnitsPerProvince} units)");
        await WaitForDaemonAsync(await database.HighestSequenceAsync(), TimeSpan.FromMinutes(2));
        var live = new Uri($"/api/provinces/{province}/readiness", UriKind.Relative);
        var past = new Uri($"/api/provinces/{province}/readiness?asOf={Uri.EscapeDataString(pastMoment.ToString("O", CultureInfo.InvariantCulture))}", UriKind.Relative);
        var liveRun = await TimeQueriesAsync(live, options.LiveQueries);
        report.Add(new Figure("view.live", "province view, live (GET …/readiness)", "ms", liveRun.Latency.Mean, liveRun.Latency.P50, liveRun.Latency.P99, liveRun.Count,
            $"{liveRun.Bytes:N0} bytes"));
        var pastRun = await TimeQueriesAsync(past, options.PastQueries);
        report.Add(new Figure("view.asof", $"province view as of {pastMoment:HH:mm:ss} (during the 64-caller load)",
            "ms", pastRun.Latency.Mean, pastRun.Latency.P50, pastRun.Latency.P99, pastRun.Count,
            $"{pastRun.Bytes:N0} bytes"));

        // The baseline: the province's roster parts themselves, read with Npgsql, without composing, rating or HTTP.
        var raw = new Latencies();
        for (var i = 0; i < options.LiveQueries; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            await using var command = database.Superuser.CreateCommand("SELECT data::text FROM readiness.mt_doc_provinceroster WHERE province_id = @id");
            command.Parameters.AddWithValue("id", province);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                _ = reader.GetString(0);
            }
            raw.Add(Latencies.Since(t0));
        }
        report.Add(new Figure("view.raw", "baseline: the roster's parts read with Npgsql", "ms", raw.Mean, raw.P50, raw.P99, raw.Count));
    }

    private async Task<(Latencies Latency, int Count, long Bytes)> TimeQueriesAsync(Uri uri, int count)
    {
        var latency = new Latencies();
        long bytes = 0;
        for (var i = 0; i < count; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            using var response = await silo.Http.GetAsync(uri);
            var body = await response.Content.ReadAsByteArrayAsync();
            latency.Add(Latencies.Since(t0));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                report.Problems.Add($"GET {uri} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)[..Math.Min(200, body.Length)]}");
                break;
            }
            bytes = body.Length;
        }
        return (latency, latency.Count, bytes);
    }

    /// <summary>Deactivates every idle grain and waits until the silo's activation count has held still for half a second; that count.</summary>
    private async Task<int> DeactivateAllAsync()
    {
        var management = silo.Grains.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        // Deactivation goes on after the call returns, and a count polled once may not have begun to fall.
        var last = await management.GetTotalActivationCount();
        for (int i = 0, still = 0; i < 200 && still < 5; i++)
        {
            await Task.Delay(100);
            var count = await management.GetTotalActivationCount();
            still = count == last ? still + 1 : 0;
            last = count;
        }
        return last;
    }

    /// <summary>A p99 needs a hundred samples to mean anything: each stream is activated cold this many times over, in rounds.</summary>
    private const int MinColdSamples = 100;

    /// <summary>Rounds of the memory figure that must count, and how many may be run to find them.</summary>
    private const int MemoryRounds = 5;

    private const int MaxMemoryRounds = 12;

    private const int MemoryDistricts = 100;

    private static string MemoryUnit(string province, int i) => $"{province}/d{i % MemoryDistricts}/c0/u{i}";

    private async Task ColdActivationAsync()
    {
        var n = options.ColdStreams;
        var length = options.ColdStreamLength;
        Console.WriteLine($"Cold activation: {n} unit streams of {length:N0} events");
        const string province = CountryLoad.ProvincePrefix + "cold";
        var at = DateTimeOffset.UtcNow.AddDays(-200);
        var units = Enumerable.Range(0, n).Select(i => $"{province}/d0/c{i}").ToArray();
        await Must(new RegisterUnit(Guid.NewGuid().ToString(), province, "Tỉnh", Echelon.Province, null, 100, at));
        await Must(new RegisterUnit(Guid.NewGuid().ToString(), $"{province}/d0", "Huyện", Echelon.District, null, 40, at));
        await Task.WhenAll(units.Select(unit => Task.Run(async () =>
        {
            await Must(new RegisterUnit(Guid.NewGuid().ToString(), unit, "Xã", Echelon.Commune, null, 12, at));
            for (var i = 1; i < length; i++)
            {
                await Must(new RecordOutreachSession(Guid.NewGuid().ToString(), unit, "Luật Quốc phòng", 20 + i % 50, at.AddMinutes(i)));
            }
        })));

        var cold = new Latencies();
        var warm = new Latencies();
        // Each round deactivates every grain first, so every unit is cold again: more samples than
        // streams. The first round only warms up (the snapshot's types are compiled on first use) and is not counted.
        var rounds = (MinColdSamples + n - 1) / n;
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var unit in units)
            {
                if (unit == units[0])
                {
                    await DeactivateAllAsync();
                }
                if (round == 0)
                {
                    await silo.Grains.GetGrain<IUnitGrain>(unit).GetProfile();
                    continue;
                }
                var grain = silo.Grains.GetGrain<IUnitGrain>(unit);
                var t0 = Stopwatch.GetTimestamp();
                var profile = await grain.GetProfile();
                cold.Add(Latencies.Since(t0));
                if (profile?.Version != length)
                {
                    report.Problems.Add($"{unit} activated at version {profile?.Version}, expected {length}");
                }
                t0 = Stopwatch.GetTimestamp();
                await grain.GetProfile();
                warm.Add(Latencies.Since(t0));
            }
        }
        report.Add(new Figure("activation.cold", $"grain cold activation, stream of {length:N0} events (first call)", "ms", cold.Mean, cold.P50, cold.P99, cold.Count,
            $"from the newest snapshot (one per {Readiness.Grains.Actors.EventSourcedGrain<object>.SnapshotEvery} events) and the events after it"));
        report.Add(new Figure("activation.warm", "the same grain's next call (activated)", "ms", warm.Mean, warm.P50, warm.P99, warm.Count));

        // Baselines: the same streams read by plain Marten, and by Npgsql as rows.
        var store = silo.Services.GetRequiredService<IDocumentStore>();
        var marten = new Latencies();
        var raw = new Latencies();
        foreach (var unit in units)
        {
            var t0 = Stopwatch.GetTimestamp();
            await using (var session = store.QuerySession())
            {
                _ = await session.Events.FetchStreamAsync(unit);
            }
            marten.Add(Latencies.Since(t0));
            t0 = Stopwatch.GetTimestamp();
            await using var command = database.Superuser.CreateCommand("SELECT data::text, headers::text FROM readiness.mt_events WHERE stream_id = @s ORDER BY version");
            command.Parameters.AddWithValue("s", unit);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                _ = reader.GetString(0);
            }
            raw.Add(Latencies.Since(t0));
        }
        report.Add(new Figure("activation.marten", $"baseline: plain Marten FetchStream of {length:N0} events", "ms", marten.Mean, marten.P50, marten.P99, marten.Count));
        report.Add(new Figure("activation.raw", $"baseline: Npgsql read of the {length:N0} rows", "ms", raw.Mean, raw.P50, raw.P99, raw.Count));
    }

    private async Task Must(ICommand command)
    {
        var result = await silo.Grains.Execute(command);
        if (!result.Accepted)
        {
            throw new InvalidOperationException($"{command.GetType().Name} for {result.StreamId} was refused: {result.Rejection?.Message}");
        }
    }

    private static long Heap()
    {
        // The large-object heap is not compacted by default: objects freed there leave holes that a later reading may or may not count.
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private async Task MemoryAsync()
    {
        var n = options.MemoryGrains;
        Console.WriteLine($"Memory: {n:N0} unit grains, each with its registration");
        const string province = CountryLoad.ProvincePrefix + "mem";
        var at = DateTimeOffset.UtcNow.AddDays(-100);
        await Must(new RegisterUnit(Guid.NewGuid().ToString(), province, "Tỉnh", Echelon.Province, null, 100, at));
        // Spread over a hundred districts, as a country's units are: the roster keeps a part per district, and all of
        // them in one made a part of megabytes that the background readers (the upward reporter's rating, the roster
        // checkpoints) read and wrote through 4–8 MiB pooled buffers while the heap was read, spoiling most rounds.
        await Parallel.ForEachAsync(Enumerable.Range(0, MemoryDistricts), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (d, _) =>
        {
            await Must(new RegisterUnit(Guid.NewGuid().ToString(), $"{province}/d{d}", "Huyện", Echelon.District, null, 40, at));
            await Must(new RegisterUnit(Guid.NewGuid().ToString(), $"{province}/d{d}/c0", "Xã", Echelon.Commune, null, 12, at));
        });
        var units = Enumerable.Range(0, n).Select(i => MemoryUnit(province, i)).ToArray();
        await Parallel.ForEachAsync(units, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (unit, _) =>
            await Must(new RegisterUnit(Guid.NewGuid().ToString(), unit, "Trung đội", Echelon.ForceUnit, unit[..unit.LastIndexOf('/')], 30, at)));

        // The daemon folds those registrations into parts it keeps in memory, a copy per batch: the heap moves
        // under the readings until it has caught up, so it catches up first and is paused while they are taken.
        await WaitForDaemonAsync(await database.HighestSequenceAsync(), TimeSpan.FromSeconds(60));
        var coordinator = silo.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        try
        {
            // So does the Merkle log's writer, which reads the events behind it 5,000 at a time: a batch
            // in hand is megabytes that come and go between two readings (a round's heap rose by 20 MiB
            // while its grains were deactivated). It has caught up, and its lock is held, as another silo's writer would hold it.
            await using var log = await QuietLogAsync();
            // And the roster checkpointer, which copies every province's roster once 10,000 events were recorded after
            // its last set, every minute: the copies passed 24–46 MiB through the heap under a round. Brought up to date
            // here, its passes during the readings find nothing due.
            var history = silo.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Readiness.Silo.Hosting.ReadinessOptions>>().Value.History;
            await silo.Services.GetRequiredService<Readiness.Silo.Audit.RosterCheckpointer>().RefreshAllAsync(history.CheckpointEvery, CancellationToken.None);
            await MeasureMemoryAsync(province, at, units);
        }
        finally
        {
            await coordinator.ResumeAsync();
        }
    }

    /// <summary>Waits until the Merkle log covers every stored event, then holds its writer's lock until disposed.</summary>
    private async Task<IAsyncDisposable> QuietLogAsync()
    {
        var main = silo.Services.GetRequiredService<ProvinceDatabases>().Main;
        var highest = await database.HighestSequenceAsync();
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        while ((await main.Events.LogEndAsync(CancellationToken.None)).LastSequence < highest && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        if ((await main.Events.LogEndAsync(CancellationToken.None)).LastSequence < highest)
        {
            report.Problems.Add($"memory: the Merkle log did not reach sequence {highest} within two minutes");
        }
        var connection = await main.DataSource.OpenConnectionAsync();
        return new HeldLog(connection, await Readiness.Silo.Hosting.AdvisoryLock.AcquireAsync(connection, Readiness.Silo.Hosting.AdvisoryLockKey.MerkleLog, CancellationToken.None));
    }

    private sealed class HeldLog(Npgsql.NpgsqlConnection connection, IAsyncDisposable held) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await held.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    private async Task MeasureMemoryAsync(string province, DateTimeOffset at, string[] units)
    {
        var n = units.Length;
        // Each round's figure is the heap with the grains active less the heap once those same grains are
        // gone. The process hosts a whole silo, and between two compacting collections more than the grains
        // moves: the shared array pools let go of arrays unused for a minute (9 MiB at once after the cold
        // activations' large reads), and a few MiB come and stay now and then. A round counts only when nothing
        // else moved: the heap came back to where it stood before the grains, and the pools neither took nor
        // let go of arrays beyond a trace; rounds go on until enough count, or fail. The first round only warms
        // up (the catalogue's tables grow to hold the grains once, code is compiled) and is not counted.
        var management = silo.Grains.GetGrain<IManagementGrain>(0);
        var rounds = new List<MemoryRound>();
        using var pools = new PooledArrays();
        for (var round = 0; round <= MaxMemoryRounds && rounds.Count(r => r.Clean) < MemoryRounds; round++)
        {
            var idle = await DeactivateAllAsync();
            var pooled = pools.Bytes;
            var heapBefore = Heap();
            await Parallel.ForEachAsync(units, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (unit, _) =>
                await silo.Grains.GetGrain<IUnitGrain>(unit).GetProfile());
            var heapWith = Heap();
            var count = await management.GetTotalActivationCount() - idle;
            var left = await DeactivateAllAsync() - idle;
            var heapGone = Heap();
            var measured = new MemoryRound(heapWith, heapGone, heapBefore, count, left, pools.Bytes - pooled);
            Console.WriteLine($"  round {round}: heap {heapBefore / 1048576.0:F2} → {heapWith / 1048576.0:F2} → {heapGone / 1048576.0:F2} MiB, {count:N0} activated, " +
                $"{left} left, {measured.Pooled / 1048576.0:F2} MiB through the array pools: {measured.PerGrain:F0} bytes a grain{(measured.Clean ? "" : " (not counted)")}");
            if (round > 0)
            {
                rounds.Add(measured);
            }
        }
        var counted = rounds.Where(r => r.Clean).ToList();
        var median = counted.Count > 0 ? counted.OrderBy(r => r.PerGrain).ElementAt(counted.Count / 2) : rounds.OrderBy(r => r.PerGrain).ElementAt(rounds.Count / 2);

        // What the state alone takes: registrations of units named like those grains, folded by the pure
        // rules outside Orleans. The silo beside it allocates and frees hundreds of kilobytes between two
        // heap readings, which is the whole of 2,000 states, so ten times as many are measured. Once:
        // repeated in this process, the second reading came out near zero (1 byte a state against 122–228
        // in the first), for a reason not found, so no median of rounds is taken.
        var stateCount = n * 10;
        var stateBefore = Heap();
        var states = Enumerable.Range(0, stateCount).Select(i => MemoryUnit(province, i)).Select(u => UnitRules.Evolve(UnitState.Initial(u),
            new UnitRegistered(u, "Trung đội", Echelon.ForceUnit, u[..u.LastIndexOf('/')], 30, at))).ToArray();
        var stateAfter = Heap();
        GC.KeepAlive(states);
        var perState = (stateAfter - stateBefore) / (double)stateCount;
        static string Bytes(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)));
        report.Add(new Figure("memory.grain", "memory per activated unit grain (GC heap with them − heap once they are gone) / activations", "bytes", median.PerGrain,
            Samples: median.Activated,
            Notes: $"median of {counted.Count} rounds counted of {rounds.Count} after a warm-up ({Bytes(counted.Select(r => r.PerGrain))} bytes; not counted, as something " +
                $"else moved the heap: {(rounds.All(r => r.Clean) ? "none" : Bytes(rounds.Where(r => !r.Clean).Select(r => r.PerGrain)))}); " +
                $"heap {median.Gone / 1048576.0:F1} → {median.With / 1048576.0:F1} MiB"));
        report.Add(new Figure("memory.state", "of which its state (the same fold outside Orleans)", "bytes", perState, Samples: stateCount));
        report.Add(new Figure("memory.beyond", "memory per grain beyond its state", "bytes", median.PerGrain - perState, Samples: median.Activated));
        if (MemoryProblem(rounds, perState, n) is { } problem)
        {
            report.Problems.Add($"memory: {problem}");
        }
    }

    /// <summary>
    /// One round of the memory figure: the heap with the grains active, once they were gone and before they
    /// were activated, and the bytes the shared array pools allocated or trimmed meanwhile.
    /// </summary>
    internal sealed record MemoryRound(long With, long Gone, long Before, int Activated, int Left, long Pooled)
    {
        public double PerGrain => Activated > 0 ? (With - Gone) / (double)Activated : double.NaN;

        /// <summary>
        /// Nothing but the grains moved the heap: it came back within a tenth of their bytes to where it stood, and the pools
        /// moved less than a twentieth of them.
        /// </summary>
        public bool Clean => With > Gone && Math.Abs(Gone - Before) <= 0.1 * (With - Gone) && Pooled <= 0.05 * (With - Gone);
    }

    /// <summary>
    /// Why the memory figures cannot be believed, or null: fewer rounds in which nothing else moved the heap
    /// than asked for, a heap that shrank, counted rounds that disagree by more than a quarter of their median,
    /// fewer activations than grains or grains left active after the round, or a state bigger than the grain
    /// that holds it are a failed measurement, never a target met.
    /// </summary>
    internal static string? MemoryProblem(IReadOnlyList<MemoryRound> rounds, double perState, int grains)
    {
        static string Bytes(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)));
        var counted = rounds.Where(r => r.Clean).ToList();
        if (counted.Count < MemoryRounds)
        {
            return $"in {rounds.Count - counted.Count} of {rounds.Count} rounds something beside the grains moved the heap, leaving {counted.Count} of the " +
                $"{MemoryRounds} needed (rounds {Bytes(rounds.Select(r => r.PerGrain))} bytes a grain)";
        }
        var perGrain = counted.Select(r => r.PerGrain).ToList();
        if (perGrain.Any(r => double.IsNaN(r) || r <= 0) || perState <= 0)
        {
            return $"a heap delta was not positive (rounds {Bytes(perGrain)} bytes, state {perState:F0} bytes)";
        }
        if (counted.FirstOrDefault(r => r.Activated < grains || r.Left > 0) is { } missing)
        {
            return $"{missing.Activated:N0} activations for {grains:N0} grains, {missing.Left:N0} still active after their deactivation";
        }
        var median = perGrain.Order().ElementAt(perGrain.Count / 2);
        if (perState >= median)
        {
            return $"the state ({perState:F0} bytes) came out no smaller than the grain that holds it ({median:F0} bytes)";
        }
        var spread = (perGrain.Max() - perGrain.Min()) / median;
        return spread > 0.25 ? $"the rounds disagree by {spread:P0} of their median ({Bytes(perGrain)} bytes)" : null;
    }

    private async Task WaitForDaemonAsync(long sequence, TimeSpan patience)
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var position = await database.ScalarAsync("SELECT COALESCE(max(last_seq_id), 0) FROM readiness.mt_event_progression WHERE name = 'province-roster:All'");
            if (position >= sequence)
            {
                return;
            }
            await Task.Delay(50);
        }
        report.Problems.Add($"the province roster did not reach sequence {sequence} within {patience.TotalSeconds:F0} s");
    }

    private async Task RebuildAsync()
    {
        var original = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_events");
        var copies = (int)Math.Max(0, Math.Ceiling((options.RebuildEvents - original) / (double)original));
        Console.WriteLine($"Rebuild: {original:N0} events written through the grains, copied {copies} times into provinces of their own (SQL)");
        // The live daemon is paused while the copies go in, so the rebuild has the machine to itself;
        // it runs for a few seconds in between to measure how fast it catches up.
        var coordinator = silo.Services.GetRequiredService<IProjectionCoordinator>();
        await coordinator.PauseAsync();
        var t0 = Stopwatch.GetTimestamp();
        await database.CopyProvincesAsync(copies);
        var total = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_events");
        var high = await database.HighestSequenceAsync();
        var copied = total - original;
        report.Add(new Figure("rebuild.copy", "baseline: events copied by INSERT … SELECT", "events/s", copied / (Latencies.Since(t0) / 1000), Samples: copied));

        const string progress = "SELECT COALESCE(max(last_seq_id), 0) FROM readiness.mt_event_progression WHERE name = 'province-roster:All'";
        var start = await database.ScalarAsync(progress);
        await coordinator.ResumeAsync();
        // Timed from the agent's first committed batch, so its start-up does not count.
        var resumed = Stopwatch.GetTimestamp() + (long)(30 * Stopwatch.Frequency);
        long first;
        while ((first = await database.ScalarAsync(progress)) == start && Stopwatch.GetTimestamp() < resumed)
        {
            await Task.Delay(20);
        }
        t0 = Stopwatch.GetTimestamp();
        await Task.Delay(options.CatchUpWindow);
        var reached = await database.ScalarAsync(progress);
        var seconds = Latencies.Since(t0) / 1000;
        await coordinator.PauseAsync();
        start = first;
        report.Add(new Figure("daemon.catchup", $"async daemon catch-up, province roster ({options.CatchUpWindow.TotalSeconds:F0} s window)", "events/s",
            (reached - start) / seconds, Samples: reached - start));

        // Raw read: every event's JSON in sequence order, the floor under any rebuild.
        t0 = Stopwatch.GetTimestamp();
        long read = 0;
        await using (var command = database.Superuser.CreateCommand("SELECT seq_id, stream_id, version, type, data::text, headers::text FROM readiness.mt_events ORDER BY seq_id"))
        {
            command.CommandTimeout = 600;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                _ = reader.GetString(4);
                read++;
            }
        }
        report.Add(new Figure("rebuild.rawread", "baseline: Npgsql read of every event in order", "events/s", read / (Latencies.Since(t0) / 1000), Samples: read));

        Console.WriteLine($"  rebuilding all projections over {total:N0} events (POST /api/admin/projections/rebuild)");
        var (ended, problem) = await silo.RebuildAsync("");
        if (ended is not { } status)
        {
            report.Problems.Add($"rebuild did not start: {problem}");
            return;
        }
        if (status.State != RebuildState.Succeeded)
        {
            report.Problems.Add($"rebuild ended {status.State}: {status.Error}");
            return;
        }
        report.Add(new Figure("rebuild.all", $"projection rebuild, every projection", "events/s", status.EventsPerSecond, Samples: status.TotalEvents,
            Notes: $"{status.ElapsedSeconds:F1} s, {status.DocumentsWritten:N0} documents"));
        await MartenRebuildAsync(coordinator, status.DocumentsWritten);
        await coordinator.ResumeAsync();
    }

    /// <summary>
    /// Marten's own rebuild of the province roster over the same store, just after the project's
    /// (the silo's ProjectionRebuilder: a fold in memory and a swap), timed from call to return as the project's
    /// job times itself; then the two ways of moving the daemon's progress row.
    /// </summary>
    private async Task MartenRebuildAsync(IProjectionCoordinator coordinator, long documents)
    {
        const string progress = "SELECT COALESCE(max(last_seq_id), 0) FROM readiness.mt_event_progression WHERE name = 'province-roster:All'";
        Console.WriteLine("  Marten's own rebuild of the province roster (IProjectionDaemon.RebuildProjectionAsync)");
        await coordinator.PauseAsync();
        var daemon = coordinator.DaemonForMainDatabase();
        var budget = options.MartenRebuildBudget ?? TimeSpan.FromMinutes(30);
        using var stopAtBudget = new CancellationTokenSource(budget);
        var t0 = Stopwatch.GetTimestamp();
        var finished = true;
        try
        {
            await daemon.RebuildProjectionAsync(ProvinceRosterProjection.ProjectionName, TimeSpan.FromMinutes(30), stopAtBudget.Token);
        }
        catch (OperationCanceledException) when (stopAtBudget.IsCancellationRequested)
        {
            finished = false;
        }
        var seconds = Latencies.Since(t0) / 1000;
        if (!finished)
        {
            // Unfinished at the budget: the whole store over the budget is more than it could have reached, so the
            // comparison with the project's rebuild is a lower bound on the gain, never flattering.
            var events = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_events");
            report.Add(new Figure("rebuild.marten", "Marten's own rebuild of the province roster (stopped at its budget)", "events/s", events / seconds, Samples: events,
                Notes: $"not finished after {seconds:F0} s: at most {events / seconds:N0} events/s over {events:N0} events; the roster's documents are deleted first, "
                    + "so views are empty or partial until it ends; the progress-row comparison is left to the quick and full modes"));
            return;
        }
        var reached = await database.ScalarAsync(progress);
        var replayed = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE seq_id <= @reached", ("reached", reached));
        var parts = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_doc_provinceroster");
        report.Add(new Figure("rebuild.marten", "Marten's own rebuild of the province roster", "events/s", replayed / seconds, Samples: replayed,
            Notes: $"{seconds:F1} s, {parts:N0} documents; the roster's documents are deleted first, so views are empty or partial until it ends"));
        if (parts != documents)
        {
            report.Problems.Add($"Marten's rebuild left {parts:N0} roster documents where the project's wrote {documents:N0}: the two did not rebuild the same thing");
        }

        // The project moves the progress row inside the transaction that swaps the documents in;
        // Marten's API for it (a rewind) stops the shard's agent, moves the row and starts the agent again.
        var swap = new Latencies();
        for (var i = 0; i < 20; i++)
        {
            var s0 = Stopwatch.GetTimestamp();
            await using var connection = await database.Superuser.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var at = await EventStore.LockProgressAsync(transaction, ProvinceRosterShard, CancellationToken.None);
            await EventStore.SetProgressAsync(transaction, ProvinceRosterShard, at ?? reached, exists: at is not null, CancellationToken.None);
            await transaction.CommitAsync();
            swap.Add(Latencies.Since(s0));
        }
        report.Add(new Figure("progress.store", "progress row moved in the swap's transaction (EventStore.SetProgressAsync)", "ms", swap.Mean, swap.P50, swap.P99, swap.Count));
        var rewind = new Latencies();
        for (var i = 0; i < 5; i++)
        {
            var r0 = Stopwatch.GetTimestamp();
            await daemon.RewindSubscriptionAsync(ProvinceRosterProjection.ProjectionName, CancellationToken.None, sequenceFloor: reached);
            rewind.Add(Latencies.Since(r0));
        }
        report.Add(new Figure("progress.marten", "progress row moved by Marten (IProjectionDaemon.RewindSubscriptionAsync)", "ms", rewind.Mean, rewind.P50, rewind.P99, rewind.Count,
            "stops the shard's agent, moves the row in a transaction of its own, starts the agent"));
    }

    private const string ProvinceRosterShard = ProvinceRosterProjection.ProjectionName + ":All";

    /// <summary>
    /// Whether each custom storage path gains enough over Marten's own to be worth keeping: at least
    /// a fifth more, in this run (docs/performance.md, "What the custom storage path gains").
    /// </summary>
    private void StoragePathTargets()
    {
        const double Worth = 1.2;
        foreach (var (store, marten) in AppendPairs)
        {
            var ours = baselines.GetValueOrDefault(store);
            var theirs = baselines.GetValueOrDefault(marten);
            // The function alone, one event a transaction, is what a lone append costs: the parts of the
            // path are shown, but only the path as the grains use it is judged.
            var judged = store != "store.direct.c64";
            report.Targets.Add(new TargetRow($"custom append ({store}) over Marten's quick append", judged ? $"≥ {Worth}× {marten}" : "— (a part of the path: the function without grouping)",
                ours is null ? "not measured" : $"{Report.Num(ours.EventsPerSecond)} events/s, p99 {Report.Ms(ours.Latency.P99)}",
                ours is null || theirs is null || !judged ? null : ours.EventsPerSecond >= Worth * theirs.EventsPerSecond,
                theirs is null ? "—" : $"{marten} {Report.Num(theirs.EventsPerSecond)}/s, p99 {Report.Ms(theirs.Latency.P99)}",
                ours is null || theirs is null ? "—" : Report.Ratio(ours.EventsPerSecond, theirs.EventsPerSecond)));
        }
        var swapped = report["rebuild.all"];
        var martens = report["rebuild.marten"];
        report.Targets.Add(new TargetRow("custom rebuild (fold and swap) over Marten's rebuild", $"≥ {Worth}× rebuild.marten",
            swapped is null ? "not measured" : $"{Report.Num(swapped.Value)} events/s over {swapped.Samples:N0} events",
            swapped is null || martens is null ? null : swapped.Value >= Worth * martens.Value,
            martens is null ? "—" : $"Marten {Report.Num(martens.Value)} events/s over {martens.Samples:N0} events",
            swapped is null || martens is null ? "—" : Report.Ratio(swapped.Value, martens.Value)));
        var edit = report["progress.store"];
        var rewind = report["progress.marten"];
        report.Targets.Add(new TargetRow("progress row moved directly over Marten's rewind", $"p50 ≤ 1/{Worth} of progress.marten",
            edit is null ? "not measured" : $"p50 {Report.Ms(edit.P50 ?? double.NaN)}",
            edit?.P50 is { } mine && rewind?.P50 is { } other ? mine * Worth <= other : null,
            rewind is null ? "—" : $"RewindSubscriptionAsync p50 {Report.Ms(rewind.P50 ?? double.NaN)}",
            edit is null || rewind is null ? "—" : $"{Report.Ratio(rewind.P50 ?? double.NaN, edit.P50 ?? double.NaN)} faster"));
    }

    private void Targets()
    {
        var busiest = levels.OrderByDescending(l => l.Value.Events / l.Value.Run.Seconds).Select(l => (int?)l.Key).FirstOrDefault();
        double Rate(string key) => baselines.TryGetValue(key, out var b) ? b.EventsPerSecond : double.NaN;
        string Rates(params string[] keys) => string.Join("; ", keys.Select(k => $"{k} {Report.Num(Rate(k))}/s"));
        string Ratios(double value, params string[] keys) => string.Join("; ", keys.Select(k => $"{Report.Ratio(value, Rate(k))} {k}"));

        if (busiest is { } c)
        {
            var (run, _, lag, events) = levels[c];
            var rate = events / run.Seconds;
            report.Targets.Add(new TargetRow("durable events acknowledged through the grains", "≥ 10,000 events/s and ≥ 0.6× raw.multi10.c8, p99 ≤ 50 ms",
                $"{Report.Num(rate)} events/s at {c} callers, p99 {Report.Ms(run.Latency.P99)}", rate >= 10_000 && rate >= 0.6 * Rate("raw.multi10.c8") && run.Latency.P99 <= 50,
                Rates("raw.single.c64", "raw.multi10.c8", "raw.copy1000.c2", "store.single.c64", "marten.single.c64", "marten.batch10.c8"),
                Ratios(rate, "raw.single.c64", "raw.multi10.c8", "raw.copy1000.c2", "store.single.c64", "marten.single.c64", "marten.batch10.c8")));
            report.Targets.Add(new TargetRow("projection lag at that load", "p99 ≤ 1 s", $"p99 {Report.Ms(lag.P99)} (p50 {Report.Ms(lag.P50)})",
                lag.Count > 0 ? lag.P99 <= 1_000 : null, "daemon polls every 50–200 ms", "—"));
        }
        if (!options.GrainsOnly && !options.IdleOnly)
        {
            StoragePathTargets();
        }
        var rebuild = report["rebuild.all"];
        var rawRead = report["rebuild.rawread"];
        var copy = report["rebuild.copy"];
        var catchup = report["daemon.catchup"];
        report.Targets.Add(new TargetRow("projection rebuild", "≥ 50,000 events/s",
            rebuild is null ? "not measured" : $"{Report.Num(rebuild.Value)} events/s over {rebuild.Samples:N0} events",
            rebuild is null ? null : rebuild.Value >= 50_000,
            $"Npgsql read {Report.Num(rawRead?.Value ?? double.NaN)}/s; INSERT…SELECT {Report.Num(copy?.Value ?? double.NaN)}/s; daemon catch-up {Report.Num(catchup?.Value ?? double.NaN)}/s",
            rebuild is null ? "—" : $"{Report.Ratio(rebuild.Value, rawRead?.Value ?? double.NaN)} read; {Report.Ratio(rebuild.Value, catchup?.Value ?? double.NaN)} daemon"));
        var live = report["view.live"];
        var past = report["view.asof"];
        var raw = report["view.raw"];
        report.Targets.Add(new TargetRow("province view query, live", "p99 ≤ 10 ms",
            live is null ? "not measured" : $"p99 {Report.Ms(live.P99 ?? double.NaN)} (p50 {Report.Ms(live.P50 ?? double.NaN)})",
            live?.P99 <= 10,
                raw is null ? "—" : $"document read p99 {Report.Ms(raw.P99 ?? double.NaN)}", live is null || raw is null ? "—" : Report.Ratio(live.P99 ?? double.NaN, raw.P99 ?? double.NaN)));
        report.Targets.Add(new TargetRow("province view query, as of a past time", "p99 ≤ 200 ms",
            past is null ? "not measured" : $"p99 {Report.Ms(past.P99 ?? double.NaN)} (p50 {Report.Ms(past.P50 ?? double.NaN)})",
            past?.P99 <= 200,
                raw is null ? "—" : $"document read p99 {Report.Ms(raw.P99 ?? double.NaN)}", past is null || raw is null ? "—" : Report.Ratio(past.P99 ?? double.NaN, raw.P99 ?? double.NaN)));
        var cold = report["activation.cold"];
        var marten = report["activation.marten"];
        var rawStream = report["activation.raw"];
        report.Targets.Add(new TargetRow($"grain cold activation, {options.ColdStreamLength:N0}-event stream", "≤ 10 ms with snapshots",
            cold is null ? "not measured" : $"p50 {Report.Ms(cold.P50 ?? double.NaN)}, p99 {Report.Ms(cold.P99 ?? double.NaN)} (with snapshots)", cold?.P99 <= 10,
            $"Marten FetchStream p50 {Report.Ms(marten?.P50 ?? double.NaN)}; Npgsql rows p50 {Report.Ms(rawStream?.P50 ?? double.NaN)}",
            cold is null ? "—" : $"{Report.Ratio(cold.P50 ?? double.NaN, marten?.P50 ?? double.NaN)} Marten; {Report.Ratio(cold.P50 ?? double.NaN, rawStream?.P50 ?? double.NaN)} Npgsql"));
        var beyond = report["memory.beyond"];
        var grain = report["memory.grain"];
        var state = report["memory.state"];
        var memoryFailed = report.Problems.FirstOrDefault(p => p.StartsWith("memory: ", StringComparison.Ordinal));
        report.Targets.Add(new TargetRow("memory per idle activated unit grain beyond its state", "≤ 2 KiB",
            beyond is null ? "not measured"
                : memoryFailed is not null ? $"measurement failed: {memoryFailed["memory: ".Length..]}"
                : $"{Report.Num(beyond.Value)} bytes ({Report.Num(grain?.Value ?? double.NaN)} in all)",
            memoryFailed is null ? beyond?.Value <= 2048 : null,
            $"state alone {Report.Num(state?.Value ?? double.NaN)} bytes", "—"));
    }
}

/// <summary>
/// The bytes the shared array pools allocated for their stock or trimmed from it, as their event source reports
/// them: arrays that outlive the call that rented them, and move the heap between two readings.
/// </summary>
internal sealed class PooledArrays : System.Diagnostics.Tracing.EventListener
{
    private long bytes;

    public long Bytes => Interlocked.Read(ref bytes);

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource eventSource)
    {
        if (eventSource.Name == "System.Buffers.ArrayPoolEventSource")
        {
            EnableEvents(eventSource, System.Diagnostics.Tracing.EventLevel.Informational);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is "BufferTrimmed" or "BufferAllocated" && eventData.Payload is { } payload && eventData.PayloadNames?.IndexOf("bufferSize") is >= 0 and var i)
        {
            Interlocked.Add(ref bytes, Convert.ToInt64(payload[i], CultureInfo.InvariantCulture));
        }
    }
}
