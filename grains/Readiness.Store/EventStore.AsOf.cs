using Npgsql;
using Readiness.Domain;

namespace Readiness.Store;

/// <summary>
/// An event as a view of the past folds it: deserialised, with where and when it was recorded. OccurredAt is
/// the header as stored, which orders as time does; RecordedAt is the silo's note of when it was recorded
/// (as the live views fold it), null for events older than the note.
/// </summary>
public sealed record PastEvent(long Sequence, string Stream, long Version, object Data, DateTimeOffset Timestamp, string? OccurredAt, DateTimeOffset? RecordedAt = null);

public sealed partial class EventStore
{
    /// <summary>The last global sequence recorded by <paramref name="knownAt"/>, or the newest.</summary>
    public async Task<long> SequenceKnownAtAsync(DateTimeOffset? knownAt, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT coalesce(max(seq_id), 0) FROM {Events} WHERE (@knownAt::timestamptz IS NULL OR timestamp <= @knownAt)");
        // Npgsql writes timestamptz from UTC values only.
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("knownAt", knownAt?.ToUniversalTime()));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A unit's own events and its duty posts' (not those of the units below it), as selected by the two times.</summary>
    public IAsyncEnumerable<PastEvent> UnitEventsAsync(string unitId, DateTimeOffset? asOf, long known, CancellationToken cancellationToken) =>
        PastEventsAsync("""
            (stream_id = @unit OR (stream_id LIKE @posts AND stream_id NOT LIKE @deeper))
            """, command =>
            {
                command.Parameters.Add(new NpgsqlParameter<string>("unit", StreamKeys.Unit(unitId)));
                command.Parameters.Add(new NpgsqlParameter<string>("posts", StreamKeys.DutyPost(unitId) + "/%"));
                command.Parameters.Add(new NpgsqlParameter<string>("deeper", StreamKeys.DutyPost(unitId) + "/%/%"));
            }, asOf, known, cancellationToken);

    /// <summary>One stream's events, as selected by the two times.</summary>
    public IAsyncEnumerable<PastEvent> StreamEventsAsync(string streamKey, DateTimeOffset? asOf, long known, CancellationToken cancellationToken) =>
        PastEventsAsync("stream_id = @stream",
            command => command.Parameters.Add(new NpgsqlParameter<string>("stream", streamKey)),
            asOf, known, cancellationToken);

    /// <summary>
    /// A province's events, as selected by the two times, that a checkpoint at
    /// (<paramref name="checkpointAsOf"/>, <paramref name="checkpointSequence"/>) lacks: those recorded
    /// after it, those that happened after it, and every event of the <paramref name="straddling"/>
    /// streams. Without a checkpoint, all of them.
    /// </summary>
    public IAsyncEnumerable<PastEvent> ProvinceEventsAsync(
        string provinceId, long? checkpointSequence, DateTimeOffset? checkpointAsOf, string[] straddling,
        DateTimeOffset? asOf, long known, CancellationToken cancellationToken) =>
        PastEventsAsync($"""
            {StreamArea.Filter("stream_id")}
            AND (@checkpointSequence::bigint IS NULL
                 OR stream_id = ANY(@straddling)
                 OR seq_id > @checkpointSequence
                 OR headers->>'{EventHeaders.OccurredAt}' > @checkpointAsOf)
            """, command =>
            {
                StreamArea.AddParameters(command, StreamArea.Under(provinceId));
                command.Parameters.Add(new NpgsqlParameter<long?>("checkpointSequence", checkpointSequence));
                command.Parameters.Add(new NpgsqlParameter<string[]>("straddling", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = straddling });
                command.Parameters.Add(new NpgsqlParameter<string?>("checkpointAsOf", checkpointAsOf is { } at ? EventHeaders.Format(at) : null));
            }, asOf, known, cancellationToken);

    /// <summary>When the province's first event recorded up to <paramref name="sequence"/> happened.</summary>
    public async Task<DateTimeOffset?> FirstOccurredAsync(string provinceId, long sequence, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT min(headers->>'{EventHeaders.OccurredAt}') FROM {Events}
            WHERE seq_id <= @sequence AND {StreamArea.Filter("stream_id")}
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("sequence", sequence));
        StreamArea.AddParameters(command, StreamArea.Under(provinceId));
        return await command.ExecuteScalarAsync(cancellationToken) is string first
            ? DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>
    /// The streams of a province in which an event that happened by <paramref name="asOf"/> was
    /// recorded, up to <paramref name="sequence"/>, after one that happened later.
    /// </summary>
    public async Task<List<string>> StraddlingAsync(string provinceId, DateTimeOffset asOf, long sequence, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT DISTINCT stream_id FROM (
              SELECT stream_id, headers->>'{EventHeaders.OccurredAt}' AS occurred,
                     max(headers->>'{EventHeaders.OccurredAt}') OVER (PARTITION BY stream_id ORDER BY version
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_before
              FROM {Events}
              WHERE seq_id <= @sequence AND {StreamArea.Filter("stream_id")}) events
            WHERE occurred <= @asOf AND latest_before > @asOf
            ORDER BY stream_id
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("sequence", sequence));
        command.Parameters.Add(new NpgsqlParameter<string>("asOf", EventHeaders.Format(asOf)));
        StreamArea.AddParameters(command, StreamArea.Under(provinceId));
        return await StringsAsync(command, cancellationToken);
    }

    /// <summary>
    /// The events of <paramref name="scope"/> recorded up to <paramref name="known"/> that happened by
    /// <paramref name="asOf"/>, in recording order. Events of a type this version does not know are left out.
    /// </summary>
    private async IAsyncEnumerable<PastEvent> PastEventsAsync(
        string scope, Action<NpgsqlCommand> parameters, DateTimeOffset? asOf, long known,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var serializer = store.Options.Serializer();
        await using var command = database.CreateCommand($"""
            SELECT seq_id, stream_id, version, type, data, timestamp, headers->>'{EventHeaders.OccurredAt}', headers->>'{EventHeaders.RecordedAt}' FROM {Events}
            WHERE seq_id <= @known
              AND (@asOf::text IS NULL OR headers->>'{EventHeaders.OccurredAt}' <= @asOf)
              AND {scope}
            ORDER BY seq_id
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("known", known));
        command.Parameters.Add(new NpgsqlParameter<string?>("asOf", asOf is { } at && at != DateTimeOffset.MaxValue ? EventHeaders.Format(at) : null));
        parameters(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (EventRow.ClrTypeOf(reader.GetString(3)) is not { } type)
            {
                continue;
            }
            yield return new PastEvent(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2),
                serializer.FromJson(type, reader, 4), reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                EventHeaders.ParseTime(await reader.IsDBNullAsync(7, cancellationToken) ? null : reader.GetString(7)));
        }
    }
}
