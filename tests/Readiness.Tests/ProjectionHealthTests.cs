using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// /health/ready stays 200 while a projection trails, but says Degraded once it trails past
/// Readiness:Health:MaxProjectionLagSeconds, and Healthy again when it has caught up.
/// </summary>
public class ProjectionHealthTests
{
    private const int BoundSeconds = 2;

    [Fact]
    public async Task Ready_turns_degraded_while_the_province_projection_trails_past_the_bound_and_healthy_when_it_catches_up()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var database = await cluster.CreateDatabaseAsync("lag");
        // A silo of its own: pausing the daemon of the shared one would stall every other test's views.
        await using var host = new SiloHost(database, loadDemo: false, settings: new Dictionary<string, string>
        {
            ["Readiness:Health:MaxProjectionLagSeconds"] = BoundSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var http = await host.StartAndWaitUntilReadyAsync();
        var healthy = await Until(http, "Healthy", TimeSpan.FromSeconds(30));

        var daemon = host.Services.GetRequiredService<IProjectionCoordinator>();
        await daemon.PauseAsync();
        var paused = Stopwatch.StartNew();
        var province = $"lag{Guid.NewGuid():N}"[..12];
        var registered = await host.Grains.GetGrain<IUnitGrain>(province)
            .Execute(new RegisterUnit(SiloFixture.NewId(), province, "Lagging province", Echelon.Province, null, 100));
        Assert.True(registered.Accepted, registered.Rejection?.Message);
        var degraded = await Until(http, "Degraded", TimeSpan.FromSeconds(20));
        var degradedAfter = paused.Elapsed;
        var rosterWhileDegraded = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_doc_provinceroster WHERE id = @id", ("id", province));

        await daemon.ResumeAsync();
        var recovered = await Until(http, "Healthy", TimeSpan.FromSeconds(30));

        Assert.Equal("Healthy", healthy.Check);
        Assert.Equal(HttpStatusCode.OK, degraded.Status);
        Assert.Equal("Degraded", degraded.Check);
        Assert.Contains("province-roster is", degraded.Description, StringComparison.Ordinal);
        Assert.Contains($"past the {BoundSeconds} s bound", degraded.Description, StringComparison.Ordinal);
        // Not before the bound: a lag shorter than it is no reason to warn anyone.
        Assert.True(degradedAfter >= TimeSpan.FromSeconds(BoundSeconds), $"Degraded after only {degradedAfter}.");
        Assert.Equal(0, rosterWhileDegraded);
        Assert.Equal(HttpStatusCode.OK, recovered.Status);
        Assert.Contains("province-roster: 0 events", recovered.Description, StringComparison.Ordinal);
        Assert.Equal(1, await database.ScalarAsync("SELECT count(*) FROM readiness.mt_doc_provinceroster WHERE id = @id", ("id", province)));
    }

    private sealed record Health(HttpStatusCode Status, string Overall, string Check, string Description);

    /// <summary>Polls /health/ready until the whole answer and its projections check both say <paramref name="status"/>.</summary>
    private static async Task<Health> Until(HttpClient http, string status, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        Health? last = null;
        while (clock.Elapsed < patience)
        {
            using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var projections = body.RootElement.GetProperty("checks").GetProperty("projections");
            last = new Health(response.StatusCode, body.RootElement.GetProperty("status").GetString()!,
                projections.GetProperty("status").GetString()!, projections.GetProperty("description").GetString() ?? "");
            if (last.Overall == status && last.Check == status)
            {
                return last;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"/health/ready did not say {status} within {patience}; last: {last}");
    }
}
