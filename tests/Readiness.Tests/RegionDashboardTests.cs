using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// What the military region's staff see: the provinces side by side from the reports received, a trend
/// built from them, and the provinces as the region knew them at a moment of the past.
/// </summary>
public class RegionDashboardTests(FederationFixture federation) : IClassFixture<FederationFixture>
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("READINESS_CHROMIUM") ?? "/usr/bin/chromium";

    [Fact]
    public async Task The_trend_lists_each_accepted_report_in_order_and_asOf_shows_a_province_as_the_region_knew_it_then()
    {
        await AcceptedAtLeastAsync(2);

        var trends = (await federation.RegionHttp.GetFromJsonAsync<List<RegionProvinceTrend>>(new Uri("/api/region/trend", UriKind.Relative), SiloFixture.Json))!;

        var reporting = trends.Single(t => t.Id == FederationFixture.Reporting);
        Assert.True(reporting.Points.Count >= 2, $"{reporting.Points.Count} points");
        Assert.Equal(reporting.Points.Select(p => p.ReportSequence).Order(), reporting.Points.Select(p => p.ReportSequence));
        Assert.All(reporting.Points, p => Assert.NotNull(p.Level));
        Assert.Empty(trends.Single(t => t.Id == FederationFixture.Silent).Points);

        var first = reporting.Points[0];
        var before = await ProvincesAsOfAsync(first.ReceivedAt.AddMilliseconds(-1));
        var at = await ProvincesAsOfAsync(first.ReceivedAt);
        Assert.Null(before.Single(p => p.Id == FederationFixture.Reporting).ReportSequence);
        Assert.Equal(0, before.Single(p => p.Id == FederationFixture.Reporting).ReportsAccepted);
        Assert.Equal(first.ReportSequence, at.Single(p => p.Id == FederationFixture.Reporting).ReportSequence);
        Assert.Equal(1, at.Single(p => p.Id == FederationFixture.Reporting).ReportsAccepted);
        Assert.Equal(Enum.GetValues<Mission>(), (await federation.WitnessedAsync(FederationFixture.Reporting)).Missions!.Select(m => m.Mission).Order());

        using var province = federation.Province.AdminClient();
        var onProvince = await province.GetAsync(new Uri($"/api/region/provinces?asOf={Uri.EscapeDataString(first.ReceivedAt.ToString("o"))}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, onProvince.StatusCode);
    }

    [Fact]
    public async Task A_token_scoped_to_one_province_sees_only_that_province_in_the_regions_list_trend_and_past()
    {
        await AcceptedAtLeastAsync(1);
        using var scoped = federation.Region.ClientWith(federation.Region.Token([FederationFixture.Silent], [Access.Viewer, Access.Auditor]));
        var asOf = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("o"));

        var now = (await scoped.GetFromJsonAsync<List<WitnessedProvince>>(new Uri("/api/region/provinces", UriKind.Relative), SiloFixture.Json))!;
        var past = (await scoped.GetFromJsonAsync<List<WitnessedProvince>>(new Uri($"/api/region/provinces?asOf={asOf}", UriKind.Relative), SiloFixture.Json))!;
        var trend = (await scoped.GetFromJsonAsync<List<RegionProvinceTrend>>(new Uri("/api/region/trend", UriKind.Relative), SiloFixture.Json))!;

        Assert.Equal([FederationFixture.Silent], now.Select(p => p.Id));
        Assert.Equal([FederationFixture.Silent], past.Select(p => p.Id));
        Assert.Equal([FederationFixture.Silent], trend.Select(p => p.Id));
    }

    [Fact]
    public async Task The_region_dashboard_shows_every_registered_province_with_its_level_the_silent_one_stale_in_both_languages()
    {
        await AcceptedAtLeastAsync(1);
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}; ./test.sh installs Debian's chromium package.");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { TimezoneId = "Asia/Ho_Chi_Minh", Locale = "vi-VN" });
        var token = federation.Region.Token([Access.Everywhere], [Access.Viewer]);

        await page.GotoAsync(new Uri(federation.Region.BaseAddress, "/region/#token=" + token).ToString());

        var reporting = page.GetByTestId("province-" + FederationFixture.Reporting);
        await Assertions.Expect(reporting.GetByTestId("level")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^R[1-4]$"));
        await Assertions.Expect(page.Locator("#rows tr")).ToHaveCountAsync(FederationFixture.Registered);
        await Assertions.Expect(page.GetByTestId("province-" + FederationFixture.Silent)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("stale"));
        await Assertions.Expect(page.GetByTestId("trend-" + FederationFixture.Reporting).Locator(".mark").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("th").First).ToHaveTextAsync("Tỉnh");

        await page.GetByTestId("lang").ClickAsync();

        await Assertions.Expect(page.Locator("th").First).ToHaveTextAsync("Province");
        Assert.DoesNotContain(token, page.Url, StringComparison.Ordinal);
    }

    private async Task AcceptedAtLeastAsync(long reports)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while ((await federation.WitnessedAsync(FederationFixture.Reporting)).ReportsAccepted < reports)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the region accepted fewer than {reports} reports within 60 s");
            await Task.Delay(300);
        }
    }

    private async Task<List<WitnessedProvince>> ProvincesAsOfAsync(DateTimeOffset asOf) =>
        (await federation.RegionHttp.GetFromJsonAsync<List<WitnessedProvince>>(
            new Uri($"/api/region/provinces?asOf={Uri.EscapeDataString(asOf.ToString("o"))}", UriKind.Relative), SiloFixture.Json))!;
}
