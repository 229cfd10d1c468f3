using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Readiness.Contracts;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>An order recorded on one silo of a cluster holds on every silo the moment it is acknowledged.</summary>
[Collection(nameof(FaultCollection))]
public sealed class ReorganisationClusterTests : IAsyncLifetime
{
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
    public async Task Communes_dissolved_through_one_silo_refuse_reports_at_once_through_either()
    {
        database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("reorg-cluster");
        var clusterId = $"reorg-{Guid.NewGuid():N}"[..20];
        silos.AddRange([new SiloProcess(1, database, clusterId), new SiloProcess(2, database, clusterId)]);
        silos[0].Start();
        await silos[0].WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        silos[1].Start();
        await silos[1].WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        var token = new TokenIssuer(TokenIssuer.KeyFrom(SiloHost.SigningKey), new AuthOptions(), TimeProvider.System)
            .Mint(new TokenRequest("reorg-cluster-test", [Access.Everywhere], Access.Roles)).Token;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

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
