using Readiness.Contracts;

namespace Readiness.Domain;

// What happens to a unit. Each event says when it happened (OccurredAt, as reported); the store
// adds when it was recorded.

public sealed record UnitRegistered(
    string UnitId,
    string Name,
    Echelon Echelon,
    string? ParentId,
    int AuthorisedStrength,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record AuthorisedStrengthChanged(
    string UnitId,
    int AuthorisedStrength,
    string Reason,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>Conscripts of a cohort joined the unit (tuyển quân).</summary>
public sealed record RecruitsEnlisted(
    string UnitId,
    int Count,
    int CohortYear,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>Recruits left the unit for the army (giao quân).</summary>
public sealed record RecruitsHandedOver(
    string UnitId,
    int Count,
    int CohortYear,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>How many recruits the unit must hand over in a year.</summary>
public sealed record ConscriptionQuotaAssigned(
    string UnitId,
    int Year,
    int Quota,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record MembersJoined(
    string UnitId,
    ForceType Force,
    int Count,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record MembersLeft(
    string UnitId,
    ForceType Force,
    int Count,
    string Reason,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record TrainingCompleted(
    string UnitId,
    string Subject,
    int Participants,
    Grade Result,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record DefenceEducationDelivered(
    string UnitId,
    EducationAudience Audience,
    int Participants,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>One outreach session on defence and security knowledge (tuyên truyền).</summary>
public sealed record OutreachSessionHeld(
    string UnitId,
    string Topic,
    int Attendances,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>A military party cell (chi bộ quân sự) was established in the unit.</summary>
public sealed record PartyCellEstablished(
    string UnitId,
    int Members,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record PartyCellDissolved(
    string UnitId,
    string Reason,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>An award to the unit itself (a collective) or to one of its people (an individual).</summary>
public sealed record AwardConferred(
    string UnitId,
    AwardKind Kind,
    RecipientKind RecipientKind,
    string Recipient,
    string Movement,
    int Year,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>A commander set the unit's level, overriding the computed one until withdrawn.</summary>
public sealed record ReadinessAssessed(
    string UnitId,
    ReadinessLevel Level,
    string Justification,
    string AssessedBy,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>A province's commander wrote a comment for the echelon above; the next upward report carries it.</summary>
public sealed record CommanderCommentRecorded(
    string UnitId,
    string Comment,
    string CommentedBy,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record ReadinessAssessmentWithdrawn(
    string UnitId,
    string Reason,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>The unit took part in an exercise that was completed; it counts toward its training.</summary>
public sealed record ExerciseParticipationRecorded(
    string UnitId,
    string ExerciseId,
    ExerciseLevel Level,
    ExerciseKind Kind,
    Grade Grade,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>The unit's authorised quantity of a category was set or changed.</summary>
public sealed record EquipmentAllotted(
    string UnitId,
    EquipmentCategory Category,
    int Authorised,
    string Reason,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>Items came into the unit's hands, counted serviceable until a condition report says otherwise.</summary>
public sealed record EquipmentReceived(
    string UnitId,
    EquipmentCategory Category,
    int Quantity,
    string Source,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>Items left the unit for another unit, which records them as received.</summary>
public sealed record EquipmentTransferred(
    string UnitId,
    EquipmentCategory Category,
    int Quantity,
    string ToUnitId,
    DateTimeOffset OccurredAt) : IReadinessEvent;
public sealed record EquipmentWrittenOff(
    string UnitId,
    EquipmentCategory Category,
    int Quantity,
    string Reason,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>What an inspection found of a category; the counts add up to what was on hand.</summary>
public sealed record EquipmentConditionReported(
    string UnitId,
    EquipmentCategory Category,
    int Serviceable,
    int UnderRepair,
    int Unserviceable,
    DateTimeOffset OccurredAt) : IReadinessEvent;
public sealed record MissionAssigned(
    string UnitId,
    Mission Mission,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>A commander's Yes, Qualified or No for one assigned mission, with the reason.</summary>
public sealed record MissionAssessed(
    string UnitId,
    Mission Mission,
    MissionAnswer Answer,
    string Reason,
    string AssessedBy,
    DateTimeOffset OccurredAt) : IReadinessEvent;
public sealed record MissionUnassigned(
    string UnitId,
    Mission Mission,
    string Reason,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>A unit reported nothing within its echelon's reporting interval; recorded once per silence by the unit's reminder.</summary>
public sealed record ReportOverdue(
    string UnitId,
    DateTimeOffset LastReportedAt,
    DateTimeOffset DueAt,
    DateTimeOffset OccurredAt) : IReadinessEvent;
