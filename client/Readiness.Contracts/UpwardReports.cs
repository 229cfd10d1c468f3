namespace Readiness.Contracts;

/// <summary>
/// The readiness report a province pushes to each higher-echelon endpoint. <c>Purpose</c> and <c>Log</c>
/// are in the signed body so that a report's signature never passes for anything else the province signs
/// (a tree head names <c>readiness-tree-head/v1</c>), and says which database's log its tree head is of.
/// <c>ReportSequence</c> counts the province's reports from 1 in the order they were queued: the region
/// accepts only a number above the last it accepted, so a report sent again later is a replay.
/// <c>Sequence</c> is the province view's own position, which two reports queued together share.
/// What the echelon above acts on comes last: the answers for each mission, the equipment by condition, the units
/// that have gone silent, those below R2 with the area and words that put them there, and what the province's
/// commander said since the last report. Null in a report made before these were carried.
/// </summary>
public sealed record UpwardReport(
    string ReportId,
    string ProvinceId,
    string ProvinceName,
    string Reason,
    DateTimeOffset GeneratedAt,
    ReadinessLevel? Level,
    LevelCounts Units,
    IReadOnlyList<ProvinceDistrictLine> Districts,
    int PostsNotManned,
    int OpenAlerts,
    long Sequence,
    string ChainHeadsDigest,
    IReadOnlyList<ChainHead> ChainHeads,
    TreeHead? TreeHead = null,
    string Purpose = UpwardReport.SignedPurpose,
    string? Log = null,
    long ReportSequence = 0,
    IReadOnlyList<MissionTally>? Missions = null,
    IReadOnlyList<EquipmentHolding>? Equipment = null,
    IReadOnlyList<StaleUnit>? Stale = null,
    IReadOnlyList<UnitConcern>? BelowR2 = null,
    IReadOnlyList<CommanderComment>? Comments = null)
{
    /// <summary>What a report's signed body names as its purpose; a checker refuses any other.</summary>
    public const string SignedPurpose = "readiness-upward-report/v1";
}

/// <summary>What a province's commander wrote for the echelon above, who wrote it, when, and the event it was recorded as.</summary>
public sealed record CommanderComment(string Comment, string CommentedBy, DateTimeOffset OccurredAt, EventRef Event);

/// <summary>One district's line in an upward report.</summary>
public sealed record ProvinceDistrictLine(string Id, string Name, ReadinessLevel? Level, LevelCounts Units);

/// <summary>A report waiting for, or delivered to, one endpoint.</summary>
public sealed record OutboxEntry(
    string Id, string ReportId, string ProvinceId, string Endpoint, string Reason,
    DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, string? LastError);
