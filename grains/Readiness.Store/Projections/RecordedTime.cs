using JasperFx.Events;

namespace Readiness.Store.Projections;

/// <summary>When an event was recorded, the same whether a projection folds it as it is appended, in a rebuild, or after an import.</summary>
internal static class RecordedTime
{
    /// <summary>
    /// The silo's own note of it (<see cref="EventHeaders.RecordedAt"/>); for an event recorded before that note was kept,
    /// the store's timestamp, to the microsecond PostgreSQL keeps; failing both, the clock's time.
    /// </summary>
    public static DateTimeOffset Of(IEvent e, TimeProvider clock)
    {
        if (EventHeaders.RecordedAtOf(e) is { } noted)
        {
            return noted;
        }
        var at = (e.Timestamp == default ? clock.GetUtcNow() : e.Timestamp).ToUniversalTime();
        return new DateTimeOffset(at.Ticks - at.Ticks % 10, TimeSpan.Zero);
    }
}
