using Npgsql;

namespace Readiness.Silo.Hosting;

/// <summary>
/// A PostgreSQL session-level advisory lock (one of <see cref="AdvisoryLockKey"/>), held by one
/// connection until disposed. Session-level, not transaction-level, because what it guards (a
/// migration, a rebuild, a tick of a writer) spans many transactions. Disposing gives it back
/// explicitly: a pooled connection keeps its session's locks until it is next used, so merely
/// returning the connection would leave the lock held.
/// </summary>
internal sealed class AdvisoryLock : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;
    private readonly AdvisoryLockKey key;
    private readonly bool ownsConnection;
    private bool released;

    private AdvisoryLock(NpgsqlConnection connection, AdvisoryLockKey key, bool ownsConnection) =>
        (this.connection, this.key, this.ownsConnection) = (connection, key, ownsConnection);

    /// <summary>Takes the lock on the caller's connection, waiting while another session holds it.</summary>
    public static async Task<AdvisoryLock> AcquireAsync(NpgsqlConnection connection, AdvisoryLockKey key, CancellationToken cancellationToken)
    {
        await using var take = new NpgsqlCommand($"SELECT pg_advisory_lock({(long)key})", connection);
        await take.ExecuteNonQueryAsync(cancellationToken);
        return new AdvisoryLock(connection, key, ownsConnection: false);
    }

    /// <summary>
    /// Takes the lock on a connection of its own if no other session holds it, or answers null at once.
    /// The connection goes back to the pool when the lock is disposed.
    /// </summary>
    public static async Task<AdvisoryLock?> TryAcquireAsync(NpgsqlDataSource database, AdvisoryLockKey key, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({(long)key})", connection);
            if (await take.ExecuteScalarAsync(cancellationToken) is true)
            {
                return new AdvisoryLock(connection, key, ownsConnection: true);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>
    /// Work that one silo of a cluster does at a time (the Merkle log's writer, the upward-report outbox):
    /// runs <paramref name="work"/> holding lock <paramref name="key"/>, or answers <paramref name="busy"/>
    /// at once when another silo holds it.
    /// </summary>
    public static async Task<T> TryRunAsync<T>(NpgsqlDataSource database, AdvisoryLockKey key, T busy, Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await using var held = await TryAcquireAsync(database, key, cancellationToken);
        return held is null ? busy : await work();
    }

    /// <summary>Gives the lock back (even when the work was cancelled), then the connection if it is the lock's own.</summary>
    public async ValueTask DisposeAsync()
    {
        if (released)
        {
            return;
        }
        released = true;
        try
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({(long)key})", connection);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
        finally
        {
            if (ownsConnection)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
