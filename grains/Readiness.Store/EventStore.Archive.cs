using Npgsql;
using NpgsqlTypes;

namespace Readiness.Store;

/// <summary>An event as an archive carries it, checked and ready to be written into an empty store; <c>SourceSequence</c> is the sequence its own store gave it.</summary>
public sealed record ArchivedEvent(
    Guid Id, string Stream, long Version, string Type, string Data, string Headers,
    DateTimeOffset RecordedAt, string? CorrelationId, string? CausationId, long SourceSequence);

public sealed partial class EventStore
{
    /// <summary>The reported events of an area (all when null), in recording order.</summary>
    public IAsyncEnumerable<EventRow> ExportAsync(StreamArea? area, CancellationToken cancellationToken)
    {
        var command = database.CreateCommand($"""
            SELECT {EventRow.Columns} FROM {Events}
            WHERE {EventRow.Reported("stream_id")} AND {StreamArea.Filter("stream_id")}
            ORDER BY seq_id
            """);
        StreamArea.AddParameters(command, area);
        return RowsAsync(command, cancellationToken);
    }

    /// <summary>
    /// Writes the events, in one transaction, into a store that holds none; returns how many streams
    /// they made. Refuses (<see cref="InvalidOperationException"/>) when any event is already stored.
    /// </summary>
    public async Task<int> ImportAsync(IReadOnlyList<ArchivedEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var empty = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {Streams} WHERE {EventRow.Reported("id")})", connection, transaction))
        {
            if ((bool)(await empty.ExecuteScalarAsync(cancellationToken))!)
            {
                throw new InvalidOperationException("The store already holds events; an import goes into an empty store only.");
            }
        }

        var streams = events.GroupBy(e => e.Stream, StringComparer.Ordinal)
            .Select(g => (Id: g.Key, Version: g.Max(e => e.Version), Created: g.Min(e => e.RecordedAt), Updated: g.Max(e => e.RecordedAt)))
            .ToList();
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY {Streams} (id, version, timestamp, created) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var stream in streams)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(stream.Id, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(stream.Version, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(stream.Updated, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(stream.Created, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }

        // Sequences are renumbered from 1 in the given order: an area's events keep their order
        // without the gaps other areas left, which the projection daemon would wait on. Each keeps its
        // source's sequence beside it, which the source's log covers.
        await using (var copy = await connection.BeginBinaryImportAsync($"""
            COPY {Events} (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id, causation_id, headers)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            long sequence = 0;
            foreach (var e in events)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(++sequence, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(e.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(e.Stream, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(e.Version, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(e.Data, NpgsqlDbType.Jsonb, cancellationToken);
                await copy.WriteAsync(e.Type, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(e.RecordedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                var clrType = EventRow.ClrTypeOf(e.Type)
                    ?? throw new InvalidOperationException($"Event {e.Id} has the unknown type '{e.Type}'.");
                await copy.WriteAsync($"{clrType.FullName}, {clrType.Assembly.GetName().Name}", NpgsqlDbType.Varchar, cancellationToken);
                await WriteNullable(copy, e.CorrelationId, cancellationToken);
                await WriteNullable(copy, e.CausationId, cancellationToken);
                await copy.WriteAsync(e.Headers, NpgsqlDbType.Jsonb, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY {ImportedSequences} (seq_id, source_seq) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            long sequence = 0;
            foreach (var e in events)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(++sequence, NpgsqlDbType.Bigint, cancellationToken);
                await copy.WriteAsync(e.SourceSequence, NpgsqlDbType.Bigint, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using (var sequence = new NpgsqlCommand($"SELECT setval('{EventSequence}', @last)", connection, transaction))
        {
            sequence.Parameters.Add(new NpgsqlParameter<long>("last", Math.Max(1, events.Count)));
            await sequence.ExecuteScalarAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return streams.Count;
    }

    /// <summary>The imported events that are still reported, in their source's order, each with the sequence its source gave it.</summary>
    public async IAsyncEnumerable<(EventRow Row, long SourceSequence)> ImportedEventsAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT {EventRow.Columns}, i.source_seq FROM {Events} JOIN {ImportedSequences} i USING (seq_id)
            WHERE {EventRow.Reported("stream_id")} ORDER BY i.source_seq
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return (EventRow.Read(reader), reader.GetInt64(10));
        }
    }

    private static Task WriteNullable(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Varchar, cancellationToken);
}
