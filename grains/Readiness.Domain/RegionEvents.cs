using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>
/// The region accepted a province's report: its signature held with a key pinned for that province, its
/// number came after the last accepted, and its tree head extends every head of the province's log the
/// region witnessed. <c>Head</c> is the head witnessed (null only before the province's log signed one);
/// <c>Missions</c> are the report's answers per mission (null from a province whose reports carried none).
/// </summary>
public sealed record ProvinceReportAccepted(
    string ProvinceId,
    string ProvinceName,
    string ReportId,
    long ReportSequence,
    string Reason,
    DateTimeOffset GeneratedAt,
    ReadinessLevel? Level,
    LevelCounts Units,
    TreeHead? Head,
    string Digest,
    DateTimeOffset OccurredAt,
    IReadOnlyList<MissionTally>? Missions = null) : IReadinessEvent;

/// <summary>
/// The region refused a report said to be a province's, and why; the report's own claims (its id and
/// number) are kept as it made them, unchecked. <c>Digest</c> is the SHA-256 of what arrived (body and
/// signature), so the same delivery sent again is not recorded twice.
/// </summary>
public sealed record ProvinceReportRefused(
    string ProvinceId,
    string? ReportId,
    long? ReportSequence,
    ReportRefusal Refusal,
    string Reason,
    string Digest,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>
/// The region refused more of a province's reports within a window than it stores one by one
/// (<c>Readiness:Region:RefusalsStoredPerWindow</c>): each was answered and raised the alarm, and this
/// records how many there were, from <c>FirstAt</c> to <c>LastAt</c>, and the last one's reason.
/// </summary>
public sealed record ProvinceReportRefusalsSuppressed(
    string ProvinceId,
    long Count,
    DateTimeOffset FirstAt,
    DateTimeOffset LastAt,
    string LastReason,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>Why a report was refused, by kind.</summary>
public enum ReportRefusal
{
    /// <summary>Not a report: no body, no signature, or a body that is not a report.</summary>
    Malformed,

    /// <summary>The province it names is not registered with the region.</summary>
    Unregistered,

    /// <summary>The signature does not hold with a key pinned for the province and for reports (forged, or a removed key).</summary>
    Signature,

    /// <summary>Its number is not after the last accepted: sent again, or out of order.</summary>
    Replay,

    /// <summary>Its tree head cannot be witnessed: unsigned, signed by a key not pinned, of another log, or without the consistency proof asked for.</summary>
    Head,

    /// <summary>Its tree head does not extend the last the region witnessed: the province's history was rewritten.</summary>
    Rewritten,
}
