namespace Readiness.Contracts;

public enum ExerciseStatus
{
    Planned = 0,
    Started = 1,
    Completed = 2,
    Cancelled = 3,
}
