using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The command centre's dashboard in a real headless Chromium (Debian's, not Playwright's download).</summary>
public class DashboardTests(SiloFixture silo)
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("READINESS_CHROMIUM") ?? "/usr/bin/chromium";

    [Fact]
    public async Task With_a_district_token_the_dashboard_shows_that_district_and_nothing_of_the_others()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}; ./test.sh installs Debian's chromium package.");
        await silo.WaitForProjectionsAsync();
        var district = await silo.Http.GetFromJsonAsync<DistrictReadinessView>(new Uri("/api/provinces/bac-kan/districts/ba-be", UriKind.Relative), SiloFixture.Json);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        var refused = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Status is 401 or 403)
            {
                refused.Add($"{response.Status} {response.Url}");
            }
        };
        await page.GotoAsync(new Uri(silo.Host.BaseAddress, "/#token=" + silo.Host.Token(["bac-kan/ba-be"], [Access.Viewer])).ToString());

        var cards = page.GetByTestId("district");
        await Assertions.Expect(cards).ToHaveCountAsync(district!.Communes.Count);
        await Assertions.Expect(page.Locator("#province-name")).ToHaveTextAsync(district.Name);
        await Assertions.Expect(page.GetByTestId("live")).ToHaveClassAsync("live on");
        await Assertions.Expect(page.GetByTestId("province-only")).ToBeVisibleAsync();
        foreach (var id in await cards.EvaluateAllAsync<string[]>("cards => cards.map(c => c.dataset.id)"))
        {
            Assert.StartsWith("bac-kan/ba-be/", id, StringComparison.Ordinal);
        }
        var counted = 0;
        foreach (var level in new[] { "r1", "r2", "r3", "r4" })
        {
            counted += int.Parse(await page.GetByTestId($"count-{level}").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.Equal(district.Units.Total, counted);

        await cards.First.ClickAsync();
        await Assertions.Expect(page.GetByTestId("drill")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("unit-row").First).ToBeVisibleAsync();
        Assert.Empty(refused);
    }

    [Fact]
    public async Task The_dashboard_shows_the_province_and_redraws_a_reported_change_within_two_seconds()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}; ./test.sh installs Debian's chromium package.");
        await silo.WaitForProjectionsAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
        await page.GotoAsync(new Uri(silo.Host.BaseAddress, "/#token=" + silo.Host.Token([Access.Everywhere], Access.Roles)).ToString());

        var districts = page.GetByTestId("district");
        await Assertions.Expect(districts).ToHaveCountAsync(8);
        await Assertions.Expect(page.GetByTestId("outreach-sessions")).ToContainTextAsync("587");
        await Assertions.Expect(page.GetByTestId("party-cells")).ToContainTextAsync("108");
        var total = 0;
        foreach (var level in new[] { "r1", "r2", "r3", "r4" })
        {
            total += int.Parse(await page.GetByTestId($"count-{level}").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
        Assert.Equal(233, total);
        // The trend: 26 weeks back to now, one point a week, its newest point the province's 233 units.
        await Assertions.Expect(page.GetByTestId("trend-chart")).ToHaveAttributeAsync("data-points", "27");
        var newest = await page.GetByTestId("trend-last").InnerTextAsync();
        Assert.Equal(233, System.Text.RegularExpressions.Regex.Matches(newest, @"R\d (\d+)").Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));
        await Assertions.Expect(page.GetByTestId("trend-r1")).ToBeVisibleAsync();
        // The demo's own silent platoon stands out as stale, and its drill-down says since when.
        var stale = page.GetByTestId("stale-unit");
        await Assertions.Expect(stale).ToHaveCountAsync(1);
        await stale.ClickAsync();
        await Assertions.Expect(page.GetByTestId("freshness")).ToContainTextAsync("●");
        await page.Keyboard.PressAsync("Escape");

        var strength = page.Locator("[data-id='bac-kan/ba-be'] [data-testid=district-strength]");
        var before = int.Parse((await strength.InnerTextAsync()).Replace(".", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        var clock = Stopwatch.StartNew();
        using (var response = await silo.Http.PostAsJsonAsync("/api/commands/record-members-joined",
            new RecordMembersJoined(SiloFixture.NewId(), "bac-kan/ba-be/cho-ra/dan-quan", ForceType.MilitiaSelfDefence, 3), SiloFixture.Json))
        {
            response.EnsureSuccessStatusCode();
        }
        // Two seconds from sending, not from the answer: the name's promise. Measured 366 ms with a load
        // average of 11 on the two shared cores (the live stream's p99 is about 320 ms), so the bound holds under load.
        var left = Math.Max(1, 2_000 - clock.ElapsedMilliseconds);
        await Assertions.Expect(strength).ToHaveTextAsync($"{before + 3:N0}".Replace(",", ".", StringComparison.Ordinal), new LocatorAssertionsToHaveTextOptions { Timeout = left });
        var redrawn = $"Dashboard redrew the change {clock.ElapsedMilliseconds} ms after the command was sent.";
        TestContext.Current.SendDiagnosticMessage(redrawn);
        Directory.CreateDirectory(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults"));
        await File.WriteAllTextAsync(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "dashboard-lag.txt"), redrawn + "\n");

        // Drill down: a district's units, then the one below R2, with the area that set its level.
        await page.Locator("[data-id='bac-kan/pac-nam']").ClickAsync();
        await Assertions.Expect(page.GetByTestId("drill")).ToBeVisibleAsync();
        Assert.True(await page.GetByTestId("unit-row").CountAsync() >= 11);
        await page.Locator("tr[data-unit='bac-kan/pac-nam/dbdv']").ClickAsync();
        await Assertions.Expect(page.GetByTestId("area")).ToHaveCountAsync(5);
        await Assertions.Expect(page.GetByTestId("drill")).ToContainTextAsync("Quân số thực tế đạt 73,3 % biên chế");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "dashboard-drill.png") });
        await page.Keyboard.PressAsync("Escape");
        await page.GetByTestId("lang").ClickAsync();
        await Assertions.Expect(page.GetByTestId("concerns")).ToContainTextAsync("88 of 120 authorised");
        await Assertions.Expect(page.GetByTestId("districts")).ToContainTextAsync("units");

        var screenshot = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        TestContext.Current.AddAttachment("dashboard.png", await File.ReadAllBytesAsync(screenshot));
    }

    [Fact]
    public async Task The_mission_panel_shows_how_many_units_are_ready_for_each_mission_and_the_contradicted_answers()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}; ./test.sh installs Debian's chromium package.");
        await silo.WaitForProjectionsAsync();
        var missions = await silo.Http.GetFromJsonAsync<ProvinceMissionReadiness>(new Uri("/api/provinces/bac-kan/missions", UriKind.Relative), SiloFixture.Json);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1920, Height = 1080 } });
        await page.GotoAsync(new Uri(silo.Host.BaseAddress, "/#token=" + silo.Host.Token([Access.Everywhere], [Access.Viewer])).ToString());

        var panel = page.GetByTestId("missions");
        await Assertions.Expect(panel.GetByTestId("mission-row")).ToHaveCountAsync(3);
        foreach (var tally in missions!.Missions)
        {
            var cells = await panel.Locator($"[data-testid=mission-row][data-mission={tally.Mission}] td").AllInnerTextsAsync();
            Assert.Equal([tally.Yes, tally.Qualified, tally.No, tally.NotAssessed, tally.Flagged],
                cells.Skip(1).Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)));
        }
        await Assertions.Expect(panel.GetByTestId("mission-district")).ToHaveCountAsync(8);
        await Assertions.Expect(panel.GetByTestId("mission-flag")).ToHaveCountAsync(missions.Flagged.Count);
        await Assertions.Expect(panel.GetByTestId("mission-flag").First).ToContainTextAsync("Ban CHQS huyện Ba Bể");

        // The contradiction drills into its unit, whose equipment and missions say why.
        await panel.GetByTestId("mission-flag").First.Locator("a").ClickAsync();
        await Assertions.Expect(page.GetByTestId("drill")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("area")).ToHaveCountAsync(5);
        await Assertions.Expect(page.GetByTestId("equipment")).ToContainTextAsync("Trang bị cứu hộ");
        await Assertions.Expect(page.GetByTestId("unit-mission-flag")).ToContainTextAsync("1 unserviceable");
        Directory.CreateDirectory(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "dashboard-missions-drill.png") });
        await page.Keyboard.PressAsync("Escape");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "dashboard-missions.png"), FullPage = true });
    }

    [Fact]
    public async Task The_chain_of_command_panel_shows_the_tree_of_the_picked_day_and_the_trend_marks_the_reform()
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}; ./test.sh installs Debian's chromium package.");
        var tree = await silo.NewProvinceAsync();
        var region = $"{tree.ProvinceId}/kv-1";
        // A name as hostile as a registration allows: the panel must show it as text, never as markup.
        const string RegionName = "Ban CHPTKV 1 <img src=x onerror=\"window.injected=1\">";
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), region, RegionName, Echelon.RegionalDefence, tree.ProvinceId, 30, DateTimeOffset.UtcNow.AddDays(-2)));
        // A province of one unit, merged into this one by the same order the day before.
        var merged = $"t{Guid.NewGuid():N}"[..12];
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), merged, "Tỉnh cũ", Echelon.Province, null, 10, DateTimeOffset.UtcNow.AddYears(-1)));
        var yesterday = DateTimeOffset.UtcNow.AddDays(-1);
        var chain = silo.Grains.GetGrain<IChainOfCommandGrain>(IChainOfCommandGrain.Key);
        foreach (IReorganisationCommand order in new IReorganisationCommand[]
        {
            new ResubordinateUnit(SiloFixture.NewId(), tree.CommuneId, region, "2786/QĐ-BQP", yesterday),
            new MergeUnits(SiloFixture.NewId(), [merged], tree.ProvinceId, "2786/QĐ-BQP", yesterday),
            new RenameUnit(SiloFixture.NewId(), tree.DistrictId, "Huyện A (khu vực cũ)", "2786/QĐ-BQP", yesterday),
        })
        {
            var result = await chain.Execute(order);
            Assert.True(result.Accepted, result.Rejection?.Message);
        }
        await silo.EventuallyAsync<ChainOfCommandView>($"/api/provinces/{tree.ProvinceId}/tree",
            view => view.Units.Any(u => u.UnitId == tree.CommuneId && u.ParentId == region) && view.Predecessors.Count == 1
                && view.Units.Any(u => u.UnitId == tree.DistrictId && u.FormerNames.Count == 1));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        await page.GotoAsync(new Uri(silo.Host.BaseAddress, $"/?province={tree.ProvinceId}#token=" + silo.Host.Token([tree.ProvinceId], [Access.Viewer])).ToString());

        var panel = page.GetByTestId("chain-panel");
        ILocator Under(string parent, string unit) => panel.Locator($"[data-testid=tree-unit][data-unit='{parent}'] [data-testid=tree-unit][data-unit='{unit}']");
        await Assertions.Expect(Under(region, tree.CommuneId)).ToHaveCountAsync(1);
        await Assertions.Expect(Under(tree.DistrictId, tree.CommuneId)).ToHaveCountAsync(0);
        await Assertions.Expect(Under(region, tree.CommuneId).GetByTestId("tree-line")).ToContainTextAsync("theo 2786/QĐ-BQP");
        var regionLine = panel.Locator($"[data-unit='{region}'] > [data-testid=tree-line]");
        await Assertions.Expect(regionLine).ToContainTextAsync(RegionName);
        await Assertions.Expect(regionLine).ToContainTextAsync("Phòng thủ khu vực");
        await Assertions.Expect(panel.Locator("img")).ToHaveCountAsync(0);
        await Assertions.Expect(panel.Locator($"[data-unit='{tree.ProvinceId}'] > [data-testid=tree-line]")).ToContainTextAsync("sáp nhập từ Tỉnh cũ");
        await Assertions.Expect(page.GetByTestId("chain-predecessors")).ToContainTextAsync("Sáp nhập vào tỉnh: Tỉnh cũ");
        await Assertions.Expect(panel.Locator($"[data-unit='{tree.DistrictId}'] > [data-testid=tree-line]")).ToContainTextAsync("trước đây: Test district");
        Directory.CreateDirectory(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "dashboard-chain.png"), FullPage = true });

        // Three days ago the commune stood under its district, and the regional command did not exist.
        await page.GetByTestId("chain-date").FillAsync(DateTime.Now.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(Under(tree.DistrictId, tree.CommuneId)).ToHaveCountAsync(1);
        await Assertions.Expect(panel.Locator($"[data-unit='{region}']")).ToHaveCountAsync(0);
        await Assertions.Expect(panel.Locator($"[data-unit='{tree.DistrictId}'] > [data-testid=tree-line]")).Not.ToContainTextAsync("khu vực cũ");

        // Before the province was registered there is no tree, and the panel says why instead.
        await page.GetByTestId("chain-date").FillAsync(DateTime.Now.AddYears(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.GetByTestId("chain-problem")).ToContainTextAsync("was established at");
        await Assertions.Expect(panel.GetByTestId("tree-unit")).ToHaveCountAsync(0);

        // The trend marks the one moment the chain changed by orders (two units changed then: one mark), and names the order.
        var reform = page.GetByTestId("trend-reform");
        await Assertions.Expect(reform).ToHaveCountAsync(1);
        await Assertions.Expect(reform.Locator("title")).ToContainTextAsync("2786/QĐ-BQP");
        Assert.Null(await page.EvaluateAsync<int?>("() => window.injected ?? null"));
    }

    /// <summary>Debian's Chromium, headless, with nothing of its own reaching out to the network.</summary>
    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Chromium,
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
}
