namespace Readiness.Contracts;

/// <summary>The echelon that runs an exercise.</summary>
public enum ExerciseLevel
{
    Province = 0,
    District = 1,
    Commune = 2,
}
