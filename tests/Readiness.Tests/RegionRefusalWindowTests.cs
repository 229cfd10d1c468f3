using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A region whose refusal window is two seconds long, so that a window closes while a test watches.</summary>
public sealed class ShortWindowFixture : IAsyncLifetime
{
    public const string Province = "tinh-hen";
    public const int Cap = 1;
    public const int WindowSeconds = 2;

    public Es256Key ReportKey { get; } = Es256Key.FromPem(Es256Key.NewPem(), "report key");
    public Es256Key HeadKey { get; } = Es256Key.FromPem(Es256Key.NewPem(), "head key");
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Region { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("window");
        var settings = Federation.Region(Es256Key.NewPem(), [new TrustedProvince(Province, ReportKey.PublicKey, HeadKey.PublicKey, 3600)]);
        settings["Readiness:Region:RefusalsStoredPerWindow"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Readiness:Region:RefusalWindowSeconds"] = WindowSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Region = new SiloHost(Database, loadDemo: false, settings: settings);
        (await Region.StartAndWaitUntilReadyAsync()).Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Region.DisposeAsync();
        await Database.DisposeAsync();
        ReportKey.Dispose();
        HeadKey.Dispose();
    }
}

public class RegionRefusalWindowTests(ShortWindowFixture window) : IClassFixture<ShortWindowFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_count_of_refusals_beyond_the_cap_is_recorded_when_the_window_closes_with_nothing_else_arriving()
    {
        const int sent = ShortWindowFixture.Cap + 3;
        using var forger = Es256Key.FromPem(Es256Key.NewPem(), "a key the region never pinned");
        for (var i = 1; i <= sent; i++)
        {
            using var refused = await PostAsync(i, forger);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // Nothing else arrives and the grain stays active: only the timer set at the window's end records the count.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(ShortWindowFixture.WindowSeconds + 10);
        long counted = 0;
        while ((counted = await CountedAsync()) == 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200, Cancel);
        }
        Assert.True(counted == sent - ShortWindowFixture.Cap,
            $"{counted} refusals were recorded as counted {ShortWindowFixture.WindowSeconds + 10} s after a window of {ShortWindowFixture.WindowSeconds} s opened; "
            + $"expected {sent - ShortWindowFixture.Cap}");
    }

    private Task<long> CountedAsync() => window.Database.ScalarAsync(
        "SELECT COALESCE(sum((data->>'count')::bigint), 0)::bigint FROM readiness.mt_events WHERE stream_id = @s AND type = 'province_report_refusals_suppressed'",
        ("s", "region:" + ShortWindowFixture.Province));

    private async Task<HttpResponseMessage> PostAsync(long number, Es256Key key)
    {
        var at = DateTimeOffset.UtcNow;
        var log = new MemoryLog();
        log.Append(SHA256.HashData(Encoding.UTF8.GetBytes($"leaf {number}")));
        var root = Convert.ToBase64String(log.Root());
        var head = new TreeHead(log.Size, root, at, window.HeadKey.KeyId,
            window.HeadKey.SignDetached(Encoding.UTF8.GetBytes(TreeHeadText.Payload(log.Size, root, at, "readiness_hen"))), "readiness_hen");
        var report = new UpwardReport($"{ShortWindowFixture.Province}/routine/{number}", ShortWindowFixture.Province, "Tỉnh hẹn", "routine", at, ReadinessLevel.R2,
            new LevelCounts(1, 1, 0, 0), [], 0, 0, number, "digest", [], head, Log: "readiness_hen", ReportSequence: number);
        var body = JsonSerializer.Serialize(report, SiloFixture.Json);
        using var anonymous = new HttpClient { BaseAddress = window.Region.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/region/reports", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Readiness-Signature", key.SignDetached(Encoding.UTF8.GetBytes(body)));
        return await anonymous.SendAsync(request, Cancel);
    }
}
