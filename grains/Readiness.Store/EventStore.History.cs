using Npgsql;
using NpgsqlTypes;

namespace Readiness.Store;

public sealed partial class EventStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> events after the sequence <paramref name="after"/>, in recording
    /// order, of one stream or an area (either or neither), of the stored types listed (all when none),
    /// that happened in [occurredFrom, occurredTo) and were recorded in [recordedFrom, recordedTo).
    /// </summary>
    public IAsyncEnumerable<EventRow> HistoryAsync(
        string? stream, StreamArea? area, IReadOnlyList<string> types,
        DateTimeOffset? occurredFrom, DateTimeOffset? occurredTo, DateTimeOffset? recordedFrom, DateTimeOffset? recordedTo,
        long after, int limit, CancellationToken cancellationToken)
    {
        var command = database.CreateCommand($"""
            SELECT {EventRow.Columns} FROM {Events}
            WHERE seq_id > @after
              AND (@stream::text IS NULL OR stream_id = @stream)
              AND {StreamArea.Filter("stream_id")}
              AND (cardinality(@types) = 0 OR type = ANY(@types))
              AND (@occurredFrom::text IS NULL OR headers->>'{EventHeaders.OccurredAt}' >= @occurredFrom)
              AND (@occurredTo::text IS NULL OR headers->>'{EventHeaders.OccurredAt}' < @occurredTo)
              AND (@recordedFrom::timestamptz IS NULL OR timestamp >= @recordedFrom)
              AND (@recordedTo::timestamptz IS NULL OR timestamp < @recordedTo)
            ORDER BY seq_id
            LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("after", after));
        command.Parameters.Add(new NpgsqlParameter<string?>("stream", stream));
        StreamArea.AddParameters(command, area);
        command.Parameters.Add(new NpgsqlParameter<string[]>("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. types] });
        command.Parameters.Add(new NpgsqlParameter<string?>("occurredFrom", occurredFrom is { } f ? EventHeaders.Format(f) : null));
        command.Parameters.Add(new NpgsqlParameter<string?>("occurredTo", occurredTo is { } t ? EventHeaders.Format(t) : null));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("recordedFrom", recordedFrom?.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("recordedTo", recordedTo?.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        return RowsAsync(command, cancellationToken);
    }
}
