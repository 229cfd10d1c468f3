using Readiness.Contracts;

namespace Readiness.Store.Projections;

/// <summary>Training or an exercise a unit completed; both count toward its training area.</summary>
public sealed record TrainingRecord(EventRef Source, string Subject, Grade Result, int Participants, string? ExerciseId);
