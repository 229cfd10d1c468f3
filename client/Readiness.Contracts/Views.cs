namespace Readiness.Contracts;

/// <summary>How many units sit at each readiness level.</summary>
public sealed record LevelCounts(
    int R1,
    int R2,
    int R3,
    int R4)
{
    public static readonly LevelCounts None = new(0, 0, 0, 0);

    public int Total => R1 + R2 + R3 + R4;

    public LevelCounts Add(ReadinessLevel level) => level switch
    {
        ReadinessLevel.R1 => this with { R1 = R1 + 1 },
        ReadinessLevel.R2 => this with { R2 = R2 + 1 },
        ReadinessLevel.R3 => this with { R3 = R3 + 1 },
        _ => this with { R4 = R4 + 1 },
    };
}

/// <summary>
/// A pointer from a figure to the event it rests on: the stream, its version, its kind, when it happened, and when
/// the store recorded it. The two differ for a late report, such as one kept in a commune's outbox while the silo
/// could not be reached; RecordedAt is null in views folded before it was kept.
/// </summary>
public sealed record EventRef(
    string StreamId,
    long Version,
    string Event,
    DateTimeOffset OccurredAt,
    DateTimeOffset? RecordedAt = null);

/// <summary>One area's level, what it measured, in words, and the events it rests on. A null level: the area does not apply.</summary>
public sealed record AreaRating(
    ReadinessArea Area,
    ReadinessLevel? Level,
    double? Measure,
    string Explanation,
    IReadOnlyList<EventRef> Evidence)
{
    /// <summary>When the newest event the figure rests on happened; null when it rests on none.</summary>
    public DateTimeOffset? NewestEvidenceAt => Evidence.Count == 0 ? null : Evidence.Max(e => e.OccurredAt);
}

/// <summary>
/// How fresh a unit's figures are: when the newest thing reported of it happened, when its echelon's
/// reporting interval runs out, and whether it has (stale: nothing reported since). A unit whose
/// echelon has no interval is never stale.
/// </summary>
public sealed record Freshness(DateTimeOffset? LastReportedAt, DateTimeOffset? DueBy, bool Stale, DateTimeOffset? OverdueNotedAt);

/// <summary>A unit that has reported nothing within its echelon's interval.</summary>
public sealed record StaleUnit(string UnitId, string Name, Echelon Echelon, DateTimeOffset? LastReportedAt, DateTimeOffset DueBy);

/// <summary>A unit's overall level and which area set it.</summary>
public sealed record UnitRating(
    ReadinessLevel Level,
    ReadinessArea SetBy,
    string Explanation,
    IReadOnlyList<AreaRating> Areas,
    DateTimeOffset RatedAt);
public sealed record Forces(
    int Recruits,
    int Standing,
    int ReserveMobilisation,
    int MilitiaSelfDefence);

/// <summary>One unit's readiness: its figures, its rating per area, and the overall level.</summary>
public sealed record UnitReadinessView(
    string Id,
    string Name,
    Echelon Echelon,
    string? ParentId,
    int AuthorisedStrength,
    int ActualStrength,
    double StrengthRatio,
    Forces Forces,
    ReadinessLevel PersonnelLevel,
    ReadinessLevel Level,
    UnitRating Rating,
    bool PartyCellActive,
    long Version,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<EquipmentHolding> Equipment,
    IReadOnlyList<MissionStatus> Missions,
    IReadOnlyList<MissionFlag> MissionFlags,
    Freshness? Freshness = null);

/// <summary>One category of a unit's equipment: authorised, on hand, and on hand by condition.</summary>
public sealed record EquipmentHolding(
    EquipmentCategory Category,
    int Authorised,
    int OnHand,
    int Serviceable,
    int UnderRepair,
    int Unserviceable);

/// <summary>An assigned mission and the commander's latest answer (null: not assessed since it was assigned).</summary>
public sealed record MissionStatus(
    Mission Mission,
    DateTimeOffset AssignedAt,
    MissionAnswer? Answer,
    string? Reason,
    string? AssessedBy,
    EventRef? Assessment);

/// <summary>
/// A contradiction between a commander's answer for a mission and the unit's own figures, such as
/// Yes for rescue while rescue equipment is unserviceable; the evidence is what contradicts it.
/// </summary>
public sealed record MissionFlag(
    Mission Mission,
    MissionAnswer Answer,
    string Problem,
    IReadOnlyList<EventRef> Evidence);

/// <summary>How many units with a mission are ready for it now, by the commander's answer; Flagged: answered Yes or Qualified against the figures.</summary>
public sealed record MissionTally(
    Mission Mission,
    int Assigned,
    int Yes,
    int Qualified,
    int No,
    int NotAssessed,
    int Flagged);

/// <summary>A unit whose answer for a mission its figures contradict.</summary>
public sealed record FlaggedUnit(
    string UnitId,
    string Name,
    Mission Mission,
    MissionAnswer Answer,
    string Problem);

/// <summary>A district's units by mission and answer, everything under the district command included.</summary>
public sealed record DistrictMissionReadiness(
    string Id,
    string Name,
    IReadOnlyList<MissionTally> Missions,
    IReadOnlyList<FlaggedUnit> Flagged,
    long Sequence,
    DateTimeOffset UpdatedAt);

/// <summary>"How many units are ready for each mission now, by district": the province's own units count in its totals only.</summary>
public sealed record ProvinceMissionReadiness(
    string Id,
    string Name,
    IReadOnlyList<MissionTally> Missions,
    IReadOnlyList<DistrictMissionReadiness> Districts,
    IReadOnlyList<FlaggedUnit> Flagged,
    long Sequence,
    DateTimeOffset UpdatedAt,
    DateTimeOffset RatedAt);

/// <summary>A unit below R2, and why.</summary>
public sealed record UnitConcern(
    string UnitId,
    string Name,
    ReadinessLevel Level,
    ReadinessArea SetBy,
    string Explanation,
    double? Measure);

/// <summary>A duty post as the command centre sees it now.</summary>
public sealed record PostStatus(
    string PostId,
    string Name,
    DutyKind Kind,
    string OwnerUnitId,
    bool OnDuty,
    int StaffPresent,
    int StaffRequired,
    DateTimeOffset? HandoverDueAt,
    DateTimeOffset? OverdueAlertRaisedAt);
public sealed record ExerciseUnderWay(
    string ExerciseId,
    string Name,
    ExerciseLevel Level,
    ExerciseKind Kind,
    DateTimeOffset StartedAt);

/// <summary>A commune command and the units under it, rolled up.</summary>
public sealed record CommuneReadinessView(
    string Id,
    string Name,
    ReadinessLevel Level,
    int AuthorisedStrength,
    int ActualStrength,
    LevelCounts Units,
    DateTimeOffset? LastReportedAt = null);

/// <summary>A district command and everything under it, rolled up, with the sequence and time of the province view it comes from.</summary>
public sealed record DistrictReadinessView(
    string Id,
    string Name,
    ReadinessLevel? Level,
    int AuthorisedStrength,
    int ActualStrength,
    LevelCounts Units,
    IReadOnlyList<CommuneReadinessView> Communes,
    IReadOnlyList<UnitConcern> BelowR2,
    IReadOnlyList<PostStatus> PostsNotManned,
    long Sequence,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastReportedAt = null,
    IReadOnlyList<StaleUnit>? Stale = null);

/// <summary>
/// The province at a glance. <see cref="Sequence"/> is the last event the view reflects and
/// <see cref="UpdatedAt"/> when it was projected; <see cref="RatedAt"/> is the moment the levels
/// were computed for (time-based areas such as duty depend on it). A province dissolved by a
/// reorganisation is shown as it last stood, rated at the moment before <see cref="DissolvedAt"/>,
/// and names the <see cref="SuccessorId"/> that carries on its history.
/// </summary>
public sealed record ProvinceReadinessView(
    string Id,
    string Name,
    ReadinessLevel? Level,
    LevelCounts Units,
    IReadOnlyList<DistrictReadinessView> Districts,
    IReadOnlyList<UnitConcern> BelowR2,
    IReadOnlyList<PostStatus> PostsNotManned,
    IReadOnlyList<PostStatus> OpenAlerts,
    IReadOnlyList<ExerciseUnderWay> ExercisesUnderWay,
    long Sequence,
    DateTimeOffset UpdatedAt,
    DateTimeOffset RatedAt,
    IReadOnlyList<StaleUnit>? Stale = null,
    DateTimeOffset? DissolvedAt = null,
    string? SuccessorId = null);

public sealed record ExerciseTally(
    ExerciseLevel Level,
    Grade Grade,
    int Count);
public sealed record AwardTally(
    AwardKind Kind,
    RecipientKind RecipientKind,
    int Count);
public sealed record ConscriptionSummary(
    int Quota,
    int Enlisted,
    int HandedOver,
    double Progress);
public sealed record DutySummary(
    int Posts,
    double Coverage,
    int OverdueHandoverAlerts);

/// <summary>A province's year, computed from the events that happened in it.</summary>
public sealed record YearSummary(
    string ProvinceId,
    int Year,
    IReadOnlyList<ExerciseTally> Exercises,
    int ExercisesCancelled,
    ConscriptionSummary Conscription,
    int PupilsAndStudentsEducated,
    int CadresEducated,
    int OutreachSessions,
    int OutreachAttendances,
    int PartyCellsActiveAtYearEnd,
    IReadOnlyList<AwardTally> Awards,
    DutySummary Duty,
    long Sequence,
    DateTimeOffset UpdatedAt);

/// <summary>A unit in a list: enough to show it and drill into it.</summary>
public sealed record UnitSummary(
    string Id,
    string Name,
    Echelon Echelon,
    ReadinessLevel Level,
    ReadinessArea SetBy,
    int AuthorisedStrength,
    int ActualStrength,
    int Children);

/// <summary>One province as a military region sees it beside its others: its level and what needs attention.</summary>
public sealed record ProvinceAtAGlance(
    string Id,
    string Name,
    ReadinessLevel? Level,
    LevelCounts Units,
    int Districts,
    int UnitsBelowR2,
    int PostsNotManned,
    int OpenAlerts,
    int ExercisesUnderWay,
    long Sequence,
    DateTimeOffset UpdatedAt);
