using System.Diagnostics;
using System.Net.Http.Headers;
using Readiness.Contracts;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// Two silo processes of one cluster over two databases: each database's daemon has one leader
/// across the cluster, found by the advisory lock Marten takes in that database, and when the second
/// database's leader dies another silo takes that database over while the first keeps its own.
/// </summary>
[Collection(nameof(FaultCollection))]
public sealed class DatabaseLeadershipTests
{
    /// <summary>Marten's leadership poll (5 s) twice, and the dead session's lock released at once: the slowest seen was under 10 s.</summary>
    private static readonly TimeSpan TakenOverWithin = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Each_database_s_daemon_has_one_leader_in_the_cluster_and_another_silo_takes_a_database_over_when_its_leader_dies()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var main = await cluster.CreateDatabaseAsync("lead_main");
        await using var second = await cluster.CreateDatabaseAsync("lead_second", cluster: false);
        var province = $"l{Guid.NewGuid():N}"[..10];
        var clusterId = $"lead-{Guid.NewGuid():N}"[..20];
        var silos = Enumerable.Range(1, 2).Select(n => new SiloProcess(n, main, clusterId, new Dictionary<string, string>
        {
            ["Readiness__Databases__0__Name"] = "second",
            // Named per silo, as its main connection is, so the lock's holder can be told from PostgreSQL.
            ["Readiness__Databases__0__Connection"] = new Npgsql.NpgsqlConnectionStringBuilder(second.AppConnectionString) { ApplicationName = $"readiness-fault-silo-{n}" }.ConnectionString,
            ["Readiness__Databases__0__Provinces__0"] = province,
        })).ToList();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            foreach (var silo in silos)
            {
                silo.Start();
            }
            foreach (var silo in silos)
            {
                await silo.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
            }
            var token = new TokenIssuer(TokenIssuer.KeyFrom(SiloHost.SigningKey), new AuthOptions(), TimeProvider.System)
                .Mint(new TokenRequest("leadership-test", [Access.Everywhere], Access.Roles)).Token;
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            var mainLeader = await DaemonLeadership.LeaderAsync(main, silos, TimeSpan.FromSeconds(30));
            var secondLeader = await DaemonLeadership.LeaderAsync(second, silos, TimeSpan.FromSeconds(30));
            Assert.True(mainLeader is not null, $"The main database has no single leader: {string.Join(", ", await DaemonLeadership.HoldersAsync(main))}");
            Assert.True(secondLeader is not null, $"The second database has no single leader: {string.Join(", ", await DaemonLeadership.HoldersAsync(second))}");

            var clock = Stopwatch.StartNew();
            secondLeader.Kill();
            var survivor = silos.Single(s => s != secondLeader);
            var taken = await DaemonLeadership.LeaderAsync(second, silos, TakenOverWithin, s => s == survivor);
            Assert.True(taken is not null, $"No silo took the second database over within {TakenOverWithin}: {string.Join(", ", await DaemonLeadership.HoldersAsync(second))}");
            var tookOverIn = clock.Elapsed;
            Assert.NotNull(await DaemonLeadership.LeaderAsync(main, silos, TakenOverWithin, s => s == survivor));

            // The survivor's daemon projects the second database's province.
            var at = DateTimeOffset.UtcNow.AddDays(-10);
            await FaultChecks.MustBeAcceptedWithinAsync(http, survivor, new RegisterUnit(FaultChecks.NewId(), province, "Leadership province", Echelon.Province, null, 50, at),
                TimeSpan.FromSeconds(30));
            Assert.NotNull(await second.RosterCatchesUpAsync(TimeSpan.FromSeconds(15)));
            var view = await FaultChecks.GetJsonAsync(http, survivor, $"/api/provinces/{province}/readiness");
            Assert.Equal(province, (string?)view["id"]);
            TestContext.Current.SendDiagnosticMessage($"the second database's daemon taken over in {tookOverIn.TotalSeconds:F1} s");
        }
        finally
        {
            foreach (var silo in silos)
            {
                silo.Kill();
            }
        }
    }
}
