using Readiness.Contracts;
using Readiness.Grains.Storage;

namespace Readiness.Silo.Audit;

/// <summary>What an auditor asks of the history: one actor's stream, or an area's, narrowed by kind and time.</summary>
public sealed record HistoryQuery(
    string? Stream,
    string? Area,
    IReadOnlyList<string> Types,
    DateTimeOffset? OccurredFrom,
    DateTimeOffset? OccurredTo,
    DateTimeOffset? RecordedFrom,
    DateTimeOffset? RecordedTo,
    long After,
    int Limit);

/// <summary>Reads the recorded events a page at a time, in recording order, with their metadata.</summary>
public sealed class EventHistory(EventStore store)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public async Task<(IReadOnlyList<HistoryEntry> Events, long? NextAfter)> PageAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        var events = new List<HistoryEntry>(Math.Min(query.Limit, 256));
        var more = false;
        // One row past the page says whether another page follows.
        await foreach (var row in store.HistoryAsync(query.Stream, query.Area, query.Types, query.OccurredFrom, query.OccurredTo,
            query.RecordedFrom, query.RecordedTo, query.After, query.Limit + 1, cancellationToken))
        {
            if (events.Count == query.Limit)
            {
                more = true;
                break;
            }
            events.Add(row.ToEntry());
        }
        return (events, more ? events[^1].Sequence : null);
    }
}
