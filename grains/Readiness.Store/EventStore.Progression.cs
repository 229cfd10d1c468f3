using Npgsql;

namespace Readiness.Store;

public sealed partial class EventStore
{
    /// <summary>
    /// The highest sequence below which every event is committed, as the daemon last saw it: a
    /// sequence number is taken before its transaction commits, so max(seq_id) may stand above a gap
    /// that is about to be filled. Without a daemon row yet, the newest event.
    /// </summary>
    public async Task<long> HighWaterMarkAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT coalesce(
                (SELECT last_seq_id FROM {Progression} WHERE name = 'HighWaterMark'),
                (SELECT max(seq_id) FROM {Events}),
                0)
            """);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The daemon's high-water mark alone: every sequence number up to it is either an event or
    /// will never be one (the daemon passes a hole only once PostgreSQL shows no live transaction
    /// that could fill it). 0 where no daemon has marked one.
    /// </summary>
    public async Task<long> SettledSequenceAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"SELECT coalesce((SELECT last_seq_id FROM {Progression} WHERE name = 'HighWaterMark'), 0)");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Locks a daemon shard's progress row until <paramref name="transaction"/> ends and returns its
    /// position, or null when the shard has none yet.
    /// </summary>
    public static async Task<long?> LockProgressAsync(NpgsqlTransaction transaction, string shardName, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT last_seq_id FROM {Progression} WHERE name = @name FOR UPDATE", transaction.Connection, transaction);
        command.Parameters.AddWithValue("name", shardName);
        return await command.ExecuteScalarAsync(cancellationToken) is long position ? position : null;
    }

    /// <summary>
    /// Moves a daemon shard's progress to <paramref name="sequence"/> within <paramref name="transaction"/>,
    /// creating the row when <see cref="LockProgressAsync"/> found none.
    /// </summary>
    public static async Task SetProgressAsync(NpgsqlTransaction transaction, string shardName, long sequence, bool exists, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(exists
                ? $"UPDATE {Progression} SET last_seq_id = @seq, last_updated = transaction_timestamp() WHERE name = @name"
                : $"INSERT INTO {Progression} (name, last_seq_id, last_updated) VALUES (@name, @seq, transaction_timestamp())",
            transaction.Connection, transaction);
        command.Parameters.AddWithValue("name", shardName);
        command.Parameters.AddWithValue("seq", sequence);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
