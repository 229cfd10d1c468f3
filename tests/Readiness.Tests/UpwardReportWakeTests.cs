using System.Net.Http.Json;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo that reports upward, whose outbox is polled only every ten minutes: what reaches it sooner was woken by a change.</summary>
public sealed class SlowPollSiloFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("wake");
        Host = new SiloHost(Database, loadDemo: false, settings: new Dictionary<string, string>
        {
            ["Readiness:UpwardReports:Endpoints:0:Name"] = "military-region-1",
            // Nobody listens: the reports stay queued, which is what the test reads.
            ["Readiness:UpwardReports:Endpoints:0:Url"] = $"http://127.0.0.1:{LoopbackPorts.Next()}/reports",
            ["Readiness:UpwardReports:PollSeconds"] = "600",
        });
        Http = await Host.StartAndWaitUntilReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public class UpwardReportWakeTests(SlowPollSiloFixture fixture) : IClassFixture<SlowPollSiloFixture>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_new_province_and_its_level_change_are_queued_for_the_echelon_above_within_seconds_not_at_the_next_poll()
    {
        var province = $"t{Guid.NewGuid():N}"[..12];
        var unit = fixture.Host.Grains.GetGrain<IUnitGrain>(province);
        await unit.Execute(new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh thử", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));

        var first = await QueuedAsync(province, entries => entries.Count > 0);
        Assert.True(first is not null, $"No report was queued for the new province within {Within.TotalSeconds} s; the outbox is polled every 600 s.");

        await unit.Execute(new AssessReadiness(SiloFixture.NewId(), province, ReadinessLevel.R1, "Kiểm tra thực tế", "Chỉ huy trưởng"));
        var level = await QueuedAsync(province, entries => entries.Any(e => e.ReportId.Contains("/level/", StringComparison.Ordinal)));

        Assert.True(level is not null, $"The level change was not queued within {Within.TotalSeconds} s; the outbox is polled every 600 s.");
        Assert.Contains(level, e => e.Reason.StartsWith("level changed from ", StringComparison.Ordinal) && e.Reason.EndsWith(" to R1", StringComparison.Ordinal));
    }

    private async Task<List<OutboxEntry>?> QueuedAsync(string province, Func<List<OutboxEntry>, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Within;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var entries = (await fixture.Http.GetFromJsonAsync<List<OutboxEntry>>(
                new Uri($"/api/provinces/{province}/upward-reports", UriKind.Relative), SiloFixture.Json, TestContext.Current.CancellationToken))!;
            if (condition(entries))
            {
                return entries;
            }
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        return null;
    }
}
