using JasperFx.Events;
using JasperFx.Events.Daemon;
using Marten;
using Readiness.Store;

namespace Readiness.Silo.Admin;

/// <summary>Live progress of one rebuild, written by the rebuilder and read by the status route.</summary>
internal sealed class RebuildProgress
{
    private long eventsProcessed;
    private long documentsWritten;
    private long totalEvents;

    public long EventsProcessed => Interlocked.Read(ref eventsProcessed);
    public long DocumentsWritten => Interlocked.Read(ref documentsWritten);
    public long TotalEvents => Interlocked.Read(ref totalEvents);
    public volatile string Phase = "starting";

    public void AddEvents(long count) => Interlocked.Add(ref eventsProcessed, count);
    public void AddDocuments(long count) => Interlocked.Add(ref documentsWritten, count);
    public void SetTotal(long total) => Interlocked.Exchange(ref totalEvents, total);
}

/// <summary>
/// Rebuilds the province roster from the events while the silo keeps serving. Marten's own rebuild
/// first deletes every document of the projection and then replays, so for its whole duration the
/// views would be missing or partial. Instead this folds every event, in global order, into parts
/// held in memory (with the projection's own fold), and then swaps them in, in one transaction
/// that locks the daemon's progress row, applies the events the live daemon projected since the fold
/// began, and leaves the progress where the documents are; the live agent on this silo is stopped
/// around it so no batch of its in flight lands on top. Until the swap, every view keeps serving
/// its previous documents.
/// With provinces spread over several databases, each database is rebuilt in turn, from its own
/// events into its own documents, beside its own daemon.
/// </summary>
internal sealed partial class ProjectionRebuilder(
    IDocumentStore store,
    ProvinceDatabases databases,
    IServiceProvider services,
    ILogger<ProjectionRebuilder> logger)
{
    public const int PageSize = 5_000;

    /// <summary>The projections that can be rebuilt, by name.</summary>
    public IReadOnlyDictionary<string, Func<ProvinceRosterTarget>> Targets { get; } = ProvinceRosterTarget.Registered(store);

    /// <summary>Rebuilds the projections in each of <paramref name="only"/>, or in every database.</summary>
    public async Task RebuildAsync(IReadOnlyList<string> names, RebuildProgress progress, CancellationToken cancellationToken, IReadOnlyList<ProvinceDatabase>? only = null)
    {
        var chosen = only ?? databases.All;
        var ceilings = new List<long>(chosen.Count);
        foreach (var database in chosen)
        {
            ceilings.Add(await database.Events.HighWaterMarkAsync(cancellationToken));
        }
        progress.SetTotal(ceilings.Sum());
        for (var i = 0; i < chosen.Count; i++)
        {
            await RebuildInAsync(chosen[i], names, ceilings[i], progress, cancellationToken);
        }
        progress.Phase = "done";
    }

    private async Task RebuildInAsync(ProvinceDatabase database, IReadOnlyList<string> names, long ceiling, RebuildProgress progress, CancellationToken cancellationToken)
    {
        var targets = names.Select(n => Targets[n]()).ToList();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        progress.Phase = PhaseIn(database, "reading events");
        await using (var session = database.Sessions.QuerySession())
        {
            // The next page is read and deserialised while this one is folded.
            var next = ReadPageAsync(session, 0, ceiling, cancellationToken);
            while (true)
            {
                var page = await next;
                if (page.Count == 0)
                {
                    break;
                }
                next = page[^1].Sequence < ceiling
                    ? ReadPageAsync(session, page[^1].Sequence, ceiling, cancellationToken)
                    : Task.FromResult<IReadOnlyList<IEvent>>([]);
                foreach (var e in page)
                {
                    foreach (var target in targets)
                    {
                        target.Apply(e);
                    }
                }
                progress.AddEvents(page.Count);
            }
        }
        LogPhase(database.Name, "read and folded", progress.EventsProcessed, watch.ElapsedMilliseconds);
        progress.Phase = PhaseIn(database, "writing views");
        foreach (var target in targets)
        {
            watch.Restart();
            await SwapRosterAsync(database, target, ceiling, progress, cancellationToken);
            LogPhase(database.Name, "swapped roster parts", target.Rosters.Count, watch.ElapsedMilliseconds);
        }
    }

    private string PhaseIn(ProvinceDatabase database, string phase) => databases.Several ? $"{phase} ({database.Name})" : phase;

    private static async Task<IReadOnlyList<IEvent>> ReadPageAsync(IQuerySession session, long after, long ceiling, CancellationToken cancellationToken) =>
        await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after && e.Sequence <= ceiling)
            .OrderBy(e => e.Sequence)
            .Take(PageSize)
            .ToListAsync(cancellationToken);

    private async Task SwapRosterAsync(ProvinceDatabase database, ProvinceRosterTarget roster, long ceiling, RebuildProgress progress, CancellationToken cancellationToken)
    {
        // In a cluster only the silo leading this database runs its daemon's agents; elsewhere there is nothing to stop.
        var coordinator = services.GetService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
        var daemon = coordinator is null ? null : database.IsMain ? coordinator.DaemonForMainDatabase() : await coordinator.DaemonForDatabase(database.Name);
        var runsHere = daemon?.CurrentAgents().Any(a => a.Name.Identity == roster.ShardName) == true;
        if (runsHere)
        {
            var stopping = System.Diagnostics.Stopwatch.StartNew();
            await daemon!.StopAgentAsync(roster.ShardName);
            LogPhase(database.Name, "stopped the live agent", 1, stopping.ElapsedMilliseconds);
        }
        try
        {
            await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var position = await EventStore.LockProgressAsync(transaction, roster.ShardName, cancellationToken);

            var options = Marten.Services.SessionOptions.ForTransaction(transaction);
            options.TenantId = database.IsMain ? options.TenantId : database.Name;
            await using var session = store.LightweightSession(options);
            // The live daemon went on while we folded: apply what it applied, so that its documents
            // and its position stay in step. If it was behind the fold, it resumes from the ceiling.
            var target = Math.Max(position ?? 0, ceiling);
            for (var from = ceiling; from < target;)
            {
                var page = await ReadPageAsync(session, from, target, cancellationToken);
                if (page.Count == 0)
                {
                    break;
                }
                foreach (var e in page)
                {
                    roster.Apply(e);
                }
                from = page[^1].Sequence;
                progress.AddEvents(page.Count);
            }

            foreach (var document in roster.Rosters)
            {
                session.Store(document);
            }
            var existing = await session.Query<Readiness.Store.Projections.ProvinceRoster>().Select(r => r.Id).ToListAsync(cancellationToken);
            var rebuilt = roster.Rosters.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var orphan in existing.Where(id => !rebuilt.Contains(id)))
            {
                session.Delete<Readiness.Store.Projections.ProvinceRoster>(orphan);
            }
            await session.SaveChangesAsync(cancellationToken);

            await EventStore.SetProgressAsync(transaction, roster.ShardName, target, exists: position is not null, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            progress.AddDocuments(roster.Rosters.Count);
        }
        finally
        {
            if (runsHere)
            {
                await RestartAsync(daemon!, roster.ShardName);
            }
        }
    }

    private async Task RestartAsync(IProjectionDaemon daemon, string shardName)
    {
        try
        {
            await daemon.StartAgentAsync(shardName, CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // The coordinator restarts stopped shards on its own; this only saves it the wait.
            LogRestartFailed(shardName, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild in database {Database}, {Step}: {Count} in {Milliseconds} ms")]
    private partial void LogPhase(string database, string step, long count, long milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not restart projection shard {Shard} after the rebuild; the coordinator will: {Reason}")]
    private partial void LogRestartFailed(string shard, string reason);
}
