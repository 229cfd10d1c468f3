using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The reporting page at /report in a real headless Chromium (Debian's), with its service worker and its outbox in IndexedDB.</summary>
public class ReportPageTests(SiloFixture silo)
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("READINESS_CHROMIUM") ?? "/usr/bin/chromium";
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    [Fact]
    public async Task Ten_reports_made_offline_survive_a_reload_and_are_stored_once_in_order_with_their_time_when_the_link_is_back()
    {
        var tree = await silo.NewProvinceAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await NewContextAsync(browser);
        var page = await context.NewPageAsync();
        await OpenAsync(page, silo.Host.Token([tree.CommuneId], [Access.Reporter], subject: "xa-commune-1"));

        await context.SetOfflineAsync(true);
        await Assertions.Expect(page.GetByTestId("network")).ToHaveClassAsync("network off");
        var given = new Dictionary<int, DateTimeOffset>();
        var before = DateTimeOffset.UtcNow;
        for (var n = 0; n < 10; n++)
        {
            await page.GetByTestId("form-picker").SelectOptionAsync("RecordOutreachSession");
            var form = page.GetByTestId("form");
            await form.Locator("[name=topic]").FillAsync($"Buổi tuyên truyền {n}");
            await form.Locator("[name=attendances]").FillAsync($"{n + 1}");
            if (n % 2 == 0)
            {
                // A date the person gives, in Vietnam's time (the browser's zone); the others happened "now".
                var at = new DateTimeOffset(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(n - 20).AddHours(9), DateTimeKind.Unspecified), Vietnam);
                given[n] = at;
                await form.Locator("[name=occurredAt]").FillAsync(at.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
            }
            await page.GetByTestId("record").ClickAsync();
            await Assertions.Expect(page.GetByTestId("entry")).ToHaveCountAsync(n + 1);
        }
        var after = DateTimeOffset.UtcNow;
        await Assertions.Expect(page.Locator("[data-testid=entry][data-state=queued]")).ToHaveCountAsync(10);
        await page.GetByTestId("form-picker").SelectOptionAsync("AssessMission");
        await ShotAsync(page, "report-vi-offline.png");

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[data-testid=entry][data-state=queued]")).ToHaveCountAsync(10);
        await Assertions.Expect(page.GetByTestId("form-picker").Locator("option[value=RecordOutreachSession]")).ToHaveCountAsync(1);
        await page.GetByTestId("form-picker").SelectOptionAsync("AssessMission");
        await page.GetByTestId("lang").ClickAsync();
        await Assertions.Expect(page.GetByTestId("outbox")).ToContainTextAsync("Queued");
        await ShotAsync(page, "report-en-offline.png");
        // Newest first on the page; the queue's order is the order they were made.
        var made = (await page.GetByTestId("entry").EvaluateAllAsync<string[][]>("es => es.map(e => [e.dataset.commandId, e.dataset.occurredAt])")).Reverse().ToList();

        await context.SetOfflineAsync(false);
        await Assertions.Expect(page.Locator("[data-testid=entry][data-state=sent]")).ToHaveCountAsync(10, new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("counted")).ToHaveCountAsync(10, new() { Timeout = 30_000 });
        await ShotAsync(page, "report-en-online.png");
        await page.GetByTestId("lang").ClickAsync();
        await Assertions.Expect(page.GetByTestId("outbox")).ToContainTextAsync("Đã vào số liệu");
        await ShotAsync(page, "report-vi-online.png");

        var stored = (await silo.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?unit={tree.CommuneId}&kind=OutreachSessionHeld&limit=100", UriKind.Relative), SiloFixture.Json))!
            .Events.OrderBy(e => e.Version).ToList();
        Assert.Equal(made.Select(m => m[0]), stored.Select(e => e.CommandId));
        for (var n = 0; n < 10; n++)
        {
            var occurred = stored[n].OccurredAt!.Value;
            Assert.Equal(DateTimeOffset.Parse(made[n][1], CultureInfo.InvariantCulture), occurred);
            if (given.TryGetValue(n, out var at))
            {
                Assert.Equal(at, occurred);
            }
            else
            {
                // "Now" is the moment the report was made offline, not the moment it reached the silo.
                Assert.InRange(occurred, before.AddSeconds(-1), after.AddSeconds(1));
            }
            Assert.Equal($"Buổi tuyên truyền {n}", stored[n].Data.GetProperty("topic").GetString());
        }
    }

    [Fact]
    public async Task A_refused_report_shows_the_servers_reason_at_the_field_it_names_and_the_next_report_still_goes()
    {
        var tree = await silo.NewProvinceAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await NewContextAsync(browser);
        var page = await context.NewPageAsync();
        await OpenAsync(page, silo.Host.Token([tree.CommuneId], [Access.Reporter]));

        await page.GetByTestId("form-picker").SelectOptionAsync("RecordOutreachSession");
        await page.Locator("[data-testid=form] [name=topic]").FillAsync("Luật\u200BNghĩa vụ quân sự");
        await page.Locator("[data-testid=form] [name=attendances]").FillAsync("40");
        await page.GetByTestId("record").ClickAsync();

        await Assertions.Expect(page.GetByTestId("problem-topic")).ToContainTextAsync("topic holds the invisible format character U+200B");
        await Assertions.Expect(page.GetByTestId("problem-attendances")).ToHaveTextAsync("");
        await Assertions.Expect(page.Locator("[data-testid=entry][data-state=refused]")).ToHaveCountAsync(1);

        await page.Locator("[data-testid=form] [name=topic]").FillAsync("Luật Nghĩa vụ quân sự");
        await page.GetByTestId("record").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=entry][data-state=sent]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=entry][data-state=refused]")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task The_unit_picker_offers_only_the_tokens_scope_and_a_forged_report_for_a_foreign_unit_is_refused()
    {
        var tree = await silo.NewProvinceAsync();
        var platoon = $"{tree.CommuneId}/dan-quan";
        var neighbour = $"{tree.DistrictId}/commune-2";
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), platoon, "Trung đội dân quân", Echelon.ForceUnit, null, 30, at));
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), neighbour, "Xã bên", Echelon.Commune, null, 10, at));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await NewContextAsync(browser);
        var page = await context.NewPageAsync();
        await OpenAsync(page, silo.Host.Token([tree.CommuneId], [Access.Reporter]));

        await page.GetByTestId("form-picker").SelectOptionAsync("EnlistRecruits");
        var offered = await page.Locator("[data-testid=form] [data-testid=unit-picker] option").EvaluateAllAsync<string[]>("os => os.map(o => o.value)");
        Assert.Equal([tree.CommuneId, platoon], offered.Order(StringComparer.Ordinal));

        // A picker doctored to name the neighbour: the page keeps the report back.
        await page.EvaluateAsync("id => document.querySelector('[data-testid=form] [data-testid=unit-picker] option').value = id", neighbour);
        await page.Locator("[data-testid=form] [name=count]").FillAsync("2");
        await page.Locator("[data-testid=form] [name=cohortYear]").FillAsync("2026");
        await page.GetByTestId("record").ClickAsync();
        await Assertions.Expect(page.GetByTestId("problem-unitId")).Not.ToHaveTextAsync("");
        await Assertions.Expect(page.GetByTestId("entry")).ToHaveCountAsync(0);

        // A request forged past the page, with the page's own token: the silo refuses it and records nothing.
        var status = await page.EvaluateAsync<int>("""
            async id => (await fetch("/api/commands/enlist-recruits", { method: "POST",
              headers: { "content-type": "application/json", authorization: "Bearer " + sessionStorage.getItem("token") },
              body: JSON.stringify({ commandId: crypto.randomUUID(), unitId: id, count: 2, cohortYear: 2026 }) })).status
            """, neighbour);
        Assert.Equal(403, status);
        var history = (await silo.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?unit={neighbour}&kind=RecruitsEnlisted", UriKind.Relative), SiloFixture.Json))!;
        Assert.Empty(history.Events);
    }

    [Fact]
    public async Task Reports_queued_while_two_tabs_are_open_are_each_sent_once()
    {
        var tree = await silo.NewProvinceAsync();
        var token = silo.Host.Token([tree.CommuneId], [Access.Reporter]);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await NewContextAsync(browser);
        var first = await context.NewPageAsync();
        var second = await context.NewPageAsync();
        await OpenAsync(first, token);
        await OpenAsync(second, token);
        var answered = 0;
        // Reports the silo answered: a try that never left the offline browser does not count.
        context.Response += (_, response) =>
        {
            if (response.Request.Method == "POST" && response.Url.Contains("/api/commands/", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref answered);
            }
        };

        await context.SetOfflineAsync(true);
        for (var n = 0; n < 5; n++)
        {
            await first.GetByTestId("form-picker").SelectOptionAsync("RecordTraining");
            await first.Locator("[data-testid=form] [name=subject]").FillAsync($"Bài bắn {n}");
            await first.Locator("[data-testid=form] [name=participants]").FillAsync("25");
            await first.GetByTestId("record").ClickAsync();
            await Assertions.Expect(first.GetByTestId("entry")).ToHaveCountAsync(n + 1);
        }
        // The other tab sees the same queue, and both try to send it the moment the link is back.
        await Assertions.Expect(second.Locator("[data-testid=entry][data-state=queued]")).ToHaveCountAsync(5);
        await context.SetOfflineAsync(false);

        foreach (var page in new[] { first, second })
        {
            await Assertions.Expect(page.Locator("[data-testid=entry][data-state=sent]")).ToHaveCountAsync(5, new() { Timeout = 30_000 });
        }
        var made = await first.GetByTestId("entry").EvaluateAllAsync<string[]>("es => es.map(e => e.dataset.commandId)");
        var stored = (await silo.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?unit={tree.CommuneId}&kind=TrainingCompleted&limit=100", UriKind.Relative), SiloFixture.Json))!;
        Assert.Equal(made.Order(StringComparer.Ordinal), stored.Events.Select(e => e.CommandId!).Order(StringComparer.Ordinal));
        Assert.Equal(5, answered);
    }

    [Fact]
    public async Task A_duty_posts_day_shows_who_is_on_shift_and_hands_over_to_the_next_in_one_press()
    {
        var tree = await silo.NewProvinceAsync();
        var post = $"{tree.CommuneId}/sscd";
        var at = DateTimeOffset.UtcNow.AddDays(-2);
        var posts = silo.Grains.GetGrain<IDutyPostGrain>(post);
        Assert.True((await posts.Execute(new EstablishDutyPost(SiloFixture.NewId(), post, "Trực SSCĐ xã", DutyKind.CombatReadiness, 4, 24, at))).Accepted);
        Assert.True((await posts.Execute(new StartDutyShift(SiloFixture.NewId(), post, "Nguyễn Văn An", 4, at.AddHours(1)))).Accepted);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await NewContextAsync(browser);
        var page = await context.NewPageAsync();
        await OpenAsync(page, silo.Host.Token([tree.CommuneId], [Access.Reporter]));

        await page.GetByTestId("post-show").ClickAsync();
        await Assertions.Expect(page.GetByTestId("post-shift")).ToContainTextAsync("Nguyễn Văn An");
        await page.GetByTestId("next-handover").ClickAsync();
        Assert.Equal("Nguyễn Văn An", await page.Locator("[data-testid=form] [name=outgoingCommander]").InputValueAsync());
        await page.Locator("[data-testid=form] [name=incomingCommander]").FillAsync("Trần Văn Bình");
        await page.GetByTestId("record").ClickAsync();
        await Assertions.Expect(page.GetByTestId("counted")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await page.GetByTestId("post-show").ClickAsync();
        await Assertions.Expect(page.GetByTestId("post-shift")).ToContainTextAsync("Trần Văn Bình");
    }

    private async Task OpenAsync(IPage page, string token)
    {
        await page.GotoAsync(new Uri(silo.Host.BaseAddress, "/report#token=" + token).ToString());
        await Assertions.Expect(page.GetByTestId("form-picker").Locator("option[value=RecordOutreachSession]")).ToHaveCountAsync(1);
        // The shell is kept once the service worker is active: only then may the page be reloaded offline.
        Assert.True(await page.EvaluateAsync<bool>("navigator.serviceWorker.ready.then(() => true)"));
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        var folder = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name), FullPage = true });
    }

    private static Task<IBrowserContext> NewContextAsync(IBrowser browser) => browser.NewContextAsync(new BrowserNewContextOptions
    {
        ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        TimezoneId = "Asia/Ho_Chi_Minh",
        Locale = "vi-VN",
    });

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Chromium), $"Chromium is not at {Chromium}; ./test.sh installs Debian's chromium package.");
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }
}
