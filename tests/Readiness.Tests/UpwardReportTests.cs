using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Readiness.Contracts;
using Readiness.Silo.Upward;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo that reports upward to an endpoint on a loopback port nobody listens on yet.</summary>
public sealed class ReportingSiloFixture : IAsyncLifetime
{
    public const string ReportKey = "upward-reports-test-key-0123456789abcdef";

    public int EndpointPort { get; } = FreePort();
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        Database = await cluster.CreateDatabaseAsync("upward");
        Host = new SiloHost(Database, loadDemo: false, settings: new Dictionary<string, string>
        {
            ["Readiness:UpwardReports:Endpoints:0:Name"] = "military-region-1",
            ["Readiness:UpwardReports:Endpoints:0:Url"] = $"http://127.0.0.1:{EndpointPort}/reports",
            ["Readiness:UpwardReports:PollSeconds"] = "1",
            ["Readiness:UpwardReports:MaxBackoffSeconds"] = "1",
            ["Readiness:UpwardReports:SigningKey"] = ReportKey,
        });
        Http = await Host.StartAndWaitUntilReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public class UpwardReportTests(ReportingSiloFixture fixture) : IClassFixture<ReportingSiloFixture>
{
    private sealed record Received(string ReportId, string Signature, string Body);

    [Fact]
    public async Task An_endpoint_that_is_down_gets_each_report_once_when_it_is_back_and_each_acknowledgement_is_an_event()
    {
        var province = $"t{Guid.NewGuid():N}"[..12];
        var grains = fixture.Host.Grains;
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await grains.GetGrain<IUnitGrain>(province).Execute(new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh thử", Echelon.Province, null, 100, at));
        await grains.GetGrain<IUnitGrain>($"{province}/huyen").Execute(new RegisterUnit(SiloFixture.NewId(), $"{province}/huyen", "Huyện thử", Echelon.District, null, 20, at));

        // Down: the monthly report is queued and retried, not lost.
        var retrying = await Eventually(province, entries => entries.Any(e => e.Attempts >= 2 && e.DeliveredAt is null && e.LastError is not null));
        var monthly = Assert.Single(retrying);
        Assert.Contains("/monthly/", monthly.ReportId, StringComparison.Ordinal);

        var received = new ConcurrentBag<Received>();
        await using var endpoint = await StartEndpoint(received);
        await Eventually(province, entries => entries.All(e => e.DeliveredAt is not null));

        // The commander's assessment changes the province's level: a second report, sent at once.
        await grains.GetGrain<IUnitGrain>(province).Execute(new AssessReadiness(SiloFixture.NewId(), province, ReadinessLevel.R1, "Kiểm tra thực tế", "Chỉ huy trưởng"));
        var both = await Eventually(province, entries => entries.Count == 2 && entries.All(e => e.DeliveredAt is not null), TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var reports = received.Where(r => r.ReportId.StartsWith(province + "/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, reports.Count);
        Assert.Equal(both.Select(e => e.ReportId).Order(StringComparer.Ordinal), reports.Select(r => r.ReportId).Order(StringComparer.Ordinal));
        Assert.Contains(reports, r => r.ReportId.Contains("/level/", StringComparison.Ordinal));
        foreach (var report in reports)
        {
            Assert.Equal("sha256=" + UpwardReporter.Sign(Encoding.UTF8.GetBytes(ReportingSiloFixture.ReportKey), report.Body), report.Signature);
            var body = JsonSerializer.Deserialize<UpwardReport>(report.Body, SiloFixture.Json)!;
            Assert.Equal(province, body.ProvinceId);
            Assert.Equal(2, body.ChainHeads.Count);
            Assert.Equal(UpwardReporter.HeadsDigest(body.ChainHeads), body.ChainHeadsDigest);
        }
        var level = JsonSerializer.Deserialize<UpwardReport>(reports.Single(r => r.ReportId.Contains("/level/", StringComparison.Ordinal)).Body, SiloFixture.Json)!;
        Assert.Equal(ReadinessLevel.R1, level.Level);
        Assert.Equal(2, await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE stream_id = @s AND type = 'upward_report_acknowledged'", ("s", "report:" + province)));
        var verify = await fixture.Http.GetFromJsonAsync<VerifyReport>(new Uri("/api/audit/verify", UriKind.Relative), SiloFixture.Json);
        Assert.True(verify!.Intact, verify.FirstBreak?.ToString());
    }

    /// <summary>The higher echelon's endpoint, up at last, on the port the silo has been trying.</summary>
    private async Task<WebApplication> StartEndpoint(ConcurrentBag<Received> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add($"http://127.0.0.1:{fixture.EndpointPort}");
        app.MapPost("/reports", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            received.Add(new Received(request.Headers["X-Readiness-Report-Id"].ToString(), request.Headers["X-Readiness-Signature"].ToString(), await reader.ReadToEndAsync()));
            return Results.Accepted();
        });
        await app.StartAsync();
        return app;
    }

    private async Task<List<OutboxEntry>> Eventually(string province, Func<List<OutboxEntry>, bool> condition, TimeSpan? patience = null)
    {
        var deadline = DateTimeOffset.UtcNow + (patience ?? TimeSpan.FromSeconds(20));
        List<OutboxEntry> last = [];
        while (DateTimeOffset.UtcNow < deadline)
        {
            last = (await fixture.Http.GetFromJsonAsync<List<OutboxEntry>>(new Uri($"/api/provinces/{province}/upward-reports", UriKind.Relative), SiloFixture.Json))!;
            if (last.Count > 0 && condition(last))
            {
                return last;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The outbox did not reach the expected state: {JsonSerializer.Serialize(last, SiloFixture.Json)}");
    }
}
