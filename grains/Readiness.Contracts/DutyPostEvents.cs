namespace Readiness.Contracts;

[GenerateSerializer, Immutable, Alias("readiness.duty-post-established.v1")]
public sealed record DutyPostEstablished(
    [property: Id(0)] string PostId,
    [property: Id(1)] string Name,
    [property: Id(2)] DutyKind Kind,
    [property: Id(3)] string OwnerUnitId,
    [property: Id(4)] int StaffRequired,
    [property: Id(5)] int ShiftHours,
    [property: Id(6)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.duty-shift-started.v1")]
public sealed record DutyShiftStarted(
    [property: Id(0)] string PostId,
    [property: Id(1)] string Commander,
    [property: Id(2)] int StaffPresent,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.duty-shift-handed-over.v1")]
public sealed record DutyShiftHandedOver(
    [property: Id(0)] string PostId,
    [property: Id(1)] string OutgoingCommander,
    [property: Id(2)] string IncomingCommander,
    [property: Id(3)] int StaffPresent,
    [property: Id(4)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.duty-shift-ended.v1")]
public sealed record DutyShiftEnded(
    [property: Id(0)] string PostId,
    [property: Id(1)] string Commander,
    [property: Id(2)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>The staff on duty changed mid-shift; below the required number it is a shortfall.</summary>
[GenerateSerializer, Immutable, Alias("readiness.duty-staffing-reported.v1")]
public sealed record DutyStaffingReported(
    [property: Id(0)] string PostId,
    [property: Id(1)] int StaffPresent,
    [property: Id(2)] string Reason,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.duty-incident-reported.v1")]
public sealed record DutyIncidentReported(
    [property: Id(0)] string PostId,
    [property: Id(1)] string IncidentId,
    [property: Id(2)] string Kind,
    [property: Id(3)] string Place,
    [property: Id(4)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.duty-incident-closed.v1")]
public sealed record DutyIncidentClosed(
    [property: Id(0)] string PostId,
    [property: Id(1)] string IncidentId,
    [property: Id(2)] string Resolution,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>
/// Alert recorded by the system: the shift that started at <see cref="ShiftStartedAt"/> ran past its
/// length with no handover. Recorded once per shift.
/// </summary>
[GenerateSerializer, Immutable, Alias("readiness.duty-handover-overdue.v1")]
public sealed record DutyHandoverOverdue(
    [property: Id(0)] string PostId,
    [property: Id(1)] DateTimeOffset ShiftStartedAt,
    [property: Id(2)] DateTimeOffset DueAt,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;
