using System.Diagnostics;
using System.Threading.Channels;
using JasperFx;
using JasperFx.Events;
using Npgsql;

namespace Readiness.Store;

/// <summary>
/// Appends from many grains share one transaction when they arrive together: a commit costs about
/// as much for ten streams as for one, so under load the store's durable rate grows with the batch
/// while each stream keeps its expected-version check. A batch goes to PostgreSQL as one statement
/// (<see cref="EventStore.AppendAsync"/>), its events already serialised and hashed by their grains.
/// No batch is waited for: a writer takes what is queued when it is free, so a lone append goes
/// alone. Every caller's task completes only once its own events are committed, or fails with the reason.
/// </summary>
public sealed class GroupCommit : IAsyncDisposable
{
    /// <summary>Transactions in flight at once; more would only queue in PostgreSQL on two cores.</summary>
    private const int Writers = 4;
    private const int MaxBatch = 64;

    private readonly Channel<PendingAppend> queue = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly Task[] writers;
    private readonly ReadinessTelemetry? telemetry;

    private readonly EventStore events;

    /// <param name="events">The database's event tables.</param>
    /// <param name="telemetry">Where commits are counted.</param>
    public GroupCommit(EventStore events, ReadinessTelemetry? telemetry = null)
    {
        this.events = events;
        this.telemetry = telemetry;
        // The writers serve every caller: they must not carry the trace or audit context of whichever call created them.
        using (ExecutionContext.SuppressFlow())
        {
            writers = [.. Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteAsync))];
        }
    }

    /// <summary>The event tables this writer appends to.</summary>
    public EventStore Events => events;

    /// <summary>Commits one stream's append, in a transaction that may hold other streams' appends.</summary>
    /// <exception cref="ConcurrencyException">The stream is not at <see cref="StreamAppend.FromVersion"/>.</exception>
    /// <exception cref="ExistingStreamIdCollisionException">The append starts a stream that exists.</exception>
    public Task AppendAsync(StreamAppend append)
    {
        var pending = new PendingAppend(append, Activity.Current?.Context ?? default);
        if (!queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommit), "The silo is stopping; nothing more is appended.");
        }
        return pending.Committed.Task;
    }

    private async Task WriteAsync()
    {
        var batch = new List<PendingAppend>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            if (batch.Count == 1)
            {
                await CommitAloneAsync(batch[0]);
            }
            else if (batch.Count > 1)
            {
                await CommitTogetherAsync(batch);
            }
        }
    }

    private async Task CommitTogetherAsync(List<PendingAppend> batch)
    {
        // The commit belongs to the first caller's trace, and is linked from every other's.
        using var span = ReadinessTelemetry.Source.StartActivity("append together", ActivityKind.Internal, batch[0].Caller,
            links: batch.Skip(1).Select(p => new ActivityLink(p.Caller)));
        span?.SetTag("readiness.batch_size", batch.Count);
        try
        {
            await events.AppendAsync([.. batch.Select(p => p.Append)]);
        }
        catch (Exception ex) when (!OutcomeUnknown(ex))
        {
            // PostgreSQL refused the transaction (one stream had moved on elsewhere, say) and rolled it
            // back whole: nothing of it was written, so each append goes again on its own and meets its own answer.
            foreach (var pending in batch)
            {
                await CommitAloneAsync(pending);
            }
            return;
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Committed.TrySetException(ex);
            }
            return;
        }
        telemetry?.Committed(batch.Count);
        foreach (var pending in batch)
        {
            pending.Committed.TrySetResult();
        }
    }

    private async Task CommitAloneAsync(PendingAppend pending)
    {
        using var span = ReadinessTelemetry.Source.StartActivity("append", ActivityKind.Internal, pending.Caller);
        try
        {
            await events.AppendAsync([pending.Append]);
            telemetry?.Committed(1);
            pending.Committed.TrySetResult();
        }
        catch (Exception ex)
        {
            pending.Committed.TrySetException(ex);
        }
    }

    /// <summary>
    /// Whether the transaction may have committed: the connection broke or timed out before PostgreSQL
    /// answered. An error PostgreSQL reported means it rolled back.
    /// </summary>
    private static bool OutcomeUnknown(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case ConcurrencyException or ExistingStreamIdCollisionException:
                    return false;
                case PostgresException postgres:
                    return IsConnectionLost(postgres);
                case NpgsqlException or TimeoutException or IOException:
                    return true;
            }
        }
        return true;
    }

    /// <summary>
    /// SQLSTATE class 08 (a broken connection) or 57P01–57P03 (the server shutting down or starting
    /// up): PostgreSQL went away, whatever the statement was.
    /// </summary>
    public static bool IsConnectionLost(PostgresException exception) =>
        exception.SqlState.StartsWith("08", StringComparison.Ordinal) || exception.SqlState.StartsWith("57P", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await Task.WhenAll(writers);
    }

    private sealed record PendingAppend(StreamAppend Append, ActivityContext Caller)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
