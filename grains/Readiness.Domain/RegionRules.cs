using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Domain.Integrity;

namespace Readiness.Domain;

/// <summary>
/// What the region trusts a province with: its id, its pinned public keys (a JWK Set with a <c>purpose</c>
/// on each key, as the province's <c>/.well-known/jwks.json</c> gives it; several may be listed while a key
/// rotates, and a removed key is simply not listed) and how often it must report.
/// </summary>
public sealed record ProvinceTrust(string ProvinceId, string Keys, TimeSpan Interval);

/// <summary>A report as it arrived: its body exactly as sent, the detached JWS, and the consistency proof from the headers.</summary>
public sealed record ReceivedReport(string Body, string? Signature, long? ConsistencyFrom, IReadOnlyList<string>? ConsistencyProof)
{
    /// <summary>SHA-256 over the body and the signature: the same delivery sent again has the same digest.</summary>
    public string Digest => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{Body}\n{Signature}")));
}

/// <summary>The region's record of one province, folded from its accepted and refused reports.</summary>
public sealed record ProvinceRecord(
    ProvinceReportAccepted? Last = null,
    TreeHead? LastHead = null,
    long HeadsWitnessed = 0,
    ProvinceReportRefused? LastRefusal = null,
    long Accepted = 0,
    long Refused = 0);

/// <summary>What the region does with a report: record it as accepted or refused, or answer as before (a delivery sent again).</summary>
public enum VerdictOutcome
{
    Accepted,
    AlreadyAccepted,
    Refused,
    AlreadyRefused,
}

/// <summary>How many refusals of one province are stored per window; beyond it they are counted.</summary>
public sealed record RefusalCap(int PerWindow, TimeSpan Window);

/// <summary>
/// The refusals of one province within the current window: how many were stored, and those only counted
/// since the count was last recorded (when the first and last came, and the last one's reason).
/// </summary>
public sealed record RefusalWindow(
    DateTimeOffset Start,
    int Stored = 0,
    long Suppressed = 0,
    DateTimeOffset? FirstSuppressedAt = null,
    DateTimeOffset? LastSuppressedAt = null,
    string? LastReason = null);

/// <summary>The outcome, the event to append (none when answered as before), and the accepted report the answer names.</summary>
public sealed record RegionVerdict(VerdictOutcome Outcome, object? Event, ProvinceReportAccepted? Accepted, ProvinceReportRefused? Refusal);

/// <summary>
/// The region's rules for a province's reports: pure, so that what is accepted, refused or called a replay
/// is decided the same wherever it runs and tested without a silo. A refusal is itself recorded (an event
/// with the reason); a delivery identical to the last accepted or the last refused is answered as before
/// and records nothing, so an outbox retrying after a lost answer is neither stored twice nor called a replay.
/// </summary>
public static class RegionRules
{
    public static ProvinceRecord Evolve(ProvinceRecord record, object @event) => @event switch
    {
        ProvinceReportAccepted accepted => record with
        {
            Last = accepted,
            LastHead = accepted.Head ?? record.LastHead,
            HeadsWitnessed = record.HeadsWitnessed + (accepted.Head is { } head && !SameHead(head, record.LastHead) ? 1 : 0),
            Accepted = record.Accepted + 1,
        },
        ProvinceReportRefused refused => record with { LastRefusal = refused, Refused = record.Refused + 1 },
        // Counted, not stored one by one: the alarm stands on the last refusal stored, the count includes them all.
        ProvinceReportRefusalsSuppressed suppressed => record with { Refused = record.Refused + suppressed.Count },
        _ => record,
    };

    /// <summary>
    /// Decides a report said to be <paramref name="provinceId"/>'s. <paramref name="trust"/> is null when
    /// that province is not registered.
    /// </summary>
    public static RegionVerdict Decide(ProvinceRecord record, ProvinceTrust? trust, string provinceId, ReceivedReport received, DateTimeOffset now)
    {
        var digest = received.Digest;
        if (record.Last is { } last && last.Digest == digest)
        {
            return new(VerdictOutcome.AlreadyAccepted, null, last, null);
        }
        if (record.LastRefusal is { } refusal && refusal.Digest == digest)
        {
            return new(VerdictOutcome.AlreadyRefused, null, null, refusal);
        }
        UpwardReport? report = null;
        try
        {
            report = JsonSerializer.Deserialize<UpwardReport>(received.Body, ContractJson.Options);
        }
        catch (JsonException)
        {
            // Refused below as not a report.
        }
        RegionVerdict Refuse(ReportRefusal kind, string reason)
        {
            var refused = new ProvinceReportRefused(provinceId, report?.ReportId, report?.ReportSequence, kind, reason, digest, now);
            return new(VerdictOutcome.Refused, refused, null, refused);
        }
        if (trust is null)
        {
            return Refuse(ReportRefusal.Unregistered, $"Province '{provinceId}' is not registered with this region: its reports are not taken.");
        }
        if (string.IsNullOrEmpty(received.Signature))
        {
            return Refuse(ReportRefusal.Signature, "The report carries no signature (X-Readiness-Signature).");
        }
        if (SignedReport.SignatureProblem(Encoding.UTF8.GetBytes(received.Body), received.Signature, trust.Keys) is { } problem)
        {
            return Refuse(ReportRefusal.Signature, $"The report's signature does not hold with the keys pinned for {provinceId}: {problem}");
        }
        if (report is null || string.IsNullOrEmpty(report.ReportId))
        {
            return Refuse(ReportRefusal.Malformed, "The signed body is not a report.");
        }
        if (report.ProvinceId != trust.ProvinceId)
        {
            return Refuse(ReportRefusal.Signature, $"The report names province '{report.ProvinceId}' but is signed with a key pinned for '{trust.ProvinceId}'.");
        }
        if (record.Last is { } previous && report.ReportId == previous.ReportId && report.ReportSequence == previous.ReportSequence)
        {
            // The same report signed again (a key rotated between a lost answer and the retry): answered as before.
            return new(VerdictOutcome.AlreadyAccepted, null, previous, null);
        }
        if (record.Last is { } before && report.ReportSequence <= before.ReportSequence)
        {
            return Refuse(ReportRefusal.Replay, $"Report {report.ReportId} is number {report.ReportSequence}, not after {before.ReportSequence} "
                + $"({before.ReportId}), the last accepted from {provinceId}: it is a replay, or came out of order.");
        }
        if (HeadProblem(record, trust, report, received) is { } head)
        {
            return Refuse(head.Kind, head.Reason);
        }
        var accepted = new ProvinceReportAccepted(report.ProvinceId, report.ProvinceName, report.ReportId, report.ReportSequence, report.Reason,
            report.GeneratedAt, report.Level, report.Units, report.TreeHead, digest, now, report.Missions);
        return new(VerdictOutcome.Accepted, accepted, accepted, null);
    }

    /// <summary>
    /// Why the report's head cannot be witnessed, or null: it must be signed by a head key pinned for the
    /// province, name the report's log, and extend the last head witnessed (an RFC 9162 consistency proof
    /// from that head's size, carried beside the report). The first head of a province is taken as it comes.
    /// </summary>
    private static (ReportRefusal Kind, string Reason)? HeadProblem(ProvinceRecord record, ProvinceTrust trust, UpwardReport report, ReceivedReport received)
    {
        var province = trust.ProvinceId;
        if (report.TreeHead is not { } head)
        {
            return record.LastHead is { } witnessed
                ? (ReportRefusal.Head, $"The report carries no tree head; the region witnessed {province}'s log at size {witnessed.Size:N0} and needs each report to extend it.")
                : null;
        }
        if (SignedHead.SignatureProblem(head, trust.Keys) is { } problem)
        {
            return (ReportRefusal.Head, $"The report's tree head does not hold with the keys pinned for {province}: {problem}");
        }
        if (head.Log != report.Log)
        {
            return (ReportRefusal.Head, $"The report is of log '{report.Log}' but its tree head names log '{head.Log}'.");
        }
        if (record.LastHead is not { } last)
        {
            return null;
        }
        var rewritten = $"History rewritten at province {province}: the head of log '{head.Log}' at size {head.Size:N0} does not extend "
            + $"the head the region witnessed at size {last.Size:N0} (made {last.MadeAt:u})";
        if (head.Log != last.Log)
        {
            return (ReportRefusal.Rewritten, $"{rewritten}: it names another log, '{last.Log}' was witnessed.");
        }
        if (head.Size < last.Size)
        {
            return (ReportRefusal.Rewritten, $"{rewritten}: the log is smaller.");
        }
        if (head.Size == last.Size)
        {
            return head.Root == last.Root ? null : (ReportRefusal.Rewritten, $"{rewritten}: the same size with another root.");
        }
        if (received.ConsistencyFrom != last.Size || received.ConsistencyProof is null)
        {
            return (ReportRefusal.Head, $"The report carries no consistency proof from size {last.Size:N0}, the last head of {province}'s log the region witnessed "
                + $"(it gave {(received.ConsistencyFrom is { } from ? $"one from size {from:N0}" : "none")}).");
        }
        List<byte[]> path;
        try
        {
            path = [.. received.ConsistencyProof.Select(Convert.FromBase64String)];
            return MerkleLog.VerifyConsistency(last.Size, head.Size, Convert.FromBase64String(last.Root), Convert.FromBase64String(head.Root), path)
                ? null
                : (ReportRefusal.Rewritten, $"{rewritten}: the consistency proof from size {last.Size:N0} to {head.Size:N0} fails.");
        }
        catch (FormatException)
        {
            return (ReportRefusal.Head, "The consistency proof or a root is not base64.");
        }
    }

    /// <summary>Silent past its interval: no report accepted in the last interval (or ever).</summary>
    public static bool Stale(ProvinceRecord record, TimeSpan interval, DateTimeOffset now) =>
        record.Last is not { } last || now - last.OccurredAt > interval;

    /// <summary>The alarm that stands for a province: its last refusal, unless a report was accepted after it.</summary>
    public static string? Alarm(ProvinceRecord record) =>
        record.LastRefusal is { } refusal && (record.Last is null || refusal.OccurredAt >= record.Last.OccurredAt) ? refusal.Reason : null;

    /// <summary>
    /// Whether <paramref name="refusal"/> is stored as an event, and the window after it.
    /// At most <see cref="RefusalCap.PerWindow"/> refusals are stored per window; the rest are only counted,
    /// so a flood of forged deliveries grows the region's store by a bounded amount per window.
    /// </summary>
    public static (bool Store, RefusalWindow Window) Throttle(RefusalWindow window, RefusalCap cap, ProvinceReportRefused refusal)
    {
        var now = refusal.OccurredAt;
        var current = now >= window.Start + cap.Window ? window with { Start = now, Stored = 0 } : window;
        return current.Stored < cap.PerWindow
            ? (true, current with { Stored = current.Stored + 1 })
            : (false, current with
            {
                Suppressed = current.Suppressed + 1,
                FirstSuppressedAt = current.FirstSuppressedAt ?? now,
                LastSuppressedAt = now,
                LastReason = refusal.Reason,
            });
    }

    /// <summary>The count of refusals not stored since the last count was recorded, as the event that records it; null when there are none.</summary>
    public static ProvinceReportRefusalsSuppressed? Suppressed(RefusalWindow window, string provinceId, DateTimeOffset now) =>
        window is { Suppressed: > 0, FirstSuppressedAt: { } first, LastSuppressedAt: { } last }
            ? new(provinceId, window.Suppressed, first, last, window.LastReason ?? string.Empty, now)
            : null;

    /// <summary>The window once its count is recorded: the refusals stored in it still count against the cap.</summary>
    public static RefusalWindow Recorded(RefusalWindow window) =>
        window with { Suppressed = 0, FirstSuppressedAt = null, LastSuppressedAt = null, LastReason = null };

    private static bool SameHead(TreeHead head, TreeHead? other) => other is not null && head.Size == other.Size && head.Root == other.Root && head.Log == other.Log;
}
