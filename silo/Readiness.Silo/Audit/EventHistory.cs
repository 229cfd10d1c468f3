using Readiness.Contracts;
using Readiness.Store;

namespace Readiness.Silo.Audit;

/// <summary>What an auditor asks of the history: one actor's stream, or an area's, narrowed by kind and time.</summary>
public sealed record HistoryQuery(
    string? Stream,
    StreamArea? Area,
    IReadOnlyList<string> Types,
    DateTimeOffset? OccurredFrom,
    DateTimeOffset? OccurredTo,
    DateTimeOffset? RecordedFrom,
    DateTimeOffset? RecordedTo,
    long After,
    int Limit,
    AreaOverTime? Over = null);

/// <summary>An area as the chain of command had it over time: whether it covered an event's actor when the event happened.</summary>
/// <param name="CoveredWhen">Whether an event (its stream, when it happened) belongs to the area.</param>
public sealed record AreaOverTime(Func<string, DateTimeOffset, bool> CoveredWhen);

/// <summary>Reads the recorded events a page at a time, in recording order, with their metadata.</summary>
public sealed class EventHistory(EventStore store)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public async Task<(IReadOnlyList<HistoryEntry> Events, long? NextAfter)> PageAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        var events = new List<HistoryEntry>(Math.Min(query.Limit, 256));
        // An area over time drops the events of units it did not cover when they happened, so its rows are
        // read in rounds until the page is full or the rows run out; one row past the page says whether
        // another page follows.
        for (var after = query.After; ;)
        {
            var read = 0;
            await foreach (var row in store.HistoryAsync(query.Stream, query.Area, query.Types, query.OccurredFrom, query.OccurredTo,
                query.RecordedFrom, query.RecordedTo, after, query.Limit + 1, cancellationToken))
            {
                read++;
                after = row.Sequence;
                var entry = row.ToEntry();
                if (query.Over is { } over && !over.CoveredWhen(entry.Stream, entry.OccurredAt ?? entry.RecordedAt))
                {
                    continue;
                }
                if (events.Count == query.Limit)
                {
                    return (events, events[^1].Sequence);
                }
                events.Add(entry);
            }
            if (read <= query.Limit)
            {
                return (events, null);
            }
        }
    }
}
