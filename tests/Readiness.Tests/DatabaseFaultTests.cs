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
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A silo process on a PostgreSQL cluster of its own, so that the database can be restarted and
/// stopped without pulling it from under the other tests: PostgreSQL restarted mid-load, then out
/// of reach for 30 s; a response lost after the command was applied; many callers on one actor.
/// READINESS_FAULT_LONG=1 runs the restart and the outage three times over.
/// </summary>
[Collection(nameof(FaultCollection))]
public sealed class DatabaseFaultTests(DatabaseFaultTests.DedicatedSilo fixture) : IClassFixture<DatabaseFaultTests.DedicatedSilo>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly bool Long = Environment.GetEnvironmentVariable("READINESS_FAULT_LONG") == "1";

    /// <summary>Load after each fault before the next begins: room for the recovery bound and a window to measure it in.</summary>
    private static readonly TimeSpan Between = TimeSpan.FromSeconds(10);

    /// <summary>
    /// From PostgreSQL answering again to 80 % of the throughput before the faults. A command caught by
    /// the fault is told to come back in 2 s (Retry-After), the silo's pool replaces its broken
    /// connections on first use, and a grain whose append failed reloads its stream once.
    /// </summary>
    private static readonly TimeSpan RecoversWithin = TimeSpan.FromSeconds(6);

    /// <summary>
    /// From PostgreSQL answering again to the province view holding every event stored by then: the
    /// daemon resumes from its progression row once its health check (every 5 s, Marten's default)
    /// restarts the agent the broken connection stopped. Two such periods and a margin for a busy
    /// machine; 6 s was the slowest seen.
    /// </summary>
    private static readonly TimeSpan ConvergesWithin = TimeSpan.FromSeconds(15);

    private readonly HttpClient http = fixture.Http;

    private PostgresCluster Cluster => fixture.Cluster;
    private TestDatabase Database => fixture.Database;
    private SiloProcess Silo => fixture.Silo;

    /// <summary>
    /// One PostgreSQL cluster and silo for the class: starting them is most of a fault test's
    /// set-up, and each test works on a province of its own.
    /// </summary>
    public sealed class DedicatedSilo : IAsyncLifetime
    {
        private PostgresCluster? cluster;
        private TestDatabase? database;
        private SiloProcess? silo;

        public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };
        public PostgresCluster Cluster => cluster!;
        public TestDatabase Database => database!;
        public SiloProcess Silo => silo!;

        public async ValueTask InitializeAsync()
        {
            cluster = await PostgresCluster.StartDedicatedAsync("faults", LoopbackPorts.Next());
            database = await cluster.CreateDatabaseAsync("dbfault");
            silo = new SiloProcess(1, database, $"dbfault-{Guid.NewGuid():N}"[..20]);
            silo.Start();
            await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
            var token = new TokenIssuer(TokenIssuer.KeyFrom(SiloHost.SigningKey), new AuthOptions(), TimeProvider.System)
                .Mint(new TokenRequest("fault-test", [Access.Everywhere], Access.Roles)).Token;
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        public async ValueTask DisposeAsync()
        {
            silo?.Kill();
            Http.Dispose();
            if (database is not null)
            {
                await database.DisposeAsync();
            }
            if (cluster is not null)
            {
                await cluster.StopAsync();
            }
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
            pending.Add(("pg_ctl restart -m fast", restartAt, restartedAt, Database.RosterCatchesUpAsync(ConvergesWithin)));
            await Task.Delay(Between);

            var stopAt = clock.Elapsed;
            await Cluster.StopAsync();
            await Task.Delay(Outage);
            await Cluster.StartAgainAsync();
            var backAt = clock.Elapsed;
            Npgsql.NpgsqlConnection.ClearAllPools();
            pending.Add(($"PostgreSQL stopped for {Outage.TotalSeconds:F0} s", stopAt, backAt, Database.RosterCatchesUpAsync(ConvergesWithin)));
            await Task.Delay(Between);
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        var loadEnded = clock.Elapsed;

        var audit = await StoreAudit.TakeAsync(Database, load);
        var convergedIn = await Database.RosterCatchesUpAsync(ConvergesWithin);
        var (viewsEqual, _, _, rebuiltIn) = convergedIn is null ? (false, null, null, TimeSpan.Zero)
            : await FaultChecks.ViewEqualsRebuildAsync(http, Silo, Silo, $"/api/provinces/{province}/readiness");
        var verify = (await http.GetFromJsonAsync<VerifyReport>(Silo.Url("/api/audit/verify"), Json))!;
        var baseline = load.Rate(TimeSpan.FromSeconds(1), loadBeforeFaults);
        var faults = new List<FaultRow>();
        for (var i = 0; i < pending.Count; i++)
        {
            var (fault, from, to, converged) = pending[i];
            // Recovery is looked for before the next fault begins, not in the calm after the last one.
            var until = i + 1 < pending.Count ? pending[i + 1].From : loadEnded;
            faults.Add(new FaultRow(fault, from, to, load.SentBetween(from, to), await converged, load.RecoveredAt(to, baseline, until) - to));
        }

        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Database fault test ({(Long ? "long" : "short")} form), {DateTimeOffset.UtcNow:u}: one silo process, its own PostgreSQL cluster, 4 clients")
            .AppendLine(CultureInfo.InvariantCulture, $"throughput before the faults: {baseline:F1} acks/s; load ended at {loadEnded.TotalSeconds:F1} s")
            .AppendLine(CultureInfo.InvariantCulture, $"bounds after each fault ends: views caught up within {ConvergesWithin.TotalSeconds:F0} s; " +
                $"a {CommandLoad.Window.TotalSeconds:F0} s window at 80 % of the throughput before beginning within {RecoversWithin.TotalSeconds:F0} s")
            .AppendLine("| fault | from–to (s) | commands sent in it | acknowledged | roster caught up after it ended | 80 % throughput again after it ended |")
            .AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var fault in faults)
        {
            report.AppendLine(fault.ToString());
        }
        report
            .AppendLine(audit.Summary())
            .AppendLine(CultureInfo.InvariantCulture, $"attempts {load.Attempts}, each command resent for up to {Outage.TotalSeconds * 2:F0} s; {load.RetryAftersText()}")
            .AppendLine(CultureInfo.InvariantCulture, $"province view reached the head (seq {audit.Head}) {(convergedIn is { } c ? $"{c.TotalSeconds:F2} s" : "not")} after the load ended; " +
                $"equal to a rebuild from zero: {viewsEqual} (rebuild took {rebuiltIn.TotalSeconds:F2} s)")
            .AppendLine(CultureInfo.InvariantCulture, $"verify after the faults: {(verify.Intact ? "intact" : "BROKEN")}, " +
                $"{verify.EventsChecked} events in {verify.StreamsChecked} streams{(verify.Breaks.Count == 0 ? "" : ": " + string.Join("; ", verify.Breaks.Take(3)))}")
            .AppendLine(CultureInfo.InvariantCulture, $"refusals: {string.Join(", ", load.Refusals.OrderBy(p => p.Key).Select(p => $"{p.Key} x{p.Value}"))}")
            .AppendLine(CultureInfo.InvariantCulture, $"unclear answers (5xx other than 503, or an error without a problem body): " +
                $"{load.Unclear.Count}{(load.Unclear.IsEmpty ? "" : ": " + string.Join(" | ", load.Unclear.Take(5)))}")
            .AppendLine(CultureInfo.InvariantCulture, $"requests that hung past {CommandLoad.RequestTimeout.TotalSeconds:F0} s: {load.Hangs}; " +
                $"slowest answer {load.Slowest.TotalSeconds:F1} s; connections refused or reset: {load.ConnectionsRefused}")
            .AppendLine("acks per second: " + string.Join(" ", load.PerSecond()));
        var text = report.ToString();
        await WriteReportAsync("database-fault.txt", text);

        audit.AssertWhole(text);
        Assert.True(verify.Intact, text);
        Assert.True(load.Unclear.IsEmpty, text);
        Assert.True(load.Hangs == 0, text);
        // Each 503 says when to come back, and the outage did produce the database's own (Retry-After: 2).
        Assert.True(load.BadRetryAfters == 0, text);
        Assert.True(load.RetryAfters.ContainsKey("2"), text);
        // A rate too low to lose 20 % of would make the recovery check say nothing.
        Assert.True(baseline >= 10, text);
        Assert.All(faults, f =>
        {
            Assert.True(f.ConvergedIn is not null, $"{f.Fault}: the views did not catch up within {ConvergesWithin}.\n{text}");
            Assert.True(f.RecoveredIn <= RecoversWithin, $"{f.Fault}: throughput not back within {RecoversWithin}.\n{text}");
        });
        Assert.True(convergedIn is not null, text);
        Assert.True(viewsEqual, text);
    }

    [Fact]
    public async Task A_command_applied_whose_answer_was_lost_is_answered_already_applied_on_resend_and_appends_nothing()
    {
        var (_, communes) = await RegisterProvinceAsync(2);
        var commands = Enumerable.Range(0, 20)
            .Select(n => new RecordOutreachSession(FaultChecks.NewId(), communes[n % 2], "Luật Quốc phòng", 20 + n, DateTimeOffset.UtcNow.AddDays(-1)))
            .ToArray();

        // Each first copy reaches the silo whole and is decided; its answer is cut on the way back, so
        // the client sees a reset connection and cannot tell whether it was applied.
        await using (var proxy = new AnswerDroppingProxy(Silo.Url("/")))
        {
            using var viaProxy = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            viaProxy.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
            foreach (var command in commands)
            {
                var content = JsonContent.Create(command, command.GetType(), options: Json);
                await Assert.ThrowsAsync<HttpRequestException>(() => viaProxy.PostAsync(proxy.Url($"/api/commands/{CommandPaths.NameOf(command.GetType())}"), content));
            }
            Assert.Equal(Enumerable.Repeat("HTTP/1.1 200 OK", commands.Length), proxy.Swallowed);
        }
        var stored = await FaultChecks.CommandIdsInStoreAsync(Database);
        Assert.All(commands, c => Assert.Equal(1, stored.GetValueOrDefault(c.CommandId)));
        var eventsBefore = await Task.WhenAll(communes.Select(Database.CountEventsAsync));

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

        // Every resend knows the command was applied, names the version its one event holds, and appends nothing.
        Assert.Equal(commands.Length * 3 / 2, answers.Count);
        Assert.All(answers, a => Assert.True(a.AlreadyApplied, $"{a.CommandId} was answered as applied now."));
        var versions = await EventVersionsAsync(commands.Select(c => c.CommandId));
        Assert.All(answers, a => Assert.Equal(versions[a.CommandId], a.Version));
        Assert.Equal(eventsBefore, await Task.WhenAll(communes.Select(Database.CountEventsAsync)));
        stored = await FaultChecks.CommandIdsInStoreAsync(Database);
        Assert.All(commands, c => Assert.Equal(1, stored.GetValueOrDefault(c.CommandId)));
    }

    private async Task<Dictionary<string, long>> EventVersionsAsync(IEnumerable<string> commandIds)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT headers ->> 'command-id', version FROM readiness.mt_events WHERE headers ->> 'command-id' = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", commandIds.ToArray());
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            versions.Add(reader.GetString(0), reader.GetInt64(1));
        }
        return versions;
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
            $"| {Fault} | {From.TotalSeconds:F1}–{To.TotalSeconds:F1} | {Commands.Sent} | {Commands.Acknowledged} | " +
                $"{(ConvergedIn is { } c ? $"{c.TotalSeconds:F1} s" : "not within the bound")} | {(RecoveredIn is { } r ? $"{r.TotalSeconds:F1} s" : "not before the next fault")} |");
    }
}
