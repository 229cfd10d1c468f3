using Readiness.Contracts;

namespace Readiness.Domain;

public sealed record ExercisePlanned(
    string ExerciseId,
    string Name,
    ExerciseLevel Level,
    ExerciseKind Kind,
    string HostUnitId,
    IReadOnlyList<string> ParticipantUnitIds,
    DateTimeOffset ScheduledStart,
    DateTimeOffset ScheduledEnd,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record ExerciseStarted(
    string ExerciseId,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record ExerciseCompleted(
    string ExerciseId,
    Grade Grade,
    int Participants,
    DateTimeOffset OccurredAt) : IReadinessEvent;

public sealed record ExerciseCancelled(
    string ExerciseId,
    string Reason,
    DateTimeOffset OccurredAt) : IReadinessEvent;
