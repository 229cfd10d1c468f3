using Readiness.Contracts;

namespace Readiness.Domain;

public sealed record DutyPostEstablished(
    string PostId,
    string Name,
    DutyKind Kind,
    string OwnerUnitId,
    int StaffRequired,
    int ShiftHours,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record DutyShiftStarted(
    string PostId,
    string Commander,
    int StaffPresent,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record DutyShiftHandedOver(
    string PostId,
    string OutgoingCommander,
    string IncomingCommander,
    int StaffPresent,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record DutyShiftEnded(
    string PostId,
    string Commander,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>The staff on duty changed mid-shift; below the required number it is a shortfall.</summary>
public sealed record DutyStaffingReported(
    string PostId,
    int StaffPresent,
    string Reason,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record DutyIncidentReported(
    string PostId,
    string IncidentId,
    string Kind,
    string Place,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record DutyIncidentClosed(
    string PostId,
    string IncidentId,
    string Resolution,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>
/// Alert recorded by the system: the shift that started at <see cref="ShiftStartedAt"/> ran past its
/// length with no handover. Recorded once per shift.
/// </summary>
public sealed record DutyHandoverOverdue(
    string PostId,
    DateTimeOffset ShiftStartedAt,
    DateTimeOffset DueAt,
    DateTimeOffset OccurredAt) : IReadinessEvent;
