using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Readiness.Contracts;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A silo process over two databases: the main one on the suite's PostgreSQL, and a province's on a
/// PostgreSQL cluster of its own, which the test stops under load. The province there waits it out
/// with 503s; the province in the main database is served throughout; nothing acknowledged in either
/// is lost or doubled.
/// </summary>
[Collection(nameof(FaultCollection))]
public sealed class SecondDatabaseFaultTests(SecondDatabaseFaultTests.TwoDatabaseProcess fixture) : IClassFixture<SecondDatabaseFaultTests.TwoDatabaseProcess>
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(15);

    /// <summary>
    /// From the second PostgreSQL answering again to its province's roster holding every event stored by
    /// then: the daemon of that database resumes once its leadership poll (5 s) or health check takes it up
    /// again; as for one database (DatabaseFaultTests), with a margin for a busy machine.
    /// </summary>
    private static readonly TimeSpan ConvergesWithin = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The main database's province while the other database is away, against its own rate before: its
    /// callers share the silo's two cores with the other province's retries and the daemon's reconnections.
    /// </summary>
    private const double ServedShare = 0.5;

    /// <summary>
    /// When, into the outage, the main database's head is read that its roster must reach before the other
    /// database is back: past any batch the daemon had begun before the stop, with half the outage left to reach it.
    /// </summary>
    private static readonly TimeSpan OutageHeadAfter = TimeSpan.FromSeconds(7);

    public sealed class TwoDatabaseProcess : IAsyncLifetime
    {
        private PostgresCluster? secondCluster;

        public HttpClient Http { get; } = new() { Timeout = Timeout.InfiniteTimeSpan };
        public PostgresCluster SecondCluster => secondCluster!;
        public TestDatabase Main { get; private set; } = null!;
        public TestDatabase Second { get; private set; } = null!;
        public SiloProcess Silo { get; private set; } = null!;
        public string SecondProvince { get; } = $"q{Guid.NewGuid():N}"[..10];

        public async ValueTask InitializeAsync()
        {
            Main = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("twodb_fault_main");
            secondCluster = await PostgresCluster.StartDedicatedAsync("province-db", LoopbackPorts.Next());
            Second = await secondCluster.CreateDatabaseAsync("twodb_fault_second", cluster: false);
            Silo = new SiloProcess(1, Main, $"twodb-{Guid.NewGuid():N}"[..20], new Dictionary<string, string>
            {
                ["Readiness__Databases__0__Name"] = "second",
                ["Readiness__Databases__0__Connection"] = Second.AppConnectionString,
                ["Readiness__Databases__0__Provinces__0"] = SecondProvince,
            });
            Silo.Start();
            await Silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
            var token = new TokenIssuer(TokenIssuer.KeyFrom(SiloHost.SigningKey), new AuthOptions(), TimeProvider.System)
                .Mint(new TokenRequest("fault-test", [Access.Everywhere], Access.Roles)).Token;
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        public async ValueTask DisposeAsync()
        {
            Silo?.Kill();
            Http.Dispose();
            await Main.DisposeAsync();
            if (secondCluster is not null)
            {
                await secondCluster.StartAgainAsync();
                await Second.DisposeAsync();
                await secondCluster.StopAsync();
            }
        }
    }

    [Fact]
    public async Task One_of_two_databases_stopped_under_load_answers_503_for_its_province_while_the_other_is_served_and_nothing_acknowledged_is_lost_or_doubled()
    {
        var http = fixture.Http;
        var silo = fixture.Silo;
        var mainProvince = $"p{Guid.NewGuid():N}"[..10];
        var provinces = new[]
        {
            (Name: mainProvince, Database: fixture.Main, Label: "main"),
            (Name: fixture.SecondProvince, Database: fixture.Second, Label: "second (stopped)"),
        };
        var loads = new List<CommandLoad>();
        foreach (var (name, _, _) in provinces)
        {
            loads.Add(new CommandLoad(http, [silo], await RegisterProvinceAsync(http, silo, name, 4), retryFor: Outage * 4));
        }
        var (mainLoad, secondLoad) = (loads[0], loads[1]);

        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var clients = loads.SelectMany(load => Enumerable.Range(0, 2).Select(n => Task.Run(() => load.RunClientAsync(n, clock, stop.Token)))).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var before = clock.Elapsed;
        var mainHeadAtStop = await fixture.Main.HeadAsync();
        await fixture.SecondCluster.StopAsync();
        var stoppedAt = clock.Elapsed;
        // How long until a moment of the outage; nothing once it has passed.
        TimeSpan Left(TimeSpan intoOutage) => TimeSpan.FromTicks(Math.Max(0, (intoOutage - (clock.Elapsed - stoppedAt)).Ticks));
        // The silo stays ready, degraded, and names the database that is away.
        using var readyDuringOutage = await http.GetAsync(silo.Url("/health/ready"));
        var readyBody = await readyDuringOutage.Content.ReadAsStringAsync();
        // The main database's daemon keeps projecting while the other database is away: what the main
        // province appended well into the outage, not only what it had before, is projected before the
        // other database is back.
        await Task.Delay(Left(OutageHeadAfter));
        var mainHeadDuringOutage = await fixture.Main.HeadAsync();
        var mainHeadReadAt = clock.Elapsed;
        var mainProjectedDuringOutage = await fixture.Main.RosterCatchesUpAsync(Left(Outage), mainHeadDuringOutage);
        await Task.Delay(Left(Outage));
        await fixture.SecondCluster.StartAgainAsync();
        var backAt = clock.Elapsed;
        Npgsql.NpgsqlConnection.ClearAllPools();
        await Task.Delay(TimeSpan.FromSeconds(6));
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        var secondConverged = await fixture.Second.RosterCatchesUpAsync(ConvergesWithin);
        var audits = new[] { await StoreAudit.TakeAsync(fixture.Main, mainLoad), await StoreAudit.TakeAsync(fixture.Second, secondLoad) };
        var mainRateBefore = mainLoad.Rate(TimeSpan.FromSeconds(1), before);
        var mainRateDuring = mainLoad.Rate(stoppedAt, backAt);
        var secondRateBefore = secondLoad.Rate(TimeSpan.FromSeconds(1), before);
        var secondRateDuring = secondLoad.Rate(stoppedAt, backAt);
        using var secondView = await http.GetAsync(silo.Url($"/api/provinces/{fixture.SecondProvince}/readiness"));

        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Second-database fault test, {DateTimeOffset.UtcNow:u}: one silo process over two databases, 2 clients per province; " +
                $"the second database's PostgreSQL stopped from {stoppedAt.TotalSeconds:F1} s to {backAt.TotalSeconds:F1} s")
            .AppendLine("| province | database | sent | acknowledged | refused | lost | doubled | 503s (Retry-After) |")
            .AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (var i = 0; i < provinces.Length; i++)
        {
            var (audit, load) = (audits[i], loads[i]);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {provinces[i].Name} | {provinces[i].Label} | {audit.Sent} | {audit.Acknowledged} | {audit.Refused} | {audit.Lost} | {audit.Doubled} | {load.RetryAftersText()} |");
        }
        report
            .AppendLine(CultureInfo.InvariantCulture, $"main province: {mainRateBefore:F1} acks/s before, {mainRateDuring:F1} acks/s while the other database was away; " +
                $"its head at the stop: seq {mainHeadAtStop}, {(mainHeadReadAt - stoppedAt).TotalSeconds:F1} s into the outage: seq {mainHeadDuringOutage}; " +
                $"its roster reached that {(mainProjectedDuringOutage is { } m ? $"{m.TotalSeconds:F2} s later, before the other database was back" : "not before the other database was back")}")
            .AppendLine(CultureInfo.InvariantCulture, $"second province: {secondRateBefore:F1} acks/s before, {secondRateDuring:F1} acks/s while its database was away " +
                $"(each client resends its command when told, and sends no other meanwhile); " +
                $"roster caught up {(secondConverged is { } c ? $"{c.TotalSeconds:F2} s" : "not")} after the load ended; view {(int)secondView.StatusCode}")
            .AppendLine(CultureInfo.InvariantCulture, $"/health/ready during the outage: {(int)readyDuringOutage.StatusCode} {readyBody}")
            .AppendLine(CultureInfo.InvariantCulture, $"unclear answers: main {mainLoad.Unclear.Count}, second {secondLoad.Unclear.Count}" +
                $"{(secondLoad.Unclear.IsEmpty ? "" : ": " + string.Join(" | ", secondLoad.Unclear.Take(3)))}; hangs: {mainLoad.Hangs + secondLoad.Hangs}")
            .AppendLine(audits[0].Summary())
            .AppendLine(audits[1].Summary());
        var text = report.ToString();
        await WriteReportAsync(text);

        foreach (var audit in audits)
        {
            audit.AssertWhole(text);
        }
        Assert.True(mainLoad.RetryAfters.IsEmpty, $"The main database's province met 503s while only the other database was away.\n{text}");
        Assert.True(mainRateBefore >= 5, text);
        Assert.True(mainRateDuring >= ServedShare * mainRateBefore, text);
        Assert.True(mainHeadDuringOutage > mainHeadAtStop, $"The main province appended nothing during the outage, so its projection then says nothing.\n{text}");
        Assert.True(mainProjectedDuringOutage is not null, $"The main province's roster did not reach seq {mainHeadDuringOutage}, " +
            $"its head {(mainHeadReadAt - stoppedAt).TotalSeconds:F1} s into the other database's outage, before that database was back.\n{text}");
        Assert.True(readyDuringOutage.StatusCode == HttpStatusCode.OK && readyBody.Contains("Degraded", StringComparison.Ordinal)
            && readyBody.Contains("second", StringComparison.Ordinal), text);
        Assert.True(secondLoad.RetryAfters.ContainsKey("2"), $"The stopped database's province was not told to come back.\n{text}");
        Assert.True(secondLoad.BadRetryAfters == 0, text);
        Assert.True(mainLoad.Unclear.IsEmpty && secondLoad.Unclear.IsEmpty, text);
        Assert.True(mainLoad.Hangs + secondLoad.Hangs == 0, text);
        // Its commands caught by the outage were resent until the database was back, and are counted above: none lost.
        Assert.True(secondRateBefore >= 5, text);
        Assert.True(secondConverged is not null, text);
        Assert.Equal(HttpStatusCode.OK, secondView.StatusCode);
    }

    private static async Task<string[]> RegisterProvinceAsync(HttpClient http, SiloProcess silo, string province, int communeCount)
    {
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await FaultChecks.MustAcceptAsync(http, silo, new RegisterUnit(FaultChecks.NewId(), province, "Fault province", Echelon.Province, null, 100, at));
        await FaultChecks.MustAcceptAsync(http, silo, new RegisterUnit(FaultChecks.NewId(), $"{province}/district-a", "Fault district", Echelon.District, null, 20, at));
        var communes = Enumerable.Range(1, communeCount).Select(n => $"{province}/district-a/commune-{n}").ToArray();
        foreach (var commune in communes)
        {
            await FaultChecks.MustAcceptAsync(http, silo, new RegisterUnit(FaultChecks.NewId(), commune, "Fault commune", Echelon.Commune, null, 1000, at));
        }
        return communes;
    }

    private static async Task WriteReportAsync(string text)
    {
        var results = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults");
        Directory.CreateDirectory(results);
        await File.WriteAllTextAsync(Path.Combine(results, "second-database-fault.txt"), text);
    }
}
