namespace Readiness.Domain;

/// <summary>
/// Every event says when it happened, as reported; the store adds when it was recorded. Views "as of"
/// a moment select events by the first, views "known at" a moment by the second.
/// </summary>
public interface IReadinessEvent
{
    DateTimeOffset OccurredAt { get; }
}
