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

[GenerateSerializer, Immutable, Alias("readiness.cmd.register-unit")]
public sealed record RegisterUnit(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] string Name,
    [property: Id(3)] Echelon Echelon,
    [property: Id(4)] string? ParentId,
    [property: Id(5)] int AuthorisedStrength,
    [property: Id(6)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.change-authorised-strength")]
public sealed record ChangeAuthorisedStrength(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] int AuthorisedStrength,
    [property: Id(3)] string Reason,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.enlist-recruits")]
public sealed record EnlistRecruits(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] int Count,
    [property: Id(3)] int CohortYear,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.hand-over-recruits")]
public sealed record HandOverRecruits(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] int Count,
    [property: Id(3)] int CohortYear,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.assign-conscription-quota")]
public sealed record AssignConscriptionQuota(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] int Year,
    [property: Id(3)] int Quota,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.record-members-joined")]
public sealed record RecordMembersJoined(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] ForceType Force,
    [property: Id(3)] int Count,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.record-members-left")]
public sealed record RecordMembersLeft(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] ForceType Force,
    [property: Id(3)] int Count,
    [property: Id(4)] string Reason,
    [property: Id(5)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.record-training")]
public sealed record RecordTraining(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] string Subject,
    [property: Id(3)] int Participants,
    [property: Id(4)] Grade Result,
    [property: Id(5)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.record-defence-education")]
public sealed record RecordDefenceEducation(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] EducationAudience Audience,
    [property: Id(3)] int Participants,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.record-outreach-session")]
public sealed record RecordOutreachSession(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] string Topic,
    [property: Id(3)] int Attendances,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.establish-party-cell")]
public sealed record EstablishPartyCell(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] int Members,
    [property: Id(3)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.dissolve-party-cell")]
public sealed record DissolvePartyCell(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.confer-award")]
public sealed record ConferAward(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] AwardKind Kind,
    [property: Id(3)] RecipientKind RecipientKind,
    [property: Id(4)] string Recipient,
    [property: Id(5)] string Movement,
    [property: Id(6)] int Year,
    [property: Id(7)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.assess-readiness")]
public sealed record AssessReadiness(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] ReadinessLevel Level,
    [property: Id(3)] string Justification,
    [property: Id(4)] string AssessedBy,
    [property: Id(5)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.withdraw-readiness-assessment")]
public sealed record WithdrawReadinessAssessment(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

/// <summary>Sent by an exercise grain to each participant once the exercise is completed.</summary>
[GenerateSerializer, Immutable, Alias("readiness.cmd.record-exercise-participation")]
public sealed record RecordExerciseParticipation(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string UnitId,
    [property: Id(2)] string ExerciseId,
    [property: Id(3)] ExerciseLevel Level,
    [property: Id(4)] ExerciseKind Kind,
    [property: Id(5)] Grade Grade,
    [property: Id(6)] DateTimeOffset? OccurredAt = null) : IUnitCommand;

// ---- Exercises ----

[GenerateSerializer, Immutable, Alias("readiness.cmd.plan-exercise")]
public sealed record PlanExercise(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ExerciseId,
    [property: Id(2)] string Name,
    [property: Id(3)] ExerciseLevel Level,
    [property: Id(4)] ExerciseKind Kind,
    [property: Id(5)] IReadOnlyList<string> ParticipantUnitIds,
    [property: Id(6)] DateTimeOffset ScheduledStart,
    [property: Id(7)] DateTimeOffset ScheduledEnd,
    [property: Id(8)] DateTimeOffset? OccurredAt = null) : IExerciseCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.start-exercise")]
public sealed record StartExercise(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ExerciseId,
    [property: Id(2)] DateTimeOffset? OccurredAt = null) : IExerciseCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.complete-exercise")]
public sealed record CompleteExercise(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ExerciseId,
    [property: Id(2)] Grade Grade,
    [property: Id(3)] int Participants,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IExerciseCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.cancel-exercise")]
public sealed record CancelExercise(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ExerciseId,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset? OccurredAt = null) : IExerciseCommand;

// ---- Duty posts ----

[GenerateSerializer, Immutable, Alias("readiness.cmd.establish-duty-post")]
public sealed record EstablishDutyPost(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string PostId,
    [property: Id(2)] string Name,
    [property: Id(3)] DutyKind Kind,
    [property: Id(4)] int StaffRequired,
    [property: Id(5)] int ShiftHours,
    [property: Id(6)] DateTimeOffset? OccurredAt = null) : IDutyPostCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.start-duty-shift")]
public sealed record StartDutyShift(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string PostId,
    [property: Id(2)] string Commander,
    [property: Id(3)] int StaffPresent,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IDutyPostCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.hand-over-duty-shift")]
public sealed record HandOverDutyShift(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string PostId,
    [property: Id(2)] string OutgoingCommander,
    [property: Id(3)] string IncomingCommander,
    [property: Id(4)] int StaffPresent,
    [property: Id(5)] DateTimeOffset? OccurredAt = null) : IDutyPostCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.end-duty-shift")]
public sealed record EndDutyShift(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string PostId,
    [property: Id(2)] string Commander,
    [property: Id(3)] DateTimeOffset? OccurredAt = null) : IDutyPostCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.report-duty-staffing")]
public sealed record ReportDutyStaffing(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string PostId,
    [property: Id(2)] int StaffPresent,
    [property: Id(3)] string Reason,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IDutyPostCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.report-duty-incident")]
public sealed record ReportDutyIncident(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string PostId,
    [property: Id(2)] string IncidentId,
    [property: Id(3)] string Kind,
    [property: Id(4)] string Place,
    [property: Id(5)] DateTimeOffset? OccurredAt = null) : IDutyPostCommand;

[GenerateSerializer, Immutable, Alias("readiness.cmd.close-duty-incident")]
public sealed record CloseDutyIncident(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string PostId,
    [property: Id(2)] string IncidentId,
    [property: Id(3)] string Resolution,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : IDutyPostCommand;
