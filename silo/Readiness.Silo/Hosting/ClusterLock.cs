using Npgsql;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Work that one silo of a cluster does at a time (the Merkle log's writer, the upward-report outbox):
/// a PostgreSQL session-level advisory lock, taken only if free, held on its own connection while the
/// work runs, and always given back.
/// </summary>
internal static class ClusterLock
{
    /// <summary>Runs <paramref name="work"/> holding lock <paramref name="key"/>, or answers <paramref name="busy"/> at once when another silo holds it.</summary>
    public static async Task<T> TryRunAsync<T>(NpgsqlDataSource database, long key, T busy, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({key})", connection))
        {
            if (!(bool)(await take.ExecuteScalarAsync(cancellationToken))!)
            {
                return busy;
            }
        }
        try
        {
            return await work();
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({key})", connection);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
    }
}
