using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Store.Outbox;
using Readiness.Silo.Audit;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A province's silo and a region's silo, each on a database of its own. The province starts first and
/// reports to the region's address before anything listens there; the region starts a while later. The
/// region trusts six provinces: the silo's, one that never reports, and four whose reports the tests sign.
/// </summary>
public sealed class FederationFixture : IAsyncLifetime
{
    public const string Reporting = "tinh-bao";
    public const string Silent = "tinh-lang";
    public const string SelfSigned = "tinh-thu";
    public const string Relogged = "tinh-viet";
    public const string Flooded = "tinh-lu";
    public const string FloodedThenIdle = "tinh-nghi";

    /// <summary>How many provinces the region's configuration registers.</summary>
    public const int Registered = 6;

    /// <summary>Refusals stored one by one per window, low so that a flood well below the per-address rate limit passes it.</summary>
    public const int RefusalCap = 5;
    public const int IntervalSeconds = 2;

    public int RegionPort { get; } = LoopbackPorts.Next();
    public string RegionKeyPem { get; } = Es256Key.NewPem();

    /// <summary>The region's JWK Set as the province pins it; a test swaps it for another key and back.</summary>
    public string WitnessKeysFile { get; } = Path.Combine(Path.GetTempPath(), "readiness-tests", $"witness-{Guid.NewGuid():N}.jwks.json");
    public Es256Key SignedReportKey { get; } = Es256Key.FromPem(Es256Key.NewPem(), "test report key");
    public Es256Key SignedHeadKey { get; } = Es256Key.FromPem(Es256Key.NewPem(), "test head key");
    public TestDatabase ProvinceDatabase { get; private set; } = null!;
    public TestDatabase RegionDatabase { get; private set; } = null!;
    public SiloHost Province { get; private set; } = null!;
    public SiloHost Region { get; private set; } = null!;
    public HttpClient RegionHttp { get; private set; } = null!;

    /// <summary>The outbox rows as they stood when the region started: every one tried, none delivered.</summary>
    public IReadOnlyList<OutboxMessage> QueuedWhileDown { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        ProvinceDatabase = await cluster.CreateDatabaseAsync("province");
        RegionDatabase = await cluster.CreateDatabaseAsync("region");
        PinWitnessKey(RegionKeyPem);
        Province = new SiloHost(ProvinceDatabase, loadDemo: false, settings: Federation.ProvinceReportingTo(RegionPort, WitnessKeysFile, IntervalSeconds));
        (await Province.StartAndWaitUntilReadyAsync()).Dispose();
        await Province.Grains.GetGrain<IUnitGrain>(Reporting).Execute(
            new RegisterUnit(SiloFixture.NewId(), Reporting, "Tỉnh báo cáo", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));
        // The region is down: reports queue, the first is retried and holds back the later ones, none is lost.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while ((QueuedWhileDown = await OutboxAsync()).Count < 3 || QueuedWhileDown[0].Attempts < 2)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The province queued no reports while the region was down.");
            await Task.Delay(300);
        }
        var settings = Federation.Region(RegionKeyPem,
        [
            Federation.SiloHostProvince(Reporting, 4),
            new(Silent, Es256Key.FromPem(Es256Key.NewPem(), "r").PublicKey, Es256Key.FromPem(Es256Key.NewPem(), "h").PublicKey, 4),
            new(SelfSigned, SignedReportKey.PublicKey, SignedHeadKey.PublicKey, 4),
            new(Relogged, SignedReportKey.PublicKey, SignedHeadKey.PublicKey, 4),
            new(Flooded, SignedReportKey.PublicKey, SignedHeadKey.PublicKey, 4),
            new(FloodedThenIdle, SignedReportKey.PublicKey, SignedHeadKey.PublicKey, 4),
        ]);
        settings["Readiness:Region:RefusalsStoredPerWindow"] = RefusalCap.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Readiness:Region:RefusalWindowSeconds"] = "3600";
        Region = new SiloHost(RegionDatabase, loadDemo: false, settings: settings, httpPort: RegionPort);
        RegionHttp = await Region.StartAndWaitUntilReadyAsync();
    }

    /// <summary>Pins the public half of <paramref name="pem"/> as the region's cosigning key in the province's settings.</summary>
    public void PinWitnessKey(string pem) => Federation.PinWitnessKey(WitnessKeysFile, pem);

    public async Task<List<OutboxMessage>> OutboxAsync()
    {
        await using var session = Province.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return [.. await session.Query<OutboxMessage>().OrderBy(m => m.ReportSequence).ToListAsync()];
    }

    public async Task<WitnessedProvince> WitnessedAsync(string id) =>
        (await RegionHttp.GetFromJsonAsync<List<WitnessedProvince>>(new Uri("/api/region/provinces", UriKind.Relative), SiloFixture.Json))!.Single(p => p.Id == id);

    public async ValueTask DisposeAsync()
    {
        RegionHttp.Dispose();
        await Region.DisposeAsync();
        await Province.DisposeAsync();
        await RegionDatabase.DisposeAsync();
        await ProvinceDatabase.DisposeAsync();
        SignedReportKey.Dispose();
        SignedHeadKey.Dispose();
        File.Delete(WitnessKeysFile);
    }
}

public class RegionTests(FederationFixture federation) : IClassFixture<FederationFixture>
{
    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, int seconds = 30)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTimeOffset.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Reports_queued_while_the_region_was_down_arrive_once_each_and_in_order_with_their_heads_witnessed_and_cosigned()
    {
        var queued = federation.QueuedWhileDown;
        Assert.All(queued, m => Assert.False(m.Delivered));
        Assert.All(queued.Skip(1), m => Assert.Equal(0, m.Attempts));
        var last = queued.Max(m => m.ReportSequence);
        var outbox = await Eventually(federation.OutboxAsync, rows => rows.Where(r => r.ReportSequence <= last).All(r => r.Delivered));
        Assert.All(outbox.Where(r => r.ReportSequence <= last), r => Assert.True(r.Delivered, r.LastError));

        var accepted = await Eventually(() => AcceptedAsync(FederationFixture.Reporting), a => a.Count >= last);
        // Each queued report once, in the order numbered, and nothing refused on the way.
        Assert.Equal(Enumerable.Range(1, accepted.Count).Select(i => (long)i), accepted);
        Assert.Equal(0, await federation.RegionDatabase.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE stream_id = @s AND type = 'province_report_refused'", ("s", "region:" + FederationFixture.Reporting)));
        var delivered = (await federation.OutboxAsync()).Where(r => r.Delivered).ToList();
        Assert.Equal(delivered.Select(r => r.ReportSequence), accepted.Take(delivered.Count));

        var witnessed = await federation.WitnessedAsync(FederationFixture.Reporting);
        Assert.False(witnessed.Stale);
        Assert.Null(witnessed.Alarm);
        Assert.NotNull(witnessed.WitnessedHead);
        // The province kept the heads the region cosigned, and each verifies with the region's published key.
        var cosigned = delivered.Where(r => r.Cosigned is not null).Select(r => JsonSerializer.Deserialize<CosignedHead>(r.Cosigned!, SiloFixture.Json)!).ToList();
        Assert.NotEmpty(cosigned);
        var jwks = await federation.RegionHttp.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative), Cancel);
        foreach (var head in cosigned)
        {
            var payload = Encoding.UTF8.GetBytes(CosignedHead.Payload(head.ProvinceId, head.Log, head.Size, head.Root, head.MadeAt, head.Witness, head.WitnessedAt));
            Assert.Null(PublishedKeys.SignatureProblem(head.Signature, payload, jwks, CosignedHead.SignedPurpose, "cosigned head", "head"));
        }
        Assert.True(File.Exists(federation.Province.Services.GetRequiredService<AuditDatabases>().Main.Writer.CosignedFile));
    }

    [Fact]
    public async Task A_cosigned_head_that_the_pinned_witness_key_does_not_verify_is_not_kept_and_raises_the_alarm()
    {
        var writer = federation.Province.Services.GetRequiredService<AuditDatabases>().Main.Writer;
        await Eventually(() => Task.FromResult(File.Exists(writer.CosignedFile)), kept => kept);
        var alarms = federation.Province.Services.GetRequiredService<AuditAlarms>();
        // The province pins another key than the one the region signs with: a region impersonated, or a key swapped.
        federation.PinWitnessKey(Es256Key.NewPem());
        try
        {
            var kept = File.ReadAllLines(writer.CosignedFile).Length;
            var raised = await Eventually(() => Task.FromResult(alarms.Raised.TryGetValue("cosigned heads from quan-khu", out var a) ? a : null), a => a is not null);
            Assert.NotNull(raised);
            Assert.Contains("whose signature fails", raised, StringComparison.Ordinal);
            // Reports are still delivered, but none of their cosigned heads is kept, on the row or in the file.
            var since = (await federation.OutboxAsync()).Where(r => r.Delivered).Max(r => r.ReportSequence);
            var later = await Eventually(federation.OutboxAsync, rows => rows.Any(r => r.Delivered && r.ReportSequence > since));
            Assert.All(later.Where(r => r.Delivered && r.ReportSequence > since), r => Assert.Null(r.Cosigned));
            Assert.Equal(kept, File.ReadAllLines(writer.CosignedFile).Length);
        }
        finally
        {
            federation.PinWitnessKey(federation.RegionKeyPem);
        }
        // The right key pinned again: the next cosigned head is kept and the alarm cleared.
        Assert.False((await Eventually(() => Task.FromResult(alarms.Raised.ContainsKey("cosigned heads from quan-khu")), raised => !raised)));
    }

    [Fact]
    public async Task A_province_silent_past_its_interval_is_stale()
    {
        var silent = await federation.WitnessedAsync(FederationFixture.Silent);
        Assert.True(silent.Stale);
        Assert.Null(silent.ReportId);
        var reporting = await Eventually(() => federation.WitnessedAsync(FederationFixture.Reporting), p => p.ReportId is not null);
        Assert.False(reporting.Stale);
    }

    [Fact]
    public async Task A_forged_a_replayed_and_a_removed_keys_report_are_each_refused_recorded_once_and_raise_the_alarm()
    {
        var log = new MemoryLog();
        var first = Report(1, Head(log, 4));
        using (var accepted = await PostAsync(first))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
            var receipt = await accepted.Content.ReadFromJsonAsync<RegionReceipt>(SiloFixture.Json, Cancel);
            Assert.Equal(4, receipt!.CosignedHead!.Size);
        }
        // Sent again (an answer lost): acknowledged, not stored twice, not a replay.
        using (var again = await PostAsync(first))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.True((await again.Content.ReadFromJsonAsync<RegionReceipt>(SiloFixture.Json, Cancel))!.AlreadyAccepted);
        }
        var second = Report(2, Head(log, 3), proofFrom: (log, 4));
        using (var accepted = await PostAsync(second))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        var forged = first with { Body = first.Body.Replace("\"level\":\"R2\"", "\"level\":\"R1\"", StringComparison.Ordinal) };
        Assert.NotEqual(first.Body, forged.Body);
        await RefusedAsync(forged, HttpStatusCode.Forbidden, "does not hold with key");

        await RefusedAsync(first with { }, HttpStatusCode.Conflict, "replay");

        using var removed = Es256Key.FromPem(Es256Key.NewPem(), "a key no longer pinned");
        var byRemoved = Report(3, Head(log, 1), proofFrom: (log, 7), key: removed);
        await RefusedAsync(byRemoved, HttpStatusCode.Forbidden, "which is not among the keys given");

        Assert.Equal(2, await CountAsync("province_report_accepted"));
        Assert.Equal(3, await CountAsync("province_report_refused"));
        // The refused delivery sent again (an outbox retrying) is answered the same and recorded no more.
        await RefusedAsync(byRemoved, HttpStatusCode.Forbidden, "which is not among the keys given");
        Assert.Equal(3, await CountAsync("province_report_refused"));
    }

    [Fact]
    public async Task A_head_that_does_not_extend_the_last_witnessed_is_history_rewritten()
    {
        const string province = FederationFixture.Relogged;
        var log = new MemoryLog();
        using (var accepted = await PostAsync(Report(1, Head(log, 5), province: province)))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        // The owner rebuilds the log over other history: larger, signed with the right key, with a proof from the
        // witnessed size over the new tree, but not an extension of what was witnessed.
        var rewritten = new MemoryLog();
        var other = Head(rewritten, 8, salt: "changed");
        await RefusedAsync(Report(2, other, proofFrom: (rewritten, 5), province: province), HttpStatusCode.Conflict, $"History rewritten at province {province}", province);
        Assert.Equal(1, await CountAsync("province_report_refused", province));
        Assert.Equal(5, (await federation.WitnessedAsync(province)).WitnessedHead!.Size);
    }

    [Fact]
    public async Task A_flood_of_forged_reports_stores_at_most_the_cap_of_refusals_and_a_count_of_the_rest_and_a_genuine_report_is_still_accepted()
    {
        const string province = FederationFixture.Flooded;
        const int sent = 20;
        var alarms = federation.Region.Services.GetRequiredService<AuditAlarms>();
        using var forger = Es256Key.FromPem(Es256Key.NewPem(), "a key the region never pinned");
        for (var i = 1; i <= sent; i++)
        {
            // Each a distinct delivery, so none is answered as a copy of the one before.
            using var refused = await PostAsync(Report(i, Head(new MemoryLog(), 2), key: forger, province: province));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("which is not among the keys given", await refused.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
            Assert.Contains("which is not among the keys given", alarms.Raised[$"province {province}"], StringComparison.Ordinal);
        }
        Assert.Equal(FederationFixture.RefusalCap, await CountAsync("province_report_refused", province));
        var flooded = await federation.WitnessedAsync(province);
        Assert.Contains("which is not among the keys given", flooded.Alarm, StringComparison.Ordinal);

        // A genuine report is taken, and the count of the refusals not stored one by one is recorded before it.
        using (var accepted = await PostAsync(Report(1, Head(new MemoryLog(), 3), province: province)))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        Assert.Equal(FederationFixture.RefusalCap, await CountAsync("province_report_refused", province));
        Assert.Equal(1, await CountAsync("province_report_refusals_suppressed", province));
        Assert.Equal(sent - FederationFixture.RefusalCap, await federation.RegionDatabase.ScalarAsync(
            "SELECT sum((data->>'count')::bigint)::bigint FROM readiness.mt_events WHERE stream_id = @s AND type = 'province_report_refusals_suppressed'", ("s", "region:" + province)));
        var after = await federation.WitnessedAsync(province);
        Assert.Equal(sent, after.ReportsRefused);
        Assert.Equal(1, after.ReportsAccepted);
        Assert.Null(after.Alarm);
    }

    [Fact]
    public async Task The_count_of_refusals_not_stored_one_by_one_is_recorded_when_the_province_grain_is_deactivated_before_its_window_closes()
    {
        const string province = FederationFixture.FloodedThenIdle;
        const int sent = FederationFixture.RefusalCap + 3;
        using var forger = Es256Key.FromPem(Es256Key.NewPem(), "a key the region never pinned");
        for (var i = 1; i <= sent; i++)
        {
            using var refused = await PostAsync(Report(i, Head(new MemoryLog(), 2), key: forger, province: province));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }
        Assert.Equal(0, await CountAsync("province_report_refusals_suppressed", province));

        // The window (an hour) is still open and nothing else arrives: the count must not die with the activation.
        await federation.Region.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (await CountAsync("province_report_refusals_suppressed", province) == 0 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100, Cancel);
        }
        Assert.Equal(FederationFixture.RefusalCap, await CountAsync("province_report_refused", province));
        Assert.Equal(sent - FederationFixture.RefusalCap, await federation.RegionDatabase.ScalarAsync(
            "SELECT sum((data->>'count')::bigint)::bigint FROM readiness.mt_events WHERE stream_id = @s AND type = 'province_report_refusals_suppressed'",
            ("s", "region:" + province)));
        Assert.Equal(sent, (await federation.WitnessedAsync(province)).ReportsRefused);
    }

    private async Task RefusedAsync(ReceivedByRegion report, HttpStatusCode status, string reason, string province = FederationFixture.SelfSigned)
    {
        using var refused = await PostAsync(report);
        var problem = await refused.Content.ReadAsStringAsync(Cancel);
        Assert.Equal(status, refused.StatusCode);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        var alarms = federation.Region.Services.GetRequiredService<AuditAlarms>().Raised;
        Assert.Contains(reason, alarms[$"province {province}"], StringComparison.Ordinal);
        Assert.Contains(reason, (await federation.WitnessedAsync(province)).Alarm, StringComparison.Ordinal);
    }

    private Task<long> CountAsync(string type, string province = FederationFixture.SelfSigned) => federation.RegionDatabase.ScalarAsync(
        "SELECT count(*) FROM readiness.mt_events WHERE stream_id = @s AND type = @t", ("s", "region:" + province), ("t", type));

    private async Task<List<long>> AcceptedAsync(string province)
    {
        var rows = new List<long>();
        await using var connection = new Npgsql.NpgsqlConnection(federation.RegionDatabase.AppConnectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT (data->>'reportSequence')::bigint FROM readiness.mt_events WHERE stream_id = @s AND type = 'province_report_accepted' ORDER BY seq_id", connection);
        command.Parameters.AddWithValue("s", "region:" + province);
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        while (await reader.ReadAsync(Cancel))
        {
            rows.Add(reader.GetInt64(0));
        }
        return rows;
    }

    private sealed record ReceivedByRegion(string Body, string Signature, long? From, string? Proof);

    private TreeHead Head(MemoryLog log, int leaves, string salt = "")
    {
        for (var i = 0; i < leaves; i++)
        {
            log.Append(SHA256.HashData(Encoding.UTF8.GetBytes($"{salt}{log.Size}")));
        }
        var root = Convert.ToBase64String(log.Root());
        return new TreeHead(log.Size, root, At, federation.SignedHeadKey.KeyId,
            federation.SignedHeadKey.SignDetached(Encoding.UTF8.GetBytes(TreeHeadText.Payload(log.Size, root, At, "readiness_thu"))), "readiness_thu");
    }

    private ReceivedByRegion Report(long number, TreeHead head, (MemoryLog Log, long From)? proofFrom = null, Es256Key? key = null, string province = FederationFixture.SelfSigned)
    {
        var report = new UpwardReport($"{province}/routine/{number}", province, "Tỉnh thử", "routine", At, ReadinessLevel.R2,
            new LevelCounts(1, 1, 0, 0), [], 0, 0, number, "digest", [], head, Log: "readiness_thu", ReportSequence: number);
        var body = JsonSerializer.Serialize(report, SiloFixture.Json);
        var signature = (key ?? federation.SignedReportKey).SignDetached(Encoding.UTF8.GetBytes(body));
        return proofFrom is { } p
            ? new(body, signature, p.From, string.Join(',', MerkleLog.ConsistencyProof(p.Log, p.From, head.Size).Select(Convert.ToBase64String)))
            : new(body, signature, null, null);
    }

    private async Task<HttpResponseMessage> PostAsync(ReceivedByRegion report)
    {
        using var anonymous = new HttpClient { BaseAddress = federation.Region.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/region/reports", UriKind.Relative))
        {
            Content = new StringContent(report.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Readiness-Signature", report.Signature);
        if (report.From is { } from)
        {
            request.Headers.Add(ConsistencyHeaders.From, from.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add(ConsistencyHeaders.Proof, report.Proof);
        }
        return await anonymous.SendAsync(request, Cancel);
    }
}
