using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// Three silo processes on one database; one is SIGKILLed mid-load (the projection daemon's leader
/// when it can be found) and restarted. Afterwards nothing acknowledged is missing or doubled, every
/// stream is whole, the province view equals a rebuild, and refusals during the fault were clear.
/// READINESS_FAULT_LONG=1 runs two minutes of load instead of twenty seconds.
/// </summary>
public sealed class ClusterFaultTests : IAsyncLifetime
{
    private static readonly bool Long = Environment.GetEnvironmentVariable("READINESS_FAULT_LONG") == "1";

    private readonly List<SiloProcess> silos = [];
    private TestDatabase? database;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in silos)
        {
            silo.Kill();
        }
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Killing_a_silo_mid_load_loses_and_doubles_nothing_and_the_views_converge()
    {
        var loadTime = TimeSpan.FromSeconds(Long ? 120 : 20);
        var cluster = await PostgresCluster.EnsureStartedAsync();
        database = await cluster.CreateDatabaseAsync("fault");
        var clusterId = $"fault-{Guid.NewGuid():N}"[..20];
        for (var i = 0; i < 3; i++)
        {
            silos.Add(new SiloProcess(i + 1, database, clusterId));
        }
        // The first alone applies the schema; the other two then only join, so they may start together.
        var startup = Stopwatch.StartNew();
        silos[0].Start();
        await silos[0].WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        silos[1].Start();
        silos[2].Start();
        await Task.WhenAll(silos[1].WaitUntilReadyAsync(TimeSpan.FromSeconds(120)), silos[2].WaitUntilReadyAsync(TimeSpan.FromSeconds(120)));
        var startedIn = startup.Elapsed;

        var token = new TokenIssuer(TokenIssuer.KeyFrom(SiloHost.SigningKey), new AuthOptions(), TimeProvider.System)
            .Mint(new TokenRequest("fault-test", [Access.Everywhere], Access.Roles)).Token;
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var province = $"f{Guid.NewGuid():N}"[..10];
        var communes = Enumerable.Range(1, 8).Select(n => $"{province}/district-a/commune-{n}").ToArray();
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await FaultChecks.MustAcceptAsync(http, silos[0], new RegisterUnit(FaultChecks.NewId(), province, "Fault province", Echelon.Province, null, 100, at));
        await FaultChecks.MustAcceptAsync(http, silos[0], new RegisterUnit(FaultChecks.NewId(), $"{province}/district-a", "Fault district", Echelon.District, null, 20, at));
        foreach (var commune in communes)
        {
            await FaultChecks.MustAcceptAsync(http, silos[0], new RegisterUnit(FaultChecks.NewId(), commune, "Fault commune", Echelon.Commune, null, 1000, at));
        }

        var load = new CommandLoad(http, silos, communes, retryFor: TimeSpan.FromSeconds(15));
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 6).Select(n => Task.Run(() => load.RunClientAsync(n, clock, stop.Token))).ToArray();

        await Task.Delay(loadTime * 0.3);
        var (victim, leaderFound) = await DaemonLeaderAsync();
        var killedAt = clock.Elapsed;
        victim.Kill();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var restartedAt = clock.Elapsed;
        victim.Start();
        var remaining = loadTime - clock.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }
        await victim.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        var victimReadyAt = clock.Elapsed;
        // A few seconds with all three back, so that recovery can be seen rather than cut off.
        var tail = victimReadyAt + TimeSpan.FromSeconds(4) - clock.Elapsed;
        if (tail > TimeSpan.Zero)
        {
            await Task.Delay(tail);
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        var loadEnded = clock.Elapsed;

        var audit = await StoreAudit.TakeAsync(database, load.Acknowledged.Keys);
        var convergedIn = await database.RosterCatchesUpAsync(TimeSpan.FromSeconds(30))
            ?? throw new Xunit.Sdk.XunitException("The province view did not reach the store's last event within 30 s of the load ending.");
        var leaderAfter = await AdvisoryLockHolderAsync();
        var (viewsEqual, before, after, rebuiltIn) = await FaultChecks.ViewEqualsRebuildAsync(http, silos[1], silos[2], $"/api/provinces/{province}/readiness");

        var recovery = load.RecoveryTime(killedAt);
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Cluster fault test ({(Long ? "long" : "short")} form), {DateTimeOffset.UtcNow:u}")
            .AppendLine(CultureInfo.InvariantCulture, $"three silo processes ready in {startedIn.TotalSeconds:F1} s")
            .AppendLine(CultureInfo.InvariantCulture, $"fault: SIGKILL silo {victim.Number} ({(leaderFound ? "the daemon leader, found via pg_locks" : "daemon leader not found; any silo")}) at {killedAt.TotalSeconds:F1} s, restarted at {restartedAt.TotalSeconds:F1} s, ready again at {victimReadyAt.TotalSeconds:F1} s; load ended at {loadEnded.TotalSeconds:F1} s")
            .AppendLine(CultureInfo.InvariantCulture, $"daemon leader after the fault: {(leaderAfter is { } l ? $"silo {l}" : "not found")}")
            .AppendLine(CultureInfo.InvariantCulture, $"commands sent: {load.Sent}, attempts: {load.Attempts}, acknowledged: {audit.Acknowledged}, given up after retries: {load.GivenUp}")
            .AppendLine(CultureInfo.InvariantCulture, $"lost (acknowledged, not stored): {audit.Lost}; duplicated (command id stored twice): {audit.Duplicated}")
            .AppendLine(CultureInfo.InvariantCulture, $"streams: {audit.Streams}; with a gap or duplicate version: {audit.BrokenStreams}; mt_streams.version differing from the highest event version: {audit.StreamsOff}; Marten tombstones for failed appends: {audit.Tombstones}")
            .AppendLine(CultureInfo.InvariantCulture, $"province view reached the head (seq {audit.Head}) {convergedIn.TotalSeconds:F2} s after the load ended; equal to a rebuild from zero: {viewsEqual} (rebuild took {rebuiltIn.TotalSeconds:F2} s)")
            .AppendLine(CultureInfo.InvariantCulture, $"throughput before the fault: {load.Baseline(killedAt):F1} acks/s; recovered to 80 % of it {(recovery is { } r ? $"{r.TotalSeconds:F1} s after the kill" : "never during the load")}; with all three back: {load.Rate(victimReadyAt, loadEnded):F1} acks/s")
            .AppendLine(CultureInfo.InvariantCulture, $"refusals: {string.Join(", ", load.Refusals.OrderBy(p => p.Key).Select(p => $"{p.Key} x{p.Value}"))}")
            .AppendLine(CultureInfo.InvariantCulture, $"unclear answers (5xx other than 503, or an error without a problem body): {load.Unclear.Count}{(load.Unclear.IsEmpty ? "" : ": " + string.Join(" | ", load.Unclear.Take(5)))}")
            .AppendLine(CultureInfo.InvariantCulture, $"requests that hung past {CommandLoad.RequestTimeout.TotalSeconds:F0} s: {load.Hangs}; slowest answer {load.Slowest.TotalSeconds:F1} s; connections refused or reset (silo down): {load.ConnectionsRefused}")
            .AppendLine("acks per second: " + string.Join(" ", load.PerSecond()));
        if (!viewsEqual)
        {
            report.AppendLine("view before the rebuild: " + before.ToJsonString()).AppendLine("view after the rebuild: " + after.ToJsonString());
        }
        var text = report.ToString();
        var results = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults");
        Directory.CreateDirectory(results);
        await File.WriteAllTextAsync(Path.Combine(results, "cluster-fault.txt"), text);
        TestContext.Current.TestOutputHelper?.WriteLine(text);

        Assert.True(audit.Acknowledged > 50, text);
        audit.AssertWhole(text);
        Assert.True(viewsEqual, text);
        Assert.True(load.Unclear.IsEmpty, text);
        Assert.Equal(0, load.Hangs);
    }

    /// <summary>The silo whose connection holds the daemon's advisory lock, else the first.</summary>
    private async Task<(SiloProcess Silo, bool Found)> DaemonLeaderAsync() =>
        await AdvisoryLockHolderAsync() is { } number ? (silos[number - 1], true) : (silos[0], false);

    private async Task<int?> AdvisoryLockHolderAsync()
    {
        var port = await database!.ScalarTextAsync($"""
            SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND a.datname = '{database.Name}' LIMIT 1
            """);
        if (port is null)
        {
            return null;
        }
        // The socket's local port names the process that owns it.
        var owner = await SiloProcess.OutputOfAsync("ss", "-tnpH", $"sport = :{port}");
        return silos.FirstOrDefault(s => s.Pid is { } pid && owner.Contains($"pid={pid},", StringComparison.Ordinal))?.Number;
    }
}
