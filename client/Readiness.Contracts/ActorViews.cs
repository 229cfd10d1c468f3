namespace Readiness.Contracts;

/// <summary>One exercise as the API shows it: level, kind, host, participants, schedule, status and grade.</summary>
public sealed record ExerciseView(
    string Id,
    string ExerciseId,
    string Name,
    ExerciseLevel Level,
    ExerciseKind Kind,
    ExerciseStatus Status,
    string HostUnitId,
    IReadOnlyList<string> ParticipantUnitIds,
    DateTimeOffset ScheduledStart,
    DateTimeOffset ScheduledEnd,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    Grade? Grade,
    int Participants,
    string? CancellationReason,
    long Version,
    DateTimeOffset UpdatedAt);

/// <summary>A span during which a duty post was manned at its required strength; <c>To</c> is null while it still is.</summary>
public sealed record ManningPeriod(DateTimeOffset From, DateTimeOffset? To);

/// <summary>An incident reported at a duty post and not yet closed.</summary>
public sealed record OpenIncident(string IncidentId, string Kind, string Place, DateTimeOffset ReportedAt);

/// <summary>A shift that ran past its length without a handover.</summary>
public sealed record HandoverAlert(DateTimeOffset ShiftStartedAt, DateTimeOffset DueAt, DateTimeOffset RaisedAt);

/// <summary>One duty post as the API shows it: the shift on, staff present against required, manning periods, open incidents, open alert.</summary>
public sealed record DutyPostView(
    string Id,
    string PostId,
    string Name,
    DutyKind Kind,
    string OwnerUnitId,
    int StaffRequired,
    int ShiftHours,
    DateTimeOffset EstablishedAt,
    bool OnDuty,
    string? Commander,
    int StaffPresent,
    DateTimeOffset? ShiftStartedAt,
    IReadOnlyList<ManningPeriod> Manning,
    IReadOnlyList<OpenIncident> OpenIncidents,
    int IncidentsReported,
    HandoverAlert? OpenAlert,
    int AlertsRaised,
    long Version,
    DateTimeOffset UpdatedAt,
    bool Manned);
