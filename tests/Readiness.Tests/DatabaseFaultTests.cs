using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A silo process on a PostgreSQL cluster of its own, so that the database can be restarted and
/// stopped without pulling it from under the other tests: PostgreSQL restarted mid-load, then out
/// of reach for 30 s; a response lost after the command was applied; many callers on one actor.
/// READINESS_FAULT_LONG=1 runs the restart and the outage three times over.
/// </summary>
public sealed class DatabaseFaultTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly bool Long = Environment.GetEnvironmentVariable("READINESS_FAULT_LONG") == "1";

    private readonly HttpClient http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private PostgresCluster? cluster;
    private TestDatabase? database;
    private SiloProcess? silo;

    private PostgresCluster Cluster => cluster!;
    private TestDatabase Database => database!;
    private SiloProcess Silo => silo!;

    public async ValueTask InitializeAsync()
    {
        cluster = await PostgresCluster.StartDedicatedAsync("faults", SiloProcess.FreePort());
        database = await cluster.CreateDatabaseAsync("dbfault");
        silo = new SiloProcess(1, database, $"dbfault-{Guid.NewGuid():N}"[..20]);
        silo.Start();
        await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        var token = new TokenIssuer(TokenIssuer.KeyFrom(SiloHost.SigningKey), new AuthOptions(), TimeProvider.System)
            .Mint(new TokenRequest("fault-test", [Access.Everywhere], Access.Roles)).Token;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async ValueTask DisposeAsync()
    {
        silo?.Kill();
        http.Dispose();
        if (database is not null)
        {
            await database.DisposeAsync();
        }
        if (cluster is not null)
        {
            await cluster.StopAsync();
        }
    }

    [Fact]
    public async Task PostgreSQL_restarted_then_away_for_30_s_loses_and_doubles_nothing_and_the_views_converge()
    {
        var (province, communes) = await RegisterProvinceAsync(8);
        var load = new CommandLoad(http, [Silo], communes, retryFor: Outage * 2);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(n => Task.Run(() => load.RunClientAsync(n, clock, stop.Token))).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(4));
        var loadBeforeFaults = clock.Elapsed;
        var pending = new List<(string Fault, TimeSpan From, TimeSpan To, Task<TimeSpan?> Converged)>();
        for (var round = 0; round < (Long ? 3 : 1); round++)
        {
            var restartAt = clock.Elapsed;
            await Cluster.RestartAsync();
            var restartedAt = clock.Elapsed;
            // The test's own pooled connections died with the server too; only the silo is under test.
            Npgsql.NpgsqlConnection.ClearAllPools();
            pending.Add(("pg_ctl restart -m fast", restartAt, restartedAt, Database.RosterCatchesUpAsync(TimeSpan.FromSeconds(60))));
            await Task.Delay(TimeSpan.FromSeconds(8));

            var stopAt = clock.Elapsed;
            await Cluster.StopAsync();
            await Task.Delay(Outage);
            await Cluster.StartAgainAsync();
            var backAt = clock.Elapsed;
            Npgsql.NpgsqlConnection.ClearAllPools();
            pending.Add(($"PostgreSQL stopped for {Outage.TotalSeconds:F0} s", stopAt, backAt, Database.RosterCatchesUpAsync(TimeSpan.FromSeconds(60))));
            await Task.Delay(TimeSpan.FromSeconds(8));
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        var loadEnded = clock.Elapsed;

        var audit = await StoreAudit.TakeAsync(Database, load.Acknowledged.Keys);
        var convergedIn = await Database.RosterCatchesUpAsync(TimeSpan.FromSeconds(30))
            ?? throw new Xunit.Sdk.XunitException("The province view did not reach the store's last event within 30 s of the load ending.");
        var (viewsEqual, _, _, rebuiltIn) = await FaultChecks.ViewEqualsRebuildAsync(http, Silo, Silo, $"/api/provinces/{province}/readiness");
        var verify = (await http.GetFromJsonAsync<VerifyReport>(Silo.Url("/api/audit/verify"), Json))!;
        var baseline = load.Rate(TimeSpan.FromSeconds(1), loadBeforeFaults);
        var faults = new List<FaultRow>();
        foreach (var (fault, from, to, converged) in pending)
        {
            faults.Add(new FaultRow(fault, from, to, load.SentBetween(from, to), await converged, load.RecoveryTime(to, baseline)));
        }

        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Database fault test ({(Long ? "long" : "short")} form), {DateTimeOffset.UtcNow:u}: one silo process, its own PostgreSQL cluster, 4 clients")
            .AppendLine(CultureInfo.InvariantCulture, $"throughput before the faults: {baseline:F1} acks/s; load ended at {loadEnded.TotalSeconds:F1} s")
            .AppendLine("| fault | from–to (s) | commands sent in it | acknowledged | roster caught up after it ended | 80 % throughput again after it ended |")
            .AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var fault in faults)
        {
            report.AppendLine(fault.ToString());
        }
        report
            .AppendLine(CultureInfo.InvariantCulture, $"all commands: sent {load.Sent}, attempts {load.Attempts}, acknowledged {audit.Acknowledged}, given up after {Outage.TotalSeconds * 2:F0} s of retries {load.GivenUp}")
            .AppendLine(CultureInfo.InvariantCulture, $"lost (acknowledged, not stored): {audit.Lost}; duplicated (command id stored twice): {audit.Duplicated}")
            .AppendLine(CultureInfo.InvariantCulture, $"streams: {audit.Streams}; with a gap or duplicate version: {audit.BrokenStreams}; mt_streams.version differing from the highest event version: {audit.StreamsOff}; Marten tombstones for failed appends: {audit.Tombstones}")
            .AppendLine(CultureInfo.InvariantCulture, $"province view reached the head (seq {audit.Head}) {convergedIn.TotalSeconds:F2} s after the load ended; equal to a rebuild from zero: {viewsEqual} (rebuild took {rebuiltIn.TotalSeconds:F2} s)")
            .AppendLine(CultureInfo.InvariantCulture, $"verify after the faults: {(verify.Intact ? "intact" : "BROKEN")}, {verify.EventsChecked} events in {verify.StreamsChecked} streams{(verify.Breaks.Count == 0 ? "" : ": " + string.Join("; ", verify.Breaks.Take(3)))}")
            .AppendLine(CultureInfo.InvariantCulture, $"refusals: {string.Join(", ", load.Refusals.OrderBy(p => p.Key).Select(p => $"{p.Key} x{p.Value}"))}")
            .AppendLine(CultureInfo.InvariantCulture, $"unclear answers (5xx other than 503, or an error without a problem body): {load.Unclear.Count}{(load.Unclear.IsEmpty ? "" : ": " + string.Join(" | ", load.Unclear.Take(5)))}")
            .AppendLine(CultureInfo.InvariantCulture, $"requests that hung past {CommandLoad.RequestTimeout.TotalSeconds:F0} s: {load.Hangs}; slowest answer {load.Slowest.TotalSeconds:F1} s; connections refused or reset: {load.ConnectionsRefused}")
            .AppendLine("acks per second: " + string.Join(" ", load.PerSecond()));
        var text = report.ToString();
        await WriteReportAsync("database-fault.txt", text);

        Assert.True(audit.Acknowledged > 50, text);
        audit.AssertWhole(text);
        Assert.True(viewsEqual, text);
        Assert.True(verify.Intact, text);
        Assert.True(load.Unclear.IsEmpty, text);
        Assert.True(load.Hangs == 0, text);
        Assert.True(load.GivenUp == 0, text);
        // Work resumes once the database is back, without restarting the silo.
        Assert.True(load.Rate(faults[^1].To + TimeSpan.FromSeconds(3), loadEnded) > 0, text);
    }

    [Fact]
    public async Task A_command_resent_after_its_answer_was_lost_is_applied_once()
    {
        var (_, communes) = await RegisterProvinceAsync(2);
        var commands = Enumerable.Range(0, 40)
            .Select(n => new RecordOutreachSession(FaultChecks.NewId(), communes[n % 2], "Luật Quốc phòng", 20 + n, DateTimeOffset.UtcNow.AddDays(-1)))
            .ToArray();

        // The first copy is abandoned 0–30 ms after it is sent, as a client timeout would: it may or may
        // not have been applied, and the client cannot tell.
        await Parallel.ForEachAsync(commands.Select((c, n) => (c, n)), async (item, cancel) =>
        {
            using var abandon = new CancellationTokenSource(TimeSpan.FromMilliseconds(item.n % 31));
            try
            {
                using var lost = await PostAsync(item.c, abandon.Token);
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
            }
        });
        // Then the resend with the same command id; for half of them two resends racing each other.
        var answers = new System.Collections.Concurrent.ConcurrentBag<CommandAccepted>();
        await Parallel.ForEachAsync(commands.Select((c, n) => (c, n)), async (item, cancel) =>
        {
            var copies = item.n % 2 == 0 ? 2 : 1;
            await Task.WhenAll(Enumerable.Range(0, copies).Select(async _ =>
            {
                using var response = await PostAsync(item.c, cancel);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                answers.Add((await response.Content.ReadFromJsonAsync<CommandAccepted>(Json, cancel))!);
            }));
        });

        // Whatever became of the first copy, each command holds one event, and at most one answer says it was applied now.
        var stored = await FaultChecks.CommandIdsInStoreAsync(Database);
        Assert.All(commands, c => Assert.Equal(1, stored.GetValueOrDefault(c.CommandId)));
        Assert.All(answers.GroupBy(a => a.CommandId), g => Assert.True(g.Count(a => !a.AlreadyApplied) <= 1, $"{g.Key} was applied twice."));
        Assert.All(answers.GroupBy(a => a.CommandId), g => Assert.Single(g.Select(a => a.Version).Distinct()));
    }

    [Fact]
    public async Task Many_callers_on_one_actor_get_consecutive_versions_in_store_order()
    {
        var (_, communes) = await RegisterProvinceAsync(1);
        var unit = communes[0];
        const int Callers = 16, PerCaller = 25;
        var accepted = new System.Collections.Concurrent.ConcurrentBag<CommandAccepted>();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            for (var n = 0; n < PerCaller; n++)
            {
                using var response = await PostAsync(new EnlistRecruits(FaultChecks.NewId(), unit, 1, 2026), CancellationToken.None);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                accepted.Add((await response.Content.ReadFromJsonAsync<CommandAccepted>(Json))!);
            }
        })));

        // Registration is version 1; every command then got a version of its own, with none skipped.
        var versions = accepted.Select(a => a.Version).Order().ToArray();
        Assert.Equal(Enumerable.Range(2, Callers * PerCaller).Select(v => (long)v), versions);
        var rows = await Database.ScalarTextAsync($"""
            SELECT string_agg(version || ':' || (headers ->> 'command-id'), ',' ORDER BY seq_id)
            FROM readiness.mt_events WHERE stream_id = '{unit}'
            """);
        var inStoreOrder = rows!.Split(',').Select(r => r.Split(':', 2)).ToArray();
        // The store's order is the stream's order, and each answer names the version its event holds.
        Assert.Equal(Enumerable.Range(1, Callers * PerCaller + 1).Select(v => v.ToString(CultureInfo.InvariantCulture)), inStoreOrder.Select(r => r[0]));
        var versionOf = inStoreOrder.Skip(1).ToDictionary(r => r[1], r => long.Parse(r[0], CultureInfo.InvariantCulture));
        Assert.All(accepted, a => Assert.Equal(a.Version, versionOf[a.CommandId]));
        Assert.Equal(Callers * PerCaller + 1, await Database.ScalarAsync($"SELECT version FROM readiness.mt_streams WHERE id = '{unit}'"));
    }

    private async Task<(string Province, string[] Communes)> RegisterProvinceAsync(int communeCount)
    {
        var province = $"d{Guid.NewGuid():N}"[..10];
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await FaultChecks.MustAcceptAsync(http, Silo, new RegisterUnit(FaultChecks.NewId(), province, "Fault province", Echelon.Province, null, 100, at));
        await FaultChecks.MustAcceptAsync(http, Silo, new RegisterUnit(FaultChecks.NewId(), $"{province}/district-a", "Fault district", Echelon.District, null, 20, at));
        var communes = Enumerable.Range(1, communeCount).Select(n => $"{province}/district-a/commune-{n}").ToArray();
        foreach (var commune in communes)
        {
            await FaultChecks.MustAcceptAsync(http, Silo, new RegisterUnit(FaultChecks.NewId(), commune, "Fault commune", Echelon.Commune, null, 1000, at));
        }
        return (province, communes);
    }

    private Task<HttpResponseMessage> PostAsync(ICommand command, CancellationToken cancel) =>
        http.PostAsync(Silo.Url($"/api/commands/{CommandPaths.NameOf(command.GetType())}"), JsonContent.Create(command, command.GetType(), options: Json), cancel);

    private static async Task WriteReportAsync(string name, string text)
    {
        var results = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults");
        Directory.CreateDirectory(results);
        await File.WriteAllTextAsync(Path.Combine(results, name), text);
        TestContext.Current.TestOutputHelper?.WriteLine(text);
    }

    private sealed record FaultRow(string Fault, TimeSpan From, TimeSpan To, (int Sent, int Acknowledged) Commands, TimeSpan? ConvergedIn, TimeSpan? RecoveredIn)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"| {Fault} | {From.TotalSeconds:F1}–{To.TotalSeconds:F1} | {Commands.Sent} | {Commands.Acknowledged} | {(ConvergedIn is { } c ? $"{c.TotalSeconds:F1} s" : "not within 60 s")} | {(RecoveredIn is { } r ? $"{r.TotalSeconds:F1} s" : "not during the load")} |");
    }
}
