namespace Readiness.Contracts;

// What happens to a unit. Each event says when it happened (OccurredAt, as reported); the store
// adds when it was recorded.

[GenerateSerializer, Immutable, Alias("readiness.unit-registered.v1")]
public sealed record UnitRegistered(
    [property: Id(0)] string UnitId,
    [property: Id(1)] string Name,
    [property: Id(2)] Echelon Echelon,
    [property: Id(3)] string? ParentId,
    [property: Id(4)] int AuthorisedStrength,
    [property: Id(5)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.authorised-strength-changed.v1")]
public sealed record AuthorisedStrengthChanged(
    [property: Id(0)] string UnitId,
    [property: Id(1)] int AuthorisedStrength,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>Conscripts of a cohort joined the unit (tuyển quân).</summary>
[GenerateSerializer, Immutable, Alias("readiness.recruits-enlisted.v1")]
public sealed record RecruitsEnlisted(
    [property: Id(0)] string UnitId,
    [property: Id(1)] int Count,
    [property: Id(2)] int CohortYear,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>Recruits left the unit for the army (giao quân).</summary>
[GenerateSerializer, Immutable, Alias("readiness.recruits-handed-over.v1")]
public sealed record RecruitsHandedOver(
    [property: Id(0)] string UnitId,
    [property: Id(1)] int Count,
    [property: Id(2)] int CohortYear,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>How many recruits the unit must hand over in a year.</summary>
[GenerateSerializer, Immutable, Alias("readiness.conscription-quota-assigned.v1")]
public sealed record ConscriptionQuotaAssigned(
    [property: Id(0)] string UnitId,
    [property: Id(1)] int Year,
    [property: Id(2)] int Quota,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.members-joined.v1")]
public sealed record MembersJoined(
    [property: Id(0)] string UnitId,
    [property: Id(1)] ForceType Force,
    [property: Id(2)] int Count,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.members-left.v1")]
public sealed record MembersLeft(
    [property: Id(0)] string UnitId,
    [property: Id(1)] ForceType Force,
    [property: Id(2)] int Count,
    [property: Id(3)] string Reason,
    [property: Id(4)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.training-completed.v1")]
public sealed record TrainingCompleted(
    [property: Id(0)] string UnitId,
    [property: Id(1)] string Subject,
    [property: Id(2)] int Participants,
    [property: Id(3)] Grade Result,
    [property: Id(4)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.defence-education-delivered.v1")]
public sealed record DefenceEducationDelivered(
    [property: Id(0)] string UnitId,
    [property: Id(1)] EducationAudience Audience,
    [property: Id(2)] int Participants,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>One outreach session on defence and security knowledge (tuyên truyền).</summary>
[GenerateSerializer, Immutable, Alias("readiness.outreach-session-held.v1")]
public sealed record OutreachSessionHeld(
    [property: Id(0)] string UnitId,
    [property: Id(1)] string Topic,
    [property: Id(2)] int Attendances,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>A military party cell (chi bộ quân sự) was established in the unit.</summary>
[GenerateSerializer, Immutable, Alias("readiness.party-cell-established.v1")]
public sealed record PartyCellEstablished(
    [property: Id(0)] string UnitId,
    [property: Id(1)] int Members,
    [property: Id(2)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.party-cell-dissolved.v1")]
public sealed record PartyCellDissolved(
    [property: Id(0)] string UnitId,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>An award to the unit itself (a collective) or to one of its people (an individual).</summary>
[GenerateSerializer, Immutable, Alias("readiness.award-conferred.v1")]
public sealed record AwardConferred(
    [property: Id(0)] string UnitId,
    [property: Id(1)] AwardKind Kind,
    [property: Id(2)] RecipientKind RecipientKind,
    [property: Id(3)] string Recipient,
    [property: Id(4)] string Movement,
    [property: Id(5)] int Year,
    [property: Id(6)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>A commander set the unit's level, overriding the computed one until withdrawn.</summary>
[GenerateSerializer, Immutable, Alias("readiness.readiness-assessed.v1")]
public sealed record ReadinessAssessed(
    [property: Id(0)] string UnitId,
    [property: Id(1)] ReadinessLevel Level,
    [property: Id(2)] string Justification,
    [property: Id(3)] string AssessedBy,
    [property: Id(4)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.readiness-assessment-withdrawn.v1")]
public sealed record ReadinessAssessmentWithdrawn(
    [property: Id(0)] string UnitId,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>The unit took part in an exercise that was completed; it counts toward its training.</summary>
[GenerateSerializer, Immutable, Alias("readiness.exercise-participation-recorded.v1")]
public sealed record ExerciseParticipationRecorded(
    [property: Id(0)] string UnitId,
    [property: Id(1)] string ExerciseId,
    [property: Id(2)] ExerciseLevel Level,
    [property: Id(3)] ExerciseKind Kind,
    [property: Id(4)] Grade Grade,
    [property: Id(5)] DateTimeOffset OccurredAt) : IReadinessEvent;
