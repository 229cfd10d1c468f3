namespace Readiness.Contracts;

/// <summary>
/// A command reports something that happened. The command id makes a retry safe: the same id never
/// appends twice. OccurredAt is when it happened; null means now, and it may not be in the future.
/// </summary>
public interface ICommand
{
    string CommandId { get; }
    DateTimeOffset? OccurredAt { get; }
}

public interface IUnitCommand : ICommand
{
    /// <summary>The unit's path id, such as <c>bac-kan/ba-be/cho-ra</c>.</summary>
    string UnitId { get; }
}

public interface IExerciseCommand : ICommand
{
    /// <summary>The exercise id: its host unit's id and a name, such as <c>bac-kan/ba-be/kvpt-2024</c>.</summary>
    string ExerciseId { get; }
}

public interface IDutyPostCommand : ICommand
{
    /// <summary>The post id: its owning unit's id and a name, such as <c>bac-kan/ba-be/sscd</c>.</summary>
    string PostId { get; }
}

// ---- Units ----
public sealed record RegisterUnit(
    string CommandId,
    string UnitId,
    string Name,
    Echelon Echelon,
    string? ParentId,
    int AuthorisedStrength,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record ChangeAuthorisedStrength(
    string CommandId,
    string UnitId,
    int AuthorisedStrength,
    string Reason,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record EnlistRecruits(
    string CommandId,
    string UnitId,
    int Count,
    int CohortYear,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record HandOverRecruits(
    string CommandId,
    string UnitId,
    int Count,
    int CohortYear,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record AssignConscriptionQuota(
    string CommandId,
    string UnitId,
    int Year,
    int Quota,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record RecordMembersJoined(
    string CommandId,
    string UnitId,
    ForceType Force,
    int Count,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record RecordMembersLeft(
    string CommandId,
    string UnitId,
    ForceType Force,
    int Count,
    string Reason,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record RecordTraining(
    string CommandId,
    string UnitId,
    string Subject,
    int Participants,
    Grade Result,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record RecordDefenceEducation(
    string CommandId,
    string UnitId,
    EducationAudience Audience,
    int Participants,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record RecordOutreachSession(
    string CommandId,
    string UnitId,
    string Topic,
    int Attendances,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record EstablishPartyCell(
    string CommandId,
    string UnitId,
    int Members,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record DissolvePartyCell(
    string CommandId,
    string UnitId,
    string Reason,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record ConferAward(
    string CommandId,
    string UnitId,
    AwardKind Kind,
    RecipientKind RecipientKind,
    string Recipient,
    string Movement,
    int Year,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record AssessReadiness(
    string CommandId,
    string UnitId,
    ReadinessLevel Level,
    string Justification,
    string AssessedBy,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;

/// <summary>
/// The province commander's words for the echelon above (its next upward report carries them); a province
/// command alone records them. Comment: prose of up to <c>2000</c> characters.
/// </summary>
public sealed record RecordCommanderComment(
    string CommandId,
    string UnitId,
    string Comment,
    string CommentedBy,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record WithdrawReadinessAssessment(
    string CommandId,
    string UnitId,
    string Reason,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;

/// <summary>Sets how many items of a category the unit is authorised to hold.</summary>
public sealed record AllotEquipment(
    string CommandId,
    string UnitId,
    EquipmentCategory Category,
    int Authorised,
    string Reason,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;

/// <summary>Items came into the unit's hands, serviceable, from an issue, a purchase or another unit.</summary>
public sealed record ReceiveEquipment(
    string CommandId,
    string UnitId,
    EquipmentCategory Category,
    int Quantity,
    string Source,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;

/// <summary>Items went from the unit to another registered unit, which receives them under a command id derived from this one.</summary>
public sealed record TransferEquipment(
    string CommandId,
    string UnitId,
    EquipmentCategory Category,
    int Quantity,
    string ToUnitId,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record WriteOffEquipment(
    string CommandId,
    string UnitId,
    EquipmentCategory Category,
    int Quantity,
    string Reason,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;

/// <summary>An inspection's count of a category by condition; the three counts add up to what is on hand.</summary>
public sealed record ReportEquipmentCondition(
    string CommandId,
    string UnitId,
    EquipmentCategory Category,
    int Serviceable,
    int UnderRepair,
    int Unserviceable,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record AssignMission(
    string CommandId,
    string UnitId,
    Mission Mission,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;

/// <summary>The commander's answer for one assigned mission, with the reason, until assessed again.</summary>
public sealed record AssessMission(
    string CommandId,
    string UnitId,
    Mission Mission,
    MissionAnswer Answer,
    string Reason,
    string AssessedBy,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;
public sealed record UnassignMission(
    string CommandId,
    string UnitId,
    Mission Mission,
    string Reason,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;

/// <summary>Sent by an exercise grain to each participant once the exercise is completed.</summary>
public sealed record RecordExerciseParticipation(
    string CommandId,
    string UnitId,
    string ExerciseId,
    ExerciseLevel Level,
    ExerciseKind Kind,
    Grade Grade,
    DateTimeOffset? OccurredAt = null) : IUnitCommand;

// ---- Exercises ----
public sealed record PlanExercise(
    string CommandId,
    string ExerciseId,
    string Name,
    ExerciseLevel Level,
    ExerciseKind Kind,
    IReadOnlyList<string> ParticipantUnitIds,
    DateTimeOffset ScheduledStart,
    DateTimeOffset ScheduledEnd,
    DateTimeOffset? OccurredAt = null) : IExerciseCommand;
public sealed record StartExercise(
    string CommandId,
    string ExerciseId,
    DateTimeOffset? OccurredAt = null) : IExerciseCommand;
public sealed record CompleteExercise(
    string CommandId,
    string ExerciseId,
    Grade Grade,
    int Participants,
    DateTimeOffset? OccurredAt = null) : IExerciseCommand;
public sealed record CancelExercise(
    string CommandId,
    string ExerciseId,
    string Reason,
    DateTimeOffset? OccurredAt = null) : IExerciseCommand;

// ---- Duty posts ----
public sealed record EstablishDutyPost(
    string CommandId,
    string PostId,
    string Name,
    DutyKind Kind,
    int StaffRequired,
    int ShiftHours,
    DateTimeOffset? OccurredAt = null) : IDutyPostCommand;
public sealed record StartDutyShift(
    string CommandId,
    string PostId,
    string Commander,
    int StaffPresent,
    DateTimeOffset? OccurredAt = null) : IDutyPostCommand;
public sealed record HandOverDutyShift(
    string CommandId,
    string PostId,
    string OutgoingCommander,
    string IncomingCommander,
    int StaffPresent,
    DateTimeOffset? OccurredAt = null) : IDutyPostCommand;
public sealed record EndDutyShift(
    string CommandId,
    string PostId,
    string Commander,
    DateTimeOffset? OccurredAt = null) : IDutyPostCommand;
public sealed record ReportDutyStaffing(
    string CommandId,
    string PostId,
    int StaffPresent,
    string Reason,
    DateTimeOffset? OccurredAt = null) : IDutyPostCommand;
public sealed record ReportDutyIncident(
    string CommandId,
    string PostId,
    string IncidentId,
    string Kind,
    string Place,
    DateTimeOffset? OccurredAt = null) : IDutyPostCommand;
public sealed record CloseDutyIncident(
    string CommandId,
    string PostId,
    string IncidentId,
    string Resolution,
    DateTimeOffset? OccurredAt = null) : IDutyPostCommand;
