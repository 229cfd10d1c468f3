using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Domain.Integrity;

namespace Readiness.Domain.Tests;

/// <summary>The region's rules for a province's reports, with keys and logs made here: what is accepted, refused, a replay, or answered as before.</summary>
public sealed class RegionRulesTests : IDisposable
{
    private const string Province = "thai-nguyen";
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly ECDsa reportKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa headKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly MemoryLog log = new();

    public void Dispose()
    {
        reportKey.Dispose();
        headKey.Dispose();
    }

    private static ProvinceTrust Trust(params (ECDsa Key, string Kid, string Purpose)[] keys) =>
        new(Province, JsonSerializer.Serialize(new { keys = keys.Select(k => Jwk(k.Key, k.Kid, k.Purpose)).ToArray() }), TimeSpan.FromMinutes(5));

    private ProvinceTrust Pinned => Trust((reportKey, "report-1", UpwardReport.SignedPurpose), (headKey, "head-1", TreeHeadText.Purpose));

    private static object Jwk(ECDsa key, string kid, string purpose)
    {
        var p = key.ExportParameters(false);
        return new { kty = "EC", crv = "P-256", kid, x = Base64Url.EncodeToString(p.Q.X), y = Base64Url.EncodeToString(p.Q.Y), purpose };
    }

    private static string Sign(ECDsa key, string kid, string payload)
    {
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{kid}}"}"""));
        var input = Encoding.ASCII.GetBytes($"{header}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload))}");
        return $"{header}..{Base64Url.EncodeToString(key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))}";
    }

    /// <summary>Grows the province's log by <paramref name="leaves"/> and signs its head.</summary>
    private TreeHead Head(int leaves, string salt = "")
    {
        for (var i = 0; i < leaves; i++)
        {
            log.Append(SHA256.HashData(Encoding.UTF8.GetBytes($"{salt}{log.Size}")));
        }
        var root = Convert.ToBase64String(log.Root());
        var payload = TreeHeadText.Payload(log.Size, root, Now, "readiness_tn");
        return new TreeHead(log.Size, root, Now, "head-1", Sign(headKey, "head-1", payload), "readiness_tn");
    }

    private ReceivedReport Report(long sequence, TreeHead? head, long? from = null, ECDsa? key = null, string kid = "report-1")
    {
        var report = new UpwardReport($"{Province}/routine/{sequence}", Province, "Thái Nguyên", "routine", Now, ReadinessLevel.R2, new LevelCounts(1, 2, 3, 4),
            [], 0, 0, 10, "digest", [], head, Log: "readiness_tn", ReportSequence: sequence);
        var body = JsonSerializer.Serialize(report, ContractJson.Options);
        var proof = from is { } size && head is not null ? MerkleLog.ConsistencyProof(log, size, head.Size).Select(Convert.ToBase64String).ToList() : null;
        return new ReceivedReport(body, Sign(key ?? reportKey, kid, body), from, proof);
    }

    private static ProvinceRecord Apply(ProvinceRecord record, RegionVerdict verdict) =>
        verdict.Event is { } e ? RegionRules.Evolve(record, e) : record;

    [Fact]
    public void Reports_whose_heads_extend_the_last_are_accepted_and_every_head_is_witnessed()
    {
        var record = new ProvinceRecord();
        var first = RegionRules.Decide(record, Pinned, Province, Report(1, Head(5)), Now);
        Assert.Equal(VerdictOutcome.Accepted, first.Outcome);
        record = Apply(record, first);
        var second = RegionRules.Decide(record, Pinned, Province, Report(2, Head(7), from: 5), Now);
        Assert.Equal(VerdictOutcome.Accepted, second.Outcome);
        record = Apply(record, second);
        Assert.Equal((2L, 12L, 2L), (record.Accepted, record.LastHead!.Size, record.HeadsWitnessed));
        Assert.Null(RegionRules.Alarm(record));
    }

    [Fact]
    public void The_same_delivery_twice_is_acknowledged_once_and_not_called_a_replay()
    {
        var record = new ProvinceRecord();
        var report = Report(1, Head(5));
        record = Apply(record, RegionRules.Decide(record, Pinned, Province, report, Now));
        var again = RegionRules.Decide(record, Pinned, Province, report, Now);
        Assert.Equal(VerdictOutcome.AlreadyAccepted, again.Outcome);
        Assert.Null(again.Event);
    }

    [Fact]
    public void An_older_number_is_refused_as_a_replay_and_raises_the_alarm()
    {
        var record = new ProvinceRecord();
        var old = Report(1, Head(3));
        record = Apply(record, RegionRules.Decide(record, Pinned, Province, old, Now));
        record = Apply(record, RegionRules.Decide(record, Pinned, Province, Report(2, Head(2), from: 3), Now));
        var replayed = Report(1, record.LastHead);
        var replay = RegionRules.Decide(record, Pinned, Province, replayed, Now);
        Assert.Equal(VerdictOutcome.Refused, replay.Outcome);
        Assert.Equal(ReportRefusal.Replay, replay.Refusal!.Refusal);
        record = Apply(record, replay);
        Assert.Contains("replay", RegionRules.Alarm(record), StringComparison.Ordinal);
        // The same refused delivery again records nothing more.
        Assert.Equal(VerdictOutcome.AlreadyRefused, RegionRules.Decide(record, Pinned, Province, replayed, Now).Outcome);
    }

    [Fact]
    public void A_report_signed_by_another_key_or_a_removed_one_or_the_head_key_is_refused()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = RegionRules.Decide(new ProvinceRecord(), Pinned, Province, Report(1, Head(1), key: other), Now);
        Assert.Equal(ReportRefusal.Signature, forged.Refusal!.Refusal);

        var removed = Trust((headKey, "head-1", TreeHeadText.Purpose), (other, "report-2", UpwardReport.SignedPurpose));
        var byRemoved = RegionRules.Decide(new ProvinceRecord(), removed, Province, Report(1, Head(1)), Now);
        Assert.Equal(ReportRefusal.Signature, byRemoved.Refusal!.Refusal);
        Assert.Contains("'report-1', which is not among the keys given", byRemoved.Refusal.Reason, StringComparison.Ordinal);

        var byHeadKey = RegionRules.Decide(new ProvinceRecord(), Pinned, Province, Report(1, Head(1), key: headKey, kid: "head-1"), Now);
        Assert.Equal(ReportRefusal.Signature, byHeadKey.Refusal!.Refusal);
    }

    [Fact]
    public void A_rotated_key_listed_beside_the_old_one_is_taken()
    {
        using var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var both = Trust((reportKey, "report-1", UpwardReport.SignedPurpose), (next, "report-2", UpwardReport.SignedPurpose), (headKey, "head-1", TreeHeadText.Purpose));
        var record = Apply(new ProvinceRecord(), RegionRules.Decide(new ProvinceRecord(), both, Province, Report(1, Head(2)), Now));
        Assert.Equal(VerdictOutcome.Accepted, RegionRules.Decide(record, both, Province, Report(2, Head(1), from: 2, key: next, kid: "report-2"), Now).Outcome);
    }

    [Fact]
    public void A_head_that_does_not_extend_the_last_is_history_rewritten()
    {
        var record = Apply(new ProvinceRecord(), RegionRules.Decide(new ProvinceRecord(), Pinned, Province, Report(1, Head(8)), Now));
        // The owner rebuilds the log over changed history: a log of another content, larger, with a valid signature.
        var rewrittenLog = new MemoryLog();
        for (var i = 0; i < 12; i++)
        {
            rewrittenLog.Append(SHA256.HashData(Encoding.UTF8.GetBytes($"changed{i}")));
        }
        var root = Convert.ToBase64String(rewrittenLog.Root());
        var head = new TreeHead(12, root, Now, "head-1", Sign(headKey, "head-1", TreeHeadText.Payload(12, root, Now, "readiness_tn")), "readiness_tn");
        var report = Report(2, head);
        var proof = MerkleLog.ConsistencyProof(rewrittenLog, 8, 12).Select(Convert.ToBase64String).ToList();
        var verdict = RegionRules.Decide(record, Pinned, Province, report with { ConsistencyFrom = 8, ConsistencyProof = proof }, Now);
        Assert.Equal(ReportRefusal.Rewritten, verdict.Refusal!.Refusal);
        Assert.StartsWith("History rewritten at province thai-nguyen", verdict.Refusal.Reason, StringComparison.Ordinal);

        var noProof = RegionRules.Decide(record, Pinned, Province, Report(2, Head(4)), Now);
        Assert.Equal(ReportRefusal.Head, noProof.Refusal!.Refusal);
    }

    [Fact]
    public void An_unregistered_province_is_refused()
    {
        var verdict = RegionRules.Decide(new ProvinceRecord(), null, "cao-bang", Report(1, null), Now);
        Assert.Equal(ReportRefusal.Unregistered, verdict.Refusal!.Refusal);
    }

    [Fact]
    public void Silent_past_its_interval_a_province_is_stale()
    {
        var record = Apply(new ProvinceRecord(), RegionRules.Decide(new ProvinceRecord(), Pinned, Province, Report(1, Head(1)), Now));
        Assert.False(RegionRules.Stale(record, TimeSpan.FromMinutes(5), Now.AddMinutes(4)));
        Assert.True(RegionRules.Stale(record, TimeSpan.FromMinutes(5), Now.AddMinutes(6)));
        Assert.True(RegionRules.Stale(new ProvinceRecord(), TimeSpan.FromMinutes(5), Now));
    }
    [Fact]
    public void Refusals_beyond_the_cap_in_a_window_are_counted_not_stored_and_the_count_is_recorded_once_with_the_last_reason()
    {
        var cap = new RefusalCap(2, TimeSpan.FromMinutes(10));
        var window = new RefusalWindow(DateTimeOffset.MinValue);
        var stored = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            var refused = new ProvinceReportRefused(Province, null, null, ReportRefusal.Signature, $"forged {i}", $"d{i}", Now.AddSeconds(i));
            (var store, window) = RegionRules.Throttle(window, cap, refused);
            stored.Add(store);
        }
        Assert.Equal([true, true, false, false, false], stored);
        var counted = RegionRules.Suppressed(window, Province, Now.AddMinutes(1));
        Assert.NotNull(counted);
        Assert.Equal((3L, Now.AddSeconds(2), Now.AddSeconds(4), "forged 4"), (counted.Count, counted.FirstAt, counted.LastAt, counted.LastReason));
        window = RegionRules.Recorded(window);
        Assert.Null(RegionRules.Suppressed(window, Province, Now.AddMinutes(1)));

        // Still within the window: the next is counted; once it has closed, one is stored again.
        var within = new ProvinceReportRefused(Province, null, null, ReportRefusal.Signature, "again", "d5", Now.AddMinutes(9));
        Assert.False(RegionRules.Throttle(window, cap, within).Store);
        var later = within with { OccurredAt = Now.AddMinutes(10) };
        Assert.True(RegionRules.Throttle(window, cap, later).Store);

        // Folded, the count adds to the refusals the view shows, and the alarm stands on the last stored.
        var record = RegionRules.Evolve(new ProvinceRecord(), new ProvinceReportRefused(Province, null, null, ReportRefusal.Signature, "stored", "d", Now));
        record = RegionRules.Evolve(record, counted);
        Assert.Equal(4, record.Refused);
        Assert.Equal("stored", RegionRules.Alarm(record));
    }
}
