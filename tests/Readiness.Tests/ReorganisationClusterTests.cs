using System.Net;
using System.Net.Http.Json;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>An order recorded on one silo of a cluster holds on every silo the moment it is acknowledged.</summary>
[Collection(nameof(FaultCollection))]
public sealed class ReorganisationClusterTests : IAsyncLifetime
{
    private SiloProcessCluster? cluster;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }

    [Fact]
    public async Task Communes_dissolved_through_one_silo_refuse_reports_at_once_through_either()
    {
        cluster = await SiloProcessCluster.StartAsync("reorg-cluster", 2);
        var (database, silos) = (cluster.Database, cluster.Silos);
        using var http = SiloProcessCluster.AdminClient("reorg-cluster-test", TimeSpan.FromSeconds(60));

        var province = $"r{Guid.NewGuid():N}"[..10];
        // Enough communes that both silos surely hold some: each is placed on either at its first call.
        var communes = Enumerable.Range(1, 12).Select(n => $"{province}/huyen/xa-{n}").ToArray();
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await FaultChecks.MustAcceptAsync(http, silos[0], new RegisterUnit(FaultChecks.NewId(), province, "Tỉnh thử", Echelon.Province, null, 100, at));
        await FaultChecks.MustAcceptAsync(http, silos[0], new RegisterUnit(FaultChecks.NewId(), $"{province}/huyen", "Huyện thử", Echelon.District, null, 20, at));
        foreach (var commune in communes)
        {
            await FaultChecks.MustAcceptAsync(http, silos[0], new RegisterUnit(FaultChecks.NewId(), commune, "Xã thử", Echelon.Commune, null, 100, at));
        }
        // Each commune reports once through each silo, so both silos hold a tree that knows them all.
        foreach (var commune in communes)
        {
            foreach (var silo in silos)
            {
                Assert.Equal(HttpStatusCode.OK, await ReportAsync(http, silo, commune));
            }
        }

        var order = new Reorganise(FaultChecks.NewId(), "01/QĐ-thử", DateTimeOffset.UtcNow.AddHours(-1),
            [.. communes.Select(c => new ReorganisationStep(ReorganisationAction.Dissolve, c))]);
        using (var recorded = await http.PostAsJsonAsync(silos[0].Url(CommandBodies.RouteOf(typeof(Reorganise))), order, SiloFixture.Json))
        {
            Assert.True(recorded.IsSuccessStatusCode, await recorded.Content.ReadAsStringAsync());
        }
        var answers = new List<string>();
        foreach (var commune in communes)
        {
            foreach (var silo in silos)
            {
                answers.Add($"{commune} through silo {silo.Number}: {(int)await ReportAsync(http, silo, commune)}");
            }
        }

        // Whichever silo a commune lives on, and whichever took the request, the report dated after the dissolution is refused.
        Assert.All(answers, answer => Assert.EndsWith(": 409", answer, StringComparison.Ordinal));
        Assert.Equal(communes.Length * silos.Count, await database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE stream_id LIKE @p AND type = 'outreach_session_held'", ("p", province + "/%")));
    }

    private static async Task<HttpStatusCode> ReportAsync(HttpClient http, SiloProcess silo, string commune)
    {
        using var response = await http.PostAsJsonAsync(silo.Url(CommandBodies.RouteOf(typeof(RecordOutreachSession))),
            new RecordOutreachSession(FaultChecks.NewId(), commune, "Luật Quốc phòng", 20, DateTimeOffset.UtcNow), SiloFixture.Json);
        return response.StatusCode;
    }
}
