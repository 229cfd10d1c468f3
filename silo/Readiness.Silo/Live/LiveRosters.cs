using System.Collections.Concurrent;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Store;
using Readiness.Grains.Structure;
using Readiness.Silo.Audit;

namespace Readiness.Silo.Live;

/// <summary>
/// Province rosters as the views and the live feed read them now. On the silo where the daemon
/// projects the rosters they come from memory (<see cref="RosterCache"/>), fed by its batches, and
/// a GET needs no PostgreSQL; elsewhere, and whenever the memory might have missed a batch (the
/// shard was restarted, or moved away and back), from the store. An entry is read again from the
/// store at least every <see cref="Reload"/>, which bounds what any edit outside the daemon (a
/// rebuild run on another silo, say) can leave unseen.
/// </summary>
public sealed class LiveRosters(ProvinceDatabases databases, RosterCache cache, IServiceProvider services, ReadinessPolicy policy, ChainOfCommandCache chain,
    PastViews past)
{
    // A dissolved province's last standing changes only by a late report dated before its end: read again after this long.
    private static readonly TimeSpan LastStandingFor = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, (ChainOfCommand Tree, DateTimeOffset ReadAt, ProvinceRoster? Roster)> lastStanding = new(StringComparer.Ordinal);

    public static readonly TimeSpan Reload = TimeSpan.FromMinutes(1);

    /// <summary>A batch's commit still open after this long may have failed without saying whether it happened.</summary>
    public static readonly TimeSpan CommitInDoubtAfter = TimeSpan.FromSeconds(2);

    /// <summary>A province view rated this recently is the view of now (levels look back over days).</summary>
    public static readonly TimeSpan RatedFreshFor = TimeSpan.FromSeconds(1);

    private readonly string shard = $"{ProvinceRosterProjection.ProjectionName}:All";

    /// <summary>
    /// The province now, arranged by the chain of command: the units under it now, from whichever
    /// rosters hold them. Null when it does not stand now or nothing of it has been projected.
    /// </summary>
    public async Task<ProvinceRoster?> ProvinceAsync(string provinceId, DateTimeOffset now, CancellationToken cancellationToken) =>
        await chain.ArrangeAsync(provinceId, now, async arrangement => await HomesAsync(arrangement, cancellationToken), cancellationToken)
            ?? await LastStandingAsync(provinceId, now, cancellationToken);

    /// <summary>
    /// A province dissolved by now, as it last stood: folded from its past up to the moment before its
    /// dissolution and arranged by the tree then. Its token reads its own history, and its routes keep answering.
    /// </summary>
    private async Task<ProvinceRoster?> LastStandingAsync(string provinceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var tree = await chain.KnowingAsync([provinceId], cancellationToken);
        if (tree.Unit(provinceId) is not { DissolvedAt: { } end } || now < end)
        {
            return null;
        }
        if (lastStanding.TryGetValue(provinceId, out var kept) && ReferenceEquals(kept.Tree, tree) && now - kept.ReadAt < LastStandingFor)
        {
            return kept.Roster;
        }
        var last = end - TimeSpan.FromTicks(1);
        var moment = new Moment(last, null);
        var roster = await chain.ArrangeAsync(provinceId, last, arrangement => past.HomesAsync(arrangement.Homes, moment, cancellationToken), cancellationToken);
        lastStanding[provinceId] = (tree, now, roster);
        return roster;
    }

    /// <summary>
    /// Every unit whose figures of [<paramref name="from"/>, <paramref name="until"/>) the province
    /// counts: those under it, or under a unit merged into it, at some moment of the period.
    /// </summary>
    public async Task<ProvinceRoster?> YearAsync(string provinceId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var tree = await chain.KnowingAsync([provinceId], cancellationToken);
        // A year the province had no unit in counts nothing: its units as they last stood give that answer.
        if ((RosterArrangement.Over(tree, provinceId, from, until)
            ?? (tree.Unit(provinceId) is { } province ? RosterArrangement.Of(tree, provinceId, province.LastAt(DateTimeOffset.MaxValue)!.From) : null)) is not { } arrangement)
        {
            return null;
        }
        var homes = await HomesAsync(arrangement, cancellationToken);
        return homes.Count == 0 ? null : ProvinceRoster.Arrange(arrangement, homes);
    }

    /// <summary>The roster (composed of its parts) of each of the arrangement's homes that has one.</summary>
    private async Task<IReadOnlyList<ProvinceRoster>> HomesAsync(RosterArrangement arrangement, CancellationToken cancellationToken)
    {
        var homes = new List<ProvinceRoster>();
        foreach (var home in arrangement.Homes.Order(StringComparer.Ordinal))
        {
            if (((await EntryAsync(home, cancellationToken))?.Whole() ?? await ReadAsync(home, cancellationToken)) is { } roster)
            {
                homes.Add(roster);
            }
        }
        return homes;
    }

    // A province with nothing projected of the province command itself is not answered yet, as before any reorganisation.
    private static ProvinceRoster? Arranged(RosterArrangement arrangement, IEnumerable<ProvinceRoster> homes) =>
        ProvinceRoster.Arrange(arrangement, homes) is var roster && roster.Units.ContainsKey(arrangement.ProvinceId) ? roster : null;

    /// <summary>The province's view rated now (or within <see cref="RatedFreshFor"/>), or null when nothing of it has been projected.</summary>
    /// <param name="provinceId">The province.</param>
    /// <param name="now">The moment to rate at.</param>
    /// <param name="cancellationToken">Ends the read.</param>
    /// <param name="newest">Of the newest batch only (the live feed); a GET may be answered one batch behind while the next is rated.</param>
    public async Task<ProvinceReadinessView?> ViewAsync(string provinceId, DateTimeOffset now, CancellationToken cancellationToken, bool newest = false)
    {
        if (await chain.ArrangementAsync(provinceId, now, cancellationToken) is not { } arrangement)
        {
            return await LastStandingAsync(provinceId, now, cancellationToken) is { Arrangement: { } then } last
                && (await chain.GetAsync(cancellationToken)).Unit(provinceId) is { } dissolved
                ? last.ToView(policy, then.At) with { DissolvedAt = dissolved.DissolvedAt, SuccessorId = dissolved.SuccessorId }
                : null;
        }
        // A province kept whole in one roster is rated once for a burst of readers, on the same parts and the same tree.
        if (arrangement.Homes.Count == 1 && arrangement.Homes.Contains(provinceId) && await EntryAsync(provinceId, cancellationToken) is { } entry)
        {
            var tree = await chain.KnowingAsync((IEnumerable<string>?)entry.Whole()?.Units.Keys ?? [], cancellationToken);
            var view = entry.Rated(now, RatedFreshFor, (roster, at) =>
                Arranged(RosterArrangement.Of(tree, provinceId, at) ?? arrangement, [roster])?.ToView(policy, at) ?? NotStanding, newest, basis: tree);
            return ReferenceEquals(view, NotStanding) ? null : view;
        }
        return (await ProvinceAsync(provinceId, now, cancellationToken))?.ToView(policy, now);
    }

    // What a rating answers for a province whose own command has not been projected yet: nothing to show.
    private static readonly ProvinceReadinessView NotStanding = new("", "", null, LevelCounts.None, [], [], [], [], [], 0, default, default, []);

    /// <summary>Completes when this silo's daemon next commits a roster batch (never, where the daemon runs elsewhere).</summary>
    public Task NextCommit => cache.NextCommit;

    /// <summary>How far each province's roster has come: from memory where it is kept, else from the store.</summary>
    public async Task<IReadOnlyList<(string ProvinceId, long Sequence)>> SequencesAsync(string[] provinceIds, CancellationToken cancellationToken)
    {
        var trustworthy = cache.Trustworthy(DateTimeOffset.UtcNow, CommitInDoubtAfter);
        var known = new List<(string, long)>();
        foreach (var (database, provinces) in databases.Split(provinceIds))
        {
            var agent = trustworthy ? await RunningAgentAsync(database) : null;
            var asked = new List<string>();
            foreach (var id in provinces)
            {
                if (agent is not null && cache.Get(id) is { } entry && ReferenceEquals(entry.Agent, agent) && DateTimeOffset.UtcNow - entry.LoadedAt < Reload)
                {
                    known.Add((id, entry.Sequence));
                }
                else
                {
                    asked.Add(id);
                }
            }
            if (asked.Count > 0)
            {
                known.AddRange(await database.Events.RosterSequencesAsync([.. asked], cancellationToken));
            }
        }
        return known;
    }

    private async Task<RosterCache.Province?> EntryAsync(string provinceId, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        if (!cache.Trustworthy(now, CommitInDoubtAfter))
        {
            cache.Clear();
            return null;
        }
        // Entries name the agent that fed them, so one kept from an agent that has since stopped is never used.
        var database = databases.Of(provinceId);
        if (await RunningAgentAsync(database) is not { } agent)
        {
            return null;
        }
        if (cache.Get(provinceId) is { } kept && ReferenceEquals(kept.Agent, agent) && now - kept.LoadedAt < Reload)
        {
            return kept;
        }
        // Begun before the read, so a batch committed while the parts are read is not missed; of two
        // folds of a part, the entry keeps the later.
        var entry = cache.Begin(provinceId, agent, now);
        await using var session = database.Sessions.QuerySession();
        foreach (var part in await session.RosterPartsAsync(provinceId, cancellationToken))
        {
            entry.Put(part);
        }
        if (entry.Whole() is null)
        {
            // Nothing projected yet: nothing to keep, and the next read looks again.
            cache.Forget(provinceId);
            return null;
        }
        return entry;
    }

    private async Task<ProvinceRoster?> ReadAsync(string provinceId, CancellationToken cancellationToken)
    {
        await using var session = databases.QuerySession(provinceId);
        return await session.ProvinceRosterAsync(provinceId, cancellationToken);
    }

    /// <summary>
    /// The roster shard's agent for the database, when it runs on this silo: the one whose batches reach
    /// the cache. Each database has a daemon of its own, led by whichever silo holds that database's lock.
    /// </summary>
    private async ValueTask<object?> RunningAgentAsync(ProvinceDatabase database)
    {
        if (services.GetService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>() is not { } coordinator)
        {
            return null;
        }
        var daemon = database.IsMain ? coordinator.DaemonForMainDatabase() : await coordinator.DaemonForDatabase(database.Name);
        return daemon.CurrentAgents().FirstOrDefault(a => a.Name.Identity == shard && a.Status == JasperFx.AgentStatus.Running);
    }
}
