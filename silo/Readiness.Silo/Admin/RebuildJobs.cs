using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Readiness.Contracts.Http;
using Readiness.Silo.Hosting;

namespace Readiness.Silo.Admin;

/// <summary>One rebuild run in the background.</summary>
internal sealed class RebuildJob(string id, IReadOnlyList<string> projections, DateTimeOffset startedAt, IReadOnlyList<Readiness.Store.ProvinceDatabase>? databases = null)
{
    private readonly Stopwatch watch = Stopwatch.StartNew();

    public string Id { get; } = id;
    public IReadOnlyList<string> Projections { get; } = projections;

    /// <summary>The databases to rebuild in; null for every one.</summary>
    public IReadOnlyList<Readiness.Store.ProvinceDatabase>? Databases { get; } = databases;
    public DateTimeOffset StartedAt { get; } = startedAt;
    public RebuildProgress Progress { get; } = new();
    public volatile RebuildJobOutcome? Outcome;

    public sealed record RebuildJobOutcome(RebuildState State, DateTimeOffset FinishedAt, TimeSpan Elapsed, string? Error);

    public void Finish(RebuildState state, DateTimeOffset at, string? error) => Outcome = new RebuildJobOutcome(state, at, watch.Elapsed, error);

    public RebuildStatus Status()
    {
        var outcome = Outcome;
        var elapsed = outcome?.Elapsed ?? watch.Elapsed;
        var events = Progress.EventsProcessed;
        return new RebuildStatus(Id, Projections, outcome?.State ?? RebuildState.Running, Progress.Phase, events, Progress.TotalEvents,
            elapsed.TotalSeconds > 0 ? Math.Round(events / elapsed.TotalSeconds, 1) : 0, Progress.DocumentsWritten,
            StartedAt, outcome?.FinishedAt, Math.Round(elapsed.TotalSeconds, 3), outcome?.Error);
    }
}

/// <summary>
/// Starts rebuilds and keeps their status. One at a time: in this silo by a flag, across the silos of
/// a cluster by a PostgreSQL advisory lock held for the job's duration, because two rebuilds swapping
/// documents in at once would each overwrite the other's catch-up.
/// </summary>
internal sealed partial class RebuildJobs(
    ProjectionRebuilder rebuilder,
    NpgsqlDataSource dataSource,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<RebuildJobs> logger)
{
    private const int Kept = 20;

    private readonly ConcurrentDictionary<string, RebuildJob> jobs = new(StringComparer.Ordinal);
    private int running;

    /// <summary>The projections that can be rebuilt, in a stable order.</summary>
    public IReadOnlyList<string> Names { get; } = [.. rebuilder.Targets.Keys.Order(StringComparer.Ordinal)];

    public RebuildJob? Find(string id) => jobs.GetValueOrDefault(id);

    public IEnumerable<RebuildJob> Recent() => jobs.Values.OrderByDescending(j => j.StartedAt);

    /// <summary>Starts a rebuild, or returns null when one is already running here or on another silo.</summary>
    public async Task<RebuildJob?> TryStartAsync(IReadOnlyList<string> names, CancellationToken cancellationToken,
        IReadOnlyList<Readiness.Store.ProvinceDatabase>? databases = null)
    {
        if (Interlocked.CompareExchange(ref running, 1, 0) != 0)
        {
            return null;
        }
        AdvisoryLock? held;
        try
        {
            held = await AdvisoryLock.TryAcquireAsync(dataSource, AdvisoryLockKey.Rebuild, cancellationToken);
        }
        catch
        {
            Volatile.Write(ref running, 0);
            throw;
        }
        if (held is null)
        {
            Volatile.Write(ref running, 0);
            return null;
        }

        var job = new RebuildJob(Guid.CreateVersion7().ToString(), names, clock.GetUtcNow(), databases);
        jobs[job.Id] = job;
        foreach (var old in jobs.Values.OrderByDescending(j => j.StartedAt).Skip(Kept))
        {
            jobs.TryRemove(old.Id, out _);
        }
        _ = Task.Run(() => RunAsync(job, held), CancellationToken.None);
        return job;
    }

    private async Task RunAsync(RebuildJob job, AdvisoryLock held)
    {
        LogStarted(job.Id, job.Projections);
        Exception? failure = null;
        try
        {
            await rebuilder.RebuildAsync(job.Projections, job.Progress, lifetime.ApplicationStopping, job.Databases);
        }
        catch (Exception ex)
        {
            // Whatever went wrong belongs in the job's status: nobody awaits this task.
            failure = ex;
        }
        finally
        {
            try
            {
                await held.DisposeAsync();
            }
            catch (NpgsqlException ex)
            {
                LogUnlockFailed(ex.Message);
            }
            Volatile.Write(ref running, 0);
        }
        // Finished only once the lock is free: a caller that sees the job done may start the next at once,
        // and must not be told that another rebuild is running.
        if (failure is null)
        {
            job.Finish(RebuildState.Succeeded, clock.GetUtcNow(), null);
            var status = job.Status();
            LogSucceeded(job.Id, status.EventsProcessed, status.ElapsedSeconds, status.EventsPerSecond);
        }
        else
        {
            job.Finish(RebuildState.Failed, clock.GetUtcNow(), failure.Message);
            LogFailed(failure, job.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild {JobId} started: {Projections}")]
    private partial void LogStarted(string jobId, IReadOnlyList<string> projections);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild {JobId} succeeded: {Events} events in {Seconds} s, {EventsPerSecond} events/s")]
    private partial void LogSucceeded(string jobId, long events, double seconds, double eventsPerSecond);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuild {JobId} failed")]
    private partial void LogFailed(Exception ex, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the rebuild lock: {Reason}")]
    private partial void LogUnlockFailed(string reason);
}
