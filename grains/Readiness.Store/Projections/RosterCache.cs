using System.Collections.Concurrent;
using Marten;
using Marten.Services;

namespace Readiness.Store.Projections;

/// <summary>
/// The rosters of the provinces someone reads, held in memory and fed by every batch the daemon
/// commits on this silo, so that a province's view and its live feed need no PostgreSQL read while
/// the daemon runs here. A province is loaded from the store once and then kept by the batches;
/// whoever reads it decides whether it may be trusted (<see cref="Province.Agent"/>, <see cref="Province.LoadedAt"/>).
/// The parts are the daemon's own instances, never touched after their commit: the daemon keeps them
/// for its next batch, which folds into a draft of each (<see cref="ProvinceRosterProjection.DetermineAction"/>).
/// </summary>
public sealed class RosterCache : IChangeListener
{
    private readonly ConcurrentDictionary<string, Province> provinces = new(StringComparer.Ordinal);

    public sealed class Province(object agent, DateTimeOffset loadedAt)
    {
        private readonly Lock gate = new();
        private readonly Dictionary<string, ProvinceRoster> parts = new(StringComparer.Ordinal);
        private ProvinceRoster? whole;
        private (ProvinceRoster Roster, object? Basis, DateTimeOffset RatedAt, object View)? rated;
        private bool rating;

        /// <summary>The daemon agent that fed this entry: another one (the shard restarted, or moved away and back) may have missed batches.</summary>
        public object Agent { get; } = agent;

        public DateTimeOffset LoadedAt { get; } = loadedAt;

        /// <summary>The furthest sequence any part has reached.</summary>
        public long Sequence { get; private set; }

        /// <summary>Takes a part, unless the entry already holds a later fold of it.</summary>
        public void Put(ProvinceRoster part)
        {
            lock (gate)
            {
                if (parts.TryGetValue(part.Id, out var held) && held.Sequence > part.Sequence)
                {
                    return;
                }
                parts[part.Id] = part;
                Sequence = Math.Max(Sequence, part.Sequence);
                whole = null;
            }
        }

        /// <summary>The province composed of its parts, or null when it has none.</summary>
        public ProvinceRoster? Whole()
        {
            lock (gate)
            {
                return WholeHeld();
            }
        }

        /// <summary>The whole, composed once per change of the parts; the caller holds the lock.</summary>
        private ProvinceRoster? WholeHeld() =>
            parts.Count == 0 ? null : whole ??= ProvinceRoster.Compose(parts.Values.First().ProvinceId, parts.Values);

        /// <summary>
        /// A view of the whole, rated at most <paramref name="freshFor"/> ago and on the same parts;
        /// otherwise <paramref name="rate"/> rates it now. Levels look back over days and weeks, so a
        /// view rated a moment ago is the view of now: a burst of readers rates the province once.
        /// A view at most twice <paramref name="freshFor"/> old, or one batch behind, is still
        /// answered while a fresh one is rated in the background, so a reader after each batch does
        /// not wait for the rating; an older one is rated before it is answered.
        /// </summary>
        /// <param name="now">The moment to rate at.</param>
        /// <param name="freshFor">How old a rating may be and still be the view of now.</param>
        /// <param name="rate">Rates the whole at a moment.</param>
        /// <param name="newest">Answer the newest parts' view only, never one a batch behind: the live feed's case, which announces each batch.</param>
        /// <param name="basis">What else the view was rated on (the chain of command): a view rated on another is never answered.</param>
        public TView? Rated<TView>(DateTimeOffset now, TimeSpan freshFor, Func<ProvinceRoster, DateTimeOffset, TView> rate, bool newest = false, object? basis = null)
            where TView : class
        {
            ProvinceRoster? roster;
            lock (gate)
            {
                roster = WholeHeld();
                if (roster is null)
                {
                    return null;
                }
                if (newest)
                {
                    if (rated is { } same && same.View is TView sameView && ReferenceEquals(same.Roster, roster) && ReferenceEquals(same.Basis, basis)
                        && now >= same.RatedAt && now - same.RatedAt <= freshFor)
                    {
                        return sameView;
                    }
                }
                else if (rated is { } kept && kept.View is TView view && ReferenceEquals(kept.Basis, basis) && now >= kept.RatedAt && now - kept.RatedAt <= 2 * freshFor)
                {
                    var current = ReferenceEquals(kept.Roster, roster) && now - kept.RatedAt <= freshFor;
                    if (!current && !rating)
                    {
                        rating = true;
                        _ = Task.Run(() => RateInBackground(roster, basis, now, rate));
                    }
                    return view;
                }
            }
            return Keep(roster, basis, now, rate);
        }

        private void RateInBackground<TView>(ProvinceRoster roster, object? basis, DateTimeOffset now, Func<ProvinceRoster, DateTimeOffset, TView> rate) where TView : class
        {
            try
            {
                Keep(roster, basis, now, rate);
            }
            finally
            {
                lock (gate)
                {
                    rating = false;
                }
            }
        }

        private TView Keep<TView>(ProvinceRoster roster, object? basis, DateTimeOffset now, Func<ProvinceRoster, DateTimeOffset, TView> rate) where TView : class
        {
            var fresh = rate(roster, now);
            lock (gate)
            {
                // Kept unless a later rating of a later whole already is.
                if (rated is not { } kept || kept.RatedAt <= now)
                {
                    rated = (roster, basis, now, fresh);
                }
            }
            return fresh;
        }
    }

    public Province? Get(string provinceId) => provinces.GetValueOrDefault(provinceId);

    /// <summary>Starts an entry before its parts are read from the store, so that no batch committed meanwhile is missed.</summary>
    public Province Begin(string provinceId, object agent, DateTimeOffset now)
    {
        var province = new Province(agent, now);
        provinces[provinceId] = province;
        return province;
    }

    public void Forget(string provinceId) => provinces.TryRemove(provinceId, out _);

    public void Clear() => provinces.Clear();

    /// <summary>
    /// Whether every batch the daemon began to commit here has been seen committed: one whose commit
    /// failed without saying whether it happened (the database went away at COMMIT) may have
    /// written parts this memory never received. Each database's daemon commits one roster batch at
    /// a time, so a batch begun in a database while another is still open there means the other one
    /// failed; one open for longer than <paramref name="patience"/> is in doubt. Memory in doubt is
    /// dropped, and the store read instead.
    /// </summary>
    public bool Trustworthy(DateTimeOffset now, TimeSpan patience)
    {
        foreach (var open in committing.Values)
        {
            if (now - open.Since > patience)
            {
                Clear();
                return false;
            }
        }
        return true;
    }

    private sealed record OpenCommit(DateTimeOffset Since);

    // By database: with several, their daemons commit side by side on one silo.
    private readonly ConcurrentDictionary<Marten.Storage.IMartenDatabase, OpenCommit> committing = new();

    public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        var database = session.Database;
        var begun = new OpenCommit(DateTimeOffset.UtcNow);
        var anotherOpen = false;
        committing.AddOrUpdate(database, begun, (_, _) =>
        {
            anotherOpen = true;
            return begun;
        });
        if (anotherOpen)
        {
            Clear();
        }
        return Task.CompletedTask;
    }
    public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        committing.TryRemove(session.Database, out _);
        foreach (var part in commit.Inserted.Concat(commit.Updated).OfType<ProvinceRoster>())
        {
            if (provinces.TryGetValue(part.ProvinceId, out var province))
            {
                province.Put(part);
            }
        }
        Interlocked.Exchange(ref committed, NewSignal()).TrySetResult();
        return Task.CompletedTask;
    }

    private TaskCompletionSource committed = NewSignal();

    /// <summary>
    /// Completes when the daemon on this silo next commits a roster batch, so that the live feed announces
    /// it at once instead of finding it on its next look.
    /// </summary>
    public Task NextCommit => Volatile.Read(ref committed).Task;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
