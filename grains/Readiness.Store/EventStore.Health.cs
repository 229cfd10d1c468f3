namespace Readiness.Store;

/// <summary>Where an asynchronous projection stands against the event store.</summary>
/// <param name="Projection">The projection's name.</param>
/// <param name="Position">The last event sequence the projection has applied; 0 before its first batch.</param>
/// <param name="NewestSequence">The newest event sequence in the store.</param>
/// <param name="OldestWaiting">When the oldest event it has not applied was recorded; null when caught up.</param>
public sealed record ProjectionProgress(string Projection, long Position, long NewestSequence, DateTimeOffset? OldestWaiting);

public sealed partial class EventStore
{
    /// <summary>The daemon's progress of each named projection (all of its events, one shard), in the order given.</summary>
    public async Task<IReadOnlyList<ProjectionProgress>> ProgressAsync(IReadOnlyList<string> projections, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT p.name,
                   coalesce(p.last_seq_id, 0),
                   coalesce((SELECT max(seq_id) FROM {Events}), 0),
                   (SELECT min(e.timestamp) FROM {Events} e WHERE e.seq_id > coalesce(p.last_seq_id, 0))
            FROM unnest(@names) AS wanted(name)
            LEFT JOIN {Progression} p ON p.name = wanted.name || ':All'
            """);
        command.Parameters.AddWithValue("names", projections.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var progress = new List<ProjectionProgress>();
        var index = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            progress.Add(new ProjectionProgress(projections[index++], reader.GetInt64(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3)));
        }
        return progress;
    }

    /// <summary>
    /// The sequence each of these provinces' rosters has reached (the furthest of its parts), read
    /// from the stored documents without deserialising them: the live feed asks ten times a second.
    /// </summary>
    public async Task<IReadOnlyList<(string ProvinceId, long Sequence)>> RosterSequencesAsync(string[] provinceIds, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT province_id, max((data->>'sequence')::bigint) FROM {RosterDocuments} WHERE province_id = ANY(@ids) GROUP BY province_id");
        command.Parameters.AddWithValue("ids", provinceIds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sequences = new List<(string, long)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            sequences.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        return sequences;
    }
}
