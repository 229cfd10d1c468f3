namespace Readiness.Contracts;

[GenerateSerializer, Immutable, Alias("readiness.exercise-planned.v1")]
public sealed record ExercisePlanned(
    [property: Id(0)] string ExerciseId,
    [property: Id(1)] string Name,
    [property: Id(2)] ExerciseLevel Level,
    [property: Id(3)] ExerciseKind Kind,
    [property: Id(4)] string HostUnitId,
    [property: Id(5)] IReadOnlyList<string> ParticipantUnitIds,
    [property: Id(6)] DateTimeOffset ScheduledStart,
    [property: Id(7)] DateTimeOffset ScheduledEnd,
    [property: Id(8)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.exercise-started.v1")]
public sealed record ExerciseStarted(
    [property: Id(0)] string ExerciseId,
    [property: Id(1)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.exercise-completed.v1")]
public sealed record ExerciseCompleted(
    [property: Id(0)] string ExerciseId,
    [property: Id(1)] Grade Grade,
    [property: Id(2)] int Participants,
    [property: Id(3)] DateTimeOffset OccurredAt) : IReadinessEvent;

[GenerateSerializer, Immutable, Alias("readiness.exercise-cancelled.v1")]
public sealed record ExerciseCancelled(
    [property: Id(0)] string ExerciseId,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset OccurredAt) : IReadinessEvent;
