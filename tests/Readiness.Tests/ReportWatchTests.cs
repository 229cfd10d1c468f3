using System.Diagnostics;
using System.Net.Http.Json;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Grains.Actors;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo whose communes must report every few seconds and whose units look for a missed report every two.</summary>
public sealed class ReportWatchSilo() : OwnSilo("reportwatch", new Dictionary<string, string>
{
    ["Readiness:Reporting:WatchPeriod"] = "00:00:02",
    ["Readiness:Policy:ReportingIntervals:Commune"] = "00:00:04",
});

/// <summary>Freshness: a unit silent past its interval is stale in every view, and its own reminder records it once.</summary>
public class ReportWatchTests(ReportWatchSilo silo) : IClassFixture<ReportWatchSilo>
{
    [Fact]
    public async Task A_silent_commune_is_noted_overdue_by_its_reminder_once_stands_out_as_stale_and_is_fresh_again_when_it_reports()
    {
        var province = $"w{Guid.NewGuid():N}"[..12];
        var district = $"{province}/district-a";
        var commune = $"{district}/commune-1";
        var longAgo = DateTimeOffset.UtcNow.AddDays(-30);
        await Accept(new RegisterUnit(Id(), province, "Province", Echelon.Province, null, 10, longAgo));
        await Accept(new RegisterUnit(Id(), district, "District", Echelon.District, null, 10, longAgo));
        await Accept(new RegisterUnit(Id(), commune, "Commune", Echelon.Commune, null, 10, DateTimeOffset.UtcNow));

        // Only the reminder, ticked by Orleans from PostgreSQL, records the notice: nothing here asks the grain.
        var clock = Stopwatch.StartNew();
        HistoryPage? notices = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            notices = await silo.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?unit={commune}&kind=ReportOverdue", UriKind.Relative), SiloFixture.Json);
            if (notices!.Events.Count > 0)
            {
                break;
            }
            await Task.Delay(250);
        }
        Assert.True(notices!.Events.Count == 1, $"No overdue notice within 30 s ({clock.Elapsed.TotalSeconds:F1} s).");
        Assert.Equal($"{CallerContext.System}:{UnitGrain.ReportWatch}", notices.Events[0].RecordedBy);

        var unit = await Get<UnitReadinessView>($"/api/units/{commune}");
        Assert.True(unit.Freshness!.Stale);
        Assert.NotNull(unit.Freshness.OverdueNotedAt);
        var view = await Eventually<DistrictReadinessView>($"/api/provinces/{province}/districts/district-a", v => v.Stale?.Count > 0);
        Assert.Equal(commune, Assert.Single(view.Stale!).UnitId);

        // Several more ticks pass: the same silence is not noted twice.
        await Task.Delay(TimeSpan.FromSeconds(5));
        notices = await silo.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?unit={commune}&kind=ReportOverdue", UriKind.Relative), SiloFixture.Json);
        Assert.Single(notices!.Events);

        await Accept(new RecordMembersJoined(Id(), commune, ForceType.MilitiaSelfDefence, 2));
        var fresh = await Get<UnitReadinessView>($"/api/units/{commune}");
        Assert.False(fresh.Freshness!.Stale);
        Assert.True(fresh.Freshness.LastReportedAt > unit.Freshness.LastReportedAt);
        Assert.Equal(fresh.Freshness.LastReportedAt, fresh.Rating.Areas.Single(a => a.Area == ReadinessArea.Personnel).NewestEvidenceAt);
    }

    private async Task Accept(IUnitCommand command)
    {
        var result = await silo.Host.Grains.GetGrain<IUnitGrain>(command.UnitId).Execute(command);
        Assert.True(result.Accepted, result.Rejection?.Message);
    }

    private async Task<T> Get<T>(string path) => (await silo.Http.GetFromJsonAsync<T>(new Uri(path, UriKind.Relative), SiloFixture.Json))!;

    private async Task<T> Eventually<T>(string path, Func<T, bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var seen = await Get<T>(path);
            if (condition(seen) || clock.Elapsed > TimeSpan.FromSeconds(15))
            {
                return seen;
            }
            await Task.Delay(100);
        }
    }

    private static string Id() => Guid.NewGuid().ToString();
}
