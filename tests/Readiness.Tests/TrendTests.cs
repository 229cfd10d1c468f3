using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>Levels over time: every point of a trend is what the view of its moment (?asOf=) says.</summary>
public class TrendTests(SiloFixture silo)
{
    private static readonly DateTimeOffset LongAgo = At("2024-01-01T00:00:00+07:00");

    [Fact]
    public async Task A_communes_trend_follows_its_strength_month_by_month_and_agrees_with_the_views_of_each_moment()
    {
        var tree = await silo.NewProvinceAsync(communeAuthorised: 40, registeredAt: LongAgo);
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 30, 2024, At("2024-03-10T08:00:00+07:00")));
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 10, 2024, At("2024-05-10T08:00:00+07:00")));
        await silo.WaitForProjectionsAsync();

        var trend = await Get<ReadinessTrend>($"/api/trends/{tree.CommuneId}?from={Q("2024-02-01T00:00:00+07:00")}&to={Q("2024-06-01T00:00:00+07:00")}&step=month");

        Assert.Equal(TrendStep.Month, trend.Step);
        Assert.Equal(["2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01"],
            trend.Points.Select(p => p.At.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
        Assert.Equal([ReadinessLevel.R4, ReadinessLevel.R4, ReadinessLevel.R3, ReadinessLevel.R3, ReadinessLevel.R1],
            trend.Points.Select(p => LevelOf(Personnel(p).Units)));
        foreach (var point in trend.Points)
        {
            var then = await Get<UnitReadinessView>($"/api/units/{tree.CommuneId}?asOf={Q(point.At)}");
            Assert.Equal(then.Level, point.Level);
            Assert.Equal(1, point.Units.Total);
            foreach (var area in then.Rating.Areas.Where(a => a.Level is not null))
            {
                Assert.Equal(1, Count(point.Areas.Single(a => a.Area == area.Area).Units, area.Level!.Value));
            }
        }
    }

    [Fact]
    public async Task The_provinces_and_a_districts_weekly_trend_agree_with_their_views_at_each_moment()
    {
        await silo.WaitForProjectionsAsync();
        var to = DateTimeOffset.UtcNow.AddMinutes(-1);
        var from = to.AddDays(-21);

        var province = await Get<ReadinessTrend>($"/api/provinces/bac-kan/trend?from={Q(from)}&to={Q(to)}&step=week");
        var district = await Get<ReadinessTrend>($"/api/provinces/bac-kan/districts/ba-be/trend?from={Q(from)}&to={Q(to)}");

        Assert.Equal(4, province.Points.Count);
        Assert.Equal(4, district.Points.Count);
        for (var i = 0; i < province.Points.Count; i++)
        {
            var at = province.Points[i].At;
            var provinceThen = await Get<ProvinceReadinessView>($"/api/provinces/bac-kan/readiness?asOf={Q(at)}");
            var districtThen = await Get<DistrictReadinessView>($"/api/provinces/bac-kan/districts/ba-be?asOf={Q(at)}");
            Assert.Equal(provinceThen.Units, province.Points[i].Units);
            Assert.Equal(provinceThen.Level, province.Points[i].Level);
            Assert.Equal(districtThen.Units, district.Points[i].Units);
            Assert.Equal(districtThen.Level, district.Points[i].Level);
            // Every unit is rated on its personnel; the other areas apply to some units only.
            Assert.Equal(province.Points[i].Units.Total, Personnel(province.Points[i]).Units.Total);
            Assert.All(province.Points[i].Areas, a => Assert.True(a.Units.Total <= province.Points[i].Units.Total, $"{a.Area}"));
        }
        Assert.Equal(233, province.Points[^1].Units.Total);
    }

    [Fact]
    public async Task Before_a_unit_existed_its_trend_has_points_with_no_level_and_no_units()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: At("2024-06-15T00:00:00+07:00"));
        await silo.WaitForProjectionsAsync();

        var trend = await Get<ReadinessTrend>($"/api/trends/{tree.DistrictId}?from={Q("2024-06-01T00:00:00+07:00")}&to={Q("2024-06-29T00:00:00+07:00")}&step=week");

        Assert.Equal([0, 0, 2, 2, 2], trend.Points.Select(p => p.Units.Total));
        Assert.Null(trend.Points[0].Level);
        Assert.Empty(trend.Points[0].Areas);
    }

    [Fact]
    public async Task The_client_library_reads_a_trend_as_the_route_gives_it()
    {
        var client = new ReadinessClient(silo.Http);
        var to = DateTimeOffset.UtcNow.AddMinutes(-1);

        var trend = await client.GetTrendAsync("bac-kan/ba-be", to.AddMonths(-2), to, TrendStep.Month, TestContext.Current.CancellationToken);
        var route = await Get<ReadinessTrend>($"/api/provinces/bac-kan/districts/ba-be/trend?from={Q(to.AddMonths(-2))}&to={Q(to)}&step=month");

        Assert.Equal(3, trend.Points.Count);
        Assert.Equal(route.Points.Select(p => (p.At, p.Level, p.Units)), trend.Points.Select(p => (p.At, p.Level, p.Units)));
    }

    [Theory]
    [InlineData("/api/provinces/bac-kan/trend?step=hour", "step 'hour'")]
    [InlineData("/api/provinces/bac-kan/trend?step=1", "step '1'")]
    [InlineData("/api/provinces/bac-kan/trend?from=2024-06-01T00:00:00Z&to=2024-05-01T00:00:00Z", "is after to")]
    [InlineData("/api/provinces/bac-kan/trend?to=2999-01-01T00:00:00Z", "in the future")]
    [InlineData("/api/provinces/bac-kan/trend?from=2020-01-01T00:00:00Z&to=2024-01-01T00:00:00Z&step=day", "more than 367 points")]
    [InlineData("/api/provinces/bac-kan/trend?from=1900-01-01T00:00:00Z&to=1900-02-01T00:00:00Z", "before 1945")]
    [InlineData("/api/provinces/bac-kan/trend?from=yesterday", "from 'yesterday'")]
    public async Task A_range_that_cannot_be_drawn_is_refused_with_the_reason(string path, string reason)
    {
        using var response = await silo.Http.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_unit_has_no_trend()
    {
        using var response = await silo.Http.GetAsync(new Uri("/api/trends/bac-kan/ba-be/no-such-commune", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static AreaLevels Personnel(TrendPoint point) => point.Areas.Single(a => a.Area == ReadinessArea.Personnel);

    private static ReadinessLevel? LevelOf(LevelCounts single) =>
        single.R1 == 1 ? ReadinessLevel.R1 : single.R2 == 1 ? ReadinessLevel.R2 : single.R3 == 1 ? ReadinessLevel.R3 : single.R4 == 1 ? ReadinessLevel.R4 : null;

    private static int Count(LevelCounts counts, ReadinessLevel level) => level switch
    {
        ReadinessLevel.R1 => counts.R1,
        ReadinessLevel.R2 => counts.R2,
        ReadinessLevel.R3 => counts.R3,
        _ => counts.R4,
    };

    private async Task<T> Get<T>(string path) =>
        (await silo.Http.GetFromJsonAsync<T>(new Uri(path, UriKind.Relative), SiloFixture.Json, TestContext.Current.CancellationToken))!;

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static string Q(string text) => Uri.EscapeDataString(text);

    private static string Q(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture));
}
