using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Readiness.Store.Projections;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Grains.Structure;

/// <summary>
/// The chain of command as this silo last read it from the store: every unit's registration, from
/// every database, and every reorganisation order. Asked by the grains (may this unit still take a
/// report?), by authorisation (does this scope cover that unit then?) and by every view (who stood
/// under whom?). Read whole and replaced whole, so a reader never sees half of an order; checked for
/// change at most every <see cref="Freshness"/> by a count over a partial index, and read again at
/// once after an order is recorded on this silo.
/// </summary>
public sealed partial class ChainOfCommandCache(ProvinceDatabases databases, TimeProvider clock, ILogger<ChainOfCommandCache> logger) : IDisposable
{
    /// <summary>How old the tree may be before a reader has it checked: how long an order recorded on another silo may go unseen here.</summary>
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile Snapshot? snapshot;
    private int checking;
    private readonly ConcurrentDictionary<string, (ChainOfCommand Tree, DateTimeOffset From, DateTimeOffset? Until, RosterArrangement? Arrangement)> arrangements =
        new(StringComparer.Ordinal);

    /// <param name="Tree">The tree from every registration and order.</param>
    /// <param name="Stamps">Each database's stamp when it was read.</param>
    /// <param name="CheckedAt">When the stamps were last compared with the store's.</param>
    /// <param name="Recorded">Every registration and order by the time it was recorded: the tree as known at a moment is built from a prefix.</param>
    /// <param name="KnownAt">Trees as known at earlier moments, by how many of <paramref name="Recorded"/> they hold.</param>
    private sealed record Snapshot(
        ChainOfCommand Tree, StructureStamp[] Stamps, DateTimeOffset CheckedAt, StructureEvent[] Recorded, ConcurrentDictionary<int, ChainOfCommand> KnownAt);

    /// <summary>How many trees as known at earlier moments a silo keeps: each is a few hundred kilobytes for a province.</summary>
    private const int KnownAtTreesKept = 8;

    /// <summary>
    /// The tree. One last checked more than <see cref="Freshness"/> ago is checked in the background
    /// while it is answered: a reader never waits for the store, nor for a database that is away,
    /// unless no tree was read yet.
    /// </summary>
    public async ValueTask<ChainOfCommand> GetAsync(CancellationToken cancellationToken = default)
    {
        if (snapshot is not { } held)
        {
            return await RefreshAsync(force: false, cancellationToken);
        }
        if (clock.GetUtcNow() - held.CheckedAt >= Freshness && Interlocked.CompareExchange(ref checking, 1, 0) == 0)
        {
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await RefreshAsync(force: false);
                    }
                    catch (Exception ex)
                    {
                        LogCheckFailed(ex);
                    }
                    finally
                    {
                        Volatile.Write(ref checking, 0);
                    }
                }, CancellationToken.None);
            }
        }
        return held.Tree;
    }

    /// <summary>
    /// The tree, checked against the store at once when it does not know one of <paramref name="unitIds"/>:
    /// a unit registered a moment ago, here or on another silo, is known to the reader that asks for it.
    /// </summary>
    public async ValueTask<ChainOfCommand> KnowingAsync(IEnumerable<string> unitIds, CancellationToken cancellationToken = default)
    {
        var tree = await GetAsync(cancellationToken);
        return unitIds.All(tree.Knows) ? tree : await RefreshAsync(force: true, cancellationToken);
    }

    /// <summary>Checks the store for a change (now, when <paramref name="force"/>; else unless checked within <see cref="Freshness"/>), and reads the tree again if it changed.</summary>
    public async Task<ChainOfCommand> RefreshAsync(bool force, CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var held = snapshot;
            if (!force && held is not null && clock.GetUtcNow() - held.CheckedAt < Freshness)
            {
                return held.Tree;
            }
            StructureStamp[] stamps;
            try
            {
                stamps = await Task.WhenAll(databases.All.Select(d => d.Events.StructureStampAsync(cancellationToken)));
            }
            catch (Exception ex) when (held is not null && ex is not OperationCanceledException)
            {
                // A database away: the last tree read is still the best answer, and it is asked again next time.
                LogCheckFailed(ex);
                return held.Tree;
            }
            // Events are only ever added, so an unchanged count and newest sequence is an unchanged tree.
            if (held is not null && stamps.SequenceEqual(held.Stamps))
            {
                snapshot = held with { CheckedAt = clock.GetUtcNow() };
                return held.Tree;
            }
            var read = await Task.WhenAll(databases.All.Select(d => d.Events.StructureAsync(cancellationToken)));
            var tree = Build(read.SelectMany(events => events));
            StructureEvent[] recorded = [.. read.SelectMany(events => events).OrderBy(e => e.RecordedAt)];
            snapshot = new Snapshot(tree, stamps, clock.GetUtcNow(), recorded, new ConcurrentDictionary<int, ChainOfCommand>());
            return tree;
        }
        finally
        {
            gate.Release();
        }
    }

    // Registrations may come from any database, orders only from the main one; each in recording order.
    private static ChainOfCommand Build(IEnumerable<StructureEvent> events) =>
        ChainOfCommand.From(events.OrderBy(e => e.Event is UnitRegistered ? 0 : 1).Select(e => e.Event));

    /// <summary>
    /// The tree as it was known at <paramref name="knownAt"/>: from the registrations and orders recorded
    /// by then, so that a view of what the command centre could see places each unit as the record then
    /// did, before an order recorded later for an earlier date. The tree itself when <paramref name="knownAt"/> is null.
    /// </summary>
    public async ValueTask<ChainOfCommand> KnownAtAsync(DateTimeOffset? knownAt, CancellationToken cancellationToken = default)
    {
        var tree = await GetAsync(cancellationToken);
        if (knownAt is not { } moment || snapshot is not { } held || !ReferenceEquals(held.Tree, tree))
        {
            return tree;
        }
        var count = KnownBy(held.Recorded, moment);
        if (count == held.Recorded.Length)
        {
            return tree;
        }
        if (held.KnownAt.TryGetValue(count, out var kept))
        {
            return kept;
        }
        if (held.KnownAt.Count >= KnownAtTreesKept)
        {
            held.KnownAt.Clear();
        }
        return held.KnownAt[count] = Build(held.Recorded.Take(count));
    }

    /// <summary>How many of <paramref name="recorded"/> (by recording time) were recorded by <paramref name="knownAt"/>.</summary>
    private static int KnownBy(StructureEvent[] recorded, DateTimeOffset knownAt)
    {
        var (low, high) = (0, recorded.Length);
        while (low < high)
        {
            var middle = (low + high) / 2;
            (low, high) = recorded[middle].RecordedAt <= knownAt ? (middle + 1, high) : (low, middle);
        }
        return low;
    }

    public void Dispose() => gate.Dispose();

    /// <summary>
    /// The province arranged by <paramref name="tree"/> at <paramref name="at"/>, kept until the tree is
    /// replaced or the moment passes a change in it: every view of now asks for it, and the tree changes
    /// only at the dates its orders name.
    /// </summary>
    public RosterArrangement? Arranged(ChainOfCommand tree, string provinceId, DateTimeOffset at)
    {
        if (arrangements.TryGetValue(provinceId, out var kept) && ReferenceEquals(kept.Tree, tree) && at >= kept.From && (kept.Until is not { } until || at < until))
        {
            return kept.Arrangement;
        }
        var arrangement = RosterArrangement.Of(tree, provinceId, at);
        arrangements[provinceId] = (tree, at, tree.NextChangeAfter(at), arrangement);
        return arrangement;
    }

    /// <summary>Forgets the tree, so that the next reader reads it from the store: after a rebuild or an import.</summary>
    public void Forget() => snapshot = null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking the chain of command for changes failed; the tree read before is used until the next check")]
    private partial void LogCheckFailed(Exception exception);
}
