using Npgsql;
using Readiness.Contracts;

namespace Readiness.Store;

public sealed partial class EventStore
{
    /// <summary>The reported events of one stream or an area (all when both are null), stream by stream in version order.</summary>
    public IAsyncEnumerable<EventRow> ChainAsync(string? stream, StreamArea? area, CancellationToken cancellationToken)
    {
        var command = database.CreateCommand(
            $"SELECT {EventRow.Columns} FROM {Events} WHERE {EventRow.Reported("stream_id")} " +
                $"AND (@stream::text IS NULL OR stream_id = @stream) AND {StreamArea.Filter("stream_id")} ORDER BY stream_id, version");
        command.Parameters.Add(new NpgsqlParameter<string?>("stream", stream));
        StreamArea.AddParameters(command, area);
        return RowsAsync(command, cancellationToken);
    }

    /// <summary>The version the store records for each reported stream of one stream or an area.</summary>
    public async Task<Dictionary<string, long>> StreamVersionsAsync(string? stream, StreamArea? area, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT id, version FROM {Streams} WHERE {EventRow.Reported("id")} AND (@stream::text IS NULL OR id = @stream) AND {StreamArea.Filter("id")}");
        command.Parameters.Add(new NpgsqlParameter<string?>("stream", stream));
        StreamArea.AddParameters(command, area);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions[reader.GetString(0)] = reader.GetInt64(1);
        }
        return versions;
    }

    /// <summary>Each reported stream's last version and stored hash, of an area.</summary>
    public async Task<IReadOnlyList<ChainHead>> ChainHeadsAsync(StreamArea area, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT e.stream_id, e.version, e.headers->>'{EventHeaders.Hash}'
            FROM {Streams} s
            JOIN {Events} e ON e.stream_id = s.id AND e.version = s.version
            WHERE {EventRow.Reported("s.id")} AND {StreamArea.Filter("s.id")}
            ORDER BY e.stream_id
            """);
        StreamArea.AddParameters(command, area);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var heads = new List<ChainHead>();
        while (await reader.ReadAsync(cancellationToken))
        {
            heads.Add(new ChainHead(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? string.Empty : reader.GetString(2)));
        }
        return heads;
    }
}
