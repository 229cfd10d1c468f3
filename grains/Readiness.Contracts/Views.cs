namespace Readiness.Contracts;

/// <summary>How many units sit at each readiness level.</summary>
[GenerateSerializer, Immutable, Alias("readiness.level-counts")]
public sealed record LevelCounts(
    [property: Id(0)] int R1,
    [property: Id(1)] int R2,
    [property: Id(2)] int R3,
    [property: Id(3)] int R4)
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

/// <summary>A pointer from a figure to the event it rests on: the stream, its version, its kind, when it happened.</summary>
[GenerateSerializer, Immutable, Alias("readiness.event-ref")]
public sealed record EventRef(
    [property: Id(0)] string StreamId,
    [property: Id(1)] long Version,
    [property: Id(2)] string Event,
    [property: Id(3)] DateTimeOffset OccurredAt);

/// <summary>One area's level, what it measured, in words, and the events it rests on. A null level: the area does not apply.</summary>
[GenerateSerializer, Immutable, Alias("readiness.area-rating")]
public sealed record AreaRating(
    [property: Id(0)] ReadinessArea Area,
    [property: Id(1)] ReadinessLevel? Level,
    [property: Id(2)] double? Measure,
    [property: Id(3)] string Explanation,
    [property: Id(4)] IReadOnlyList<EventRef> Evidence);

/// <summary>A unit's overall level and which area set it.</summary>
[GenerateSerializer, Immutable, Alias("readiness.unit-rating")]
public sealed record UnitRating(
    [property: Id(0)] ReadinessLevel Level,
    [property: Id(1)] ReadinessArea SetBy,
    [property: Id(2)] string Explanation,
    [property: Id(3)] IReadOnlyList<AreaRating> Areas,
    [property: Id(4)] DateTimeOffset RatedAt);

[GenerateSerializer, Immutable, Alias("readiness.forces")]
public sealed record Forces(
    [property: Id(0)] int Recruits,
    [property: Id(1)] int Standing,
    [property: Id(2)] int ReserveMobilisation,
    [property: Id(3)] int MilitiaSelfDefence);

/// <summary>One unit's readiness: its figures, its rating per area, and the overall level.</summary>
[GenerateSerializer, Immutable, Alias("readiness.unit-readiness-view")]
public sealed record UnitReadinessView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] Echelon Echelon,
    [property: Id(3)] string? ParentId,
    [property: Id(4)] int AuthorisedStrength,
    [property: Id(5)] int ActualStrength,
    [property: Id(6)] double StrengthRatio,
    [property: Id(7)] Forces Forces,
    [property: Id(8)] ReadinessLevel PersonnelLevel,
    [property: Id(9)] ReadinessLevel Level,
    [property: Id(10)] UnitRating Rating,
    [property: Id(11)] bool PartyCellActive,
    [property: Id(12)] long Version,
    [property: Id(13)] DateTimeOffset UpdatedAt);

/// <summary>A unit below R2, and why.</summary>
[GenerateSerializer, Immutable, Alias("readiness.unit-concern")]
public sealed record UnitConcern(
    [property: Id(0)] string UnitId,
    [property: Id(1)] string Name,
    [property: Id(2)] ReadinessLevel Level,
    [property: Id(3)] ReadinessArea SetBy,
    [property: Id(4)] string Explanation,
    [property: Id(5)] double? Measure);

/// <summary>A duty post as the command centre sees it now.</summary>
[GenerateSerializer, Immutable, Alias("readiness.post-status")]
public sealed record PostStatus(
    [property: Id(0)] string PostId,
    [property: Id(1)] string Name,
    [property: Id(2)] DutyKind Kind,
    [property: Id(3)] string OwnerUnitId,
    [property: Id(4)] bool OnDuty,
    [property: Id(5)] int StaffPresent,
    [property: Id(6)] int StaffRequired,
    [property: Id(7)] DateTimeOffset? HandoverDueAt,
    [property: Id(8)] DateTimeOffset? OverdueAlertRaisedAt);

[GenerateSerializer, Immutable, Alias("readiness.exercise-status-view")]
public sealed record ExerciseUnderWay(
    [property: Id(0)] string ExerciseId,
    [property: Id(1)] string Name,
    [property: Id(2)] ExerciseLevel Level,
    [property: Id(3)] ExerciseKind Kind,
    [property: Id(4)] DateTimeOffset StartedAt);

/// <summary>A commune command and the units under it, rolled up.</summary>
[GenerateSerializer, Immutable, Alias("readiness.commune-readiness-view")]
public sealed record CommuneReadinessView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ReadinessLevel Level,
    [property: Id(3)] int AuthorisedStrength,
    [property: Id(4)] int ActualStrength,
    [property: Id(5)] LevelCounts Units);

/// <summary>A district command and everything under it, rolled up, with the sequence and time of the province view it comes from.</summary>
[GenerateSerializer, Immutable, Alias("readiness.district-readiness-view")]
public sealed record DistrictReadinessView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ReadinessLevel? Level,
    [property: Id(3)] int AuthorisedStrength,
    [property: Id(4)] int ActualStrength,
    [property: Id(5)] LevelCounts Units,
    [property: Id(6)] IReadOnlyList<CommuneReadinessView> Communes,
    [property: Id(7)] IReadOnlyList<UnitConcern> BelowR2,
    [property: Id(8)] IReadOnlyList<PostStatus> PostsNotManned,
    [property: Id(9)] long Sequence,
    [property: Id(10)] DateTimeOffset UpdatedAt);

/// <summary>
/// The province at a glance. <see cref="Sequence"/> is the last event the view reflects and
/// <see cref="UpdatedAt"/> when it was projected; <see cref="RatedAt"/> is the moment the levels
/// were computed for (time-based areas such as duty depend on it).
/// </summary>
[GenerateSerializer, Immutable, Alias("readiness.province-readiness-view")]
public sealed record ProvinceReadinessView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ReadinessLevel? Level,
    [property: Id(3)] LevelCounts Units,
    [property: Id(4)] IReadOnlyList<DistrictReadinessView> Districts,
    [property: Id(5)] IReadOnlyList<UnitConcern> BelowR2,
    [property: Id(6)] IReadOnlyList<PostStatus> PostsNotManned,
    [property: Id(7)] IReadOnlyList<PostStatus> OpenAlerts,
    [property: Id(8)] IReadOnlyList<ExerciseUnderWay> ExercisesUnderWay,
    [property: Id(9)] long Sequence,
    [property: Id(10)] DateTimeOffset UpdatedAt,
    [property: Id(11)] DateTimeOffset RatedAt);

[GenerateSerializer, Immutable, Alias("readiness.exercise-tally")]
public sealed record ExerciseTally(
    [property: Id(0)] ExerciseLevel Level,
    [property: Id(1)] Grade Grade,
    [property: Id(2)] int Count);

[GenerateSerializer, Immutable, Alias("readiness.award-tally")]
public sealed record AwardTally(
    [property: Id(0)] AwardKind Kind,
    [property: Id(1)] RecipientKind RecipientKind,
    [property: Id(2)] int Count);

[GenerateSerializer, Immutable, Alias("readiness.conscription-summary")]
public sealed record ConscriptionSummary(
    [property: Id(0)] int Quota,
    [property: Id(1)] int Enlisted,
    [property: Id(2)] int HandedOver,
    [property: Id(3)] double Progress);

[GenerateSerializer, Immutable, Alias("readiness.duty-summary")]
public sealed record DutySummary(
    [property: Id(0)] int Posts,
    [property: Id(1)] double Coverage,
    [property: Id(2)] int OverdueHandoverAlerts);

/// <summary>A province's year, computed from the events that happened in it.</summary>
[GenerateSerializer, Immutable, Alias("readiness.year-summary")]
public sealed record YearSummary(
    [property: Id(0)] string ProvinceId,
    [property: Id(1)] int Year,
    [property: Id(2)] IReadOnlyList<ExerciseTally> Exercises,
    [property: Id(3)] int ExercisesCancelled,
    [property: Id(4)] ConscriptionSummary Conscription,
    [property: Id(5)] int PupilsAndStudentsEducated,
    [property: Id(6)] int CadresEducated,
    [property: Id(7)] int OutreachSessions,
    [property: Id(8)] int OutreachAttendances,
    [property: Id(9)] int PartyCellsActiveAtYearEnd,
    [property: Id(10)] IReadOnlyList<AwardTally> Awards,
    [property: Id(11)] DutySummary Duty,
    [property: Id(12)] long Sequence,
    [property: Id(13)] DateTimeOffset UpdatedAt);

/// <summary>A unit in a list: enough to show it and drill into it.</summary>
[GenerateSerializer, Immutable, Alias("readiness.unit-summary")]
public sealed record UnitSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] Echelon Echelon,
    [property: Id(3)] ReadinessLevel Level,
    [property: Id(4)] ReadinessArea SetBy,
    [property: Id(5)] int AuthorisedStrength,
    [property: Id(6)] int ActualStrength,
    [property: Id(7)] int Children);

/// <summary>One province as a military region sees it beside its others: its level and what needs attention.</summary>
[GenerateSerializer, Immutable, Alias("readiness.province-at-a-glance")]
public sealed record ProvinceAtAGlance(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ReadinessLevel? Level,
    [property: Id(3)] LevelCounts Units,
    [property: Id(4)] int Districts,
    [property: Id(5)] int UnitsBelowR2,
    [property: Id(6)] int PostsNotManned,
    [property: Id(7)] int OpenAlerts,
    [property: Id(8)] int ExercisesUnderWay,
    [property: Id(9)] long Sequence,
    [property: Id(10)] DateTimeOffset UpdatedAt);
