using System.Collections.Concurrent;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Grouping;
using Marten;
using Marten.Events.Projections;
using Readiness.Domain;

namespace Readiness.Store.Projections;

/// <summary>
/// Folds every stream of a province (units, exercises, duty posts) into roster documents, one per
/// commune, district and province command. Asynchronous: many grains write to one province
/// at once, and the daemon applies their events in global order, one writer only. It is the only
/// projection: the unit, exercise and duty-post views read the part that holds them, so no
/// document is written inside a command's transaction.
/// </summary>
public sealed class ProvinceRosterProjection : MultiStreamProjection<ProvinceRoster, string>
{
    public const string ProjectionName = "province-roster";

    /// <summary>
    /// Parts the daemon keeps in memory between batches, per database: about the nation's communes,
    /// districts and provinces, so that under load no touched part is read back from the store.
    /// </summary>
    public const int PartsKept = 20_000;

    private readonly TimeProvider clock;

    // When each part this process last folded was updated, as it wrote it: a stored part that says
    // otherwise was written by someone else since (a rebuild run on another silo).
    private readonly ConcurrentDictionary<string, DateTimeOffset> folded = new(StringComparer.Ordinal);

    // Such parts, read again from the store for the batch about to fold them (null: no longer stored).
    private readonly ConcurrentDictionary<string, ProvinceRoster?> reread = new(StringComparer.Ordinal);

    public ProvinceRosterProjection(TimeProvider clock)
    {
        this.clock = clock;
        Name = ProjectionName;
        foreach (var type in EventCatalogue.Rostered)
        {
            IncludeType(type);
        }
        Identity<IEvent>(e => StreamKeys.RosterPartOf(e.StreamKey!));
        // A part is rewritten once per batch that touches it, so most of a batch's cost is fixed, and
        // larger batches caught up several times faster (docs/performance/trend.md, the runs of 11-29
        // 23:59 to 11-30 00:36). A batch is as large as the backlog allows, so when the daemon keeps up
        // it stays small and a report is projected as soon.
        Options.BatchSize = 10_000;
        // The next page is read only once the last batch has committed, so it holds everything that arrived
        // meanwhile. Marten would otherwise read a page at each new high-water mark (every 50 ms) and queue
        // it: under load a batch costs about the same however few events it holds (each part it touches is
        // written whole), so the queue of small pages never drained and the lag was its length times a batch
        // (docs/performance/2026-12-08-daemon.md).
        Options.MaximumHopperSize = 1;
        // The daemon keeps each committed part and folds the next batch into a draft of it
        // (DetermineAction): a part is read from the store once, not once per batch, and the committed
        // one, which RosterCache hands to readers, is never changed. Marten caches a batch's parts only
        // once it has committed, so a failed batch leaves nothing half-applied behind.
        Options.CacheLimitPerTenant = PartsKept;
    }

    /// <summary>Folds one batch's events of a part into a draft of it, leaving <paramref name="snapshot"/> as it was.</summary>
    public override (ProvinceRoster?, ActionType) DetermineAction(ProvinceRoster? snapshot, string identity, IReadOnlyList<IEvent> events)
    {
        // A part kept in memory that someone else rewrote since is folded from what they wrote.
        if (reread.TryRemove(identity, out var stored) && snapshot is { Drafted: true } && (stored is null || stored.Sequence >= snapshot.Sequence))
        {
            snapshot = stored;
        }
        var roster = snapshot?.Draft() ?? new ProvinceRoster { Id = identity, ProvinceId = StreamKeys.HomeOf(identity), Layout = StreamKeys.RosterLayout }.Draft();
        foreach (var e in events)
        {
            Fold(roster, e);
        }
        folded[identity] = roster.UpdatedAt;
        return (roster, ActionType.Store);
    }

    /// <summary>
    /// Before a batch is folded, finds the parts it touches that this process keeps in memory but that
    /// were written by someone else since it last wrote them, and reads them again. Only a rebuild run
    /// on a silo where the daemon does not run writes parts beside it; one run where it does stops the
    /// daemon's agent, whose memory goes with it.
    /// </summary>
    public override async Task EnrichEventsAsync(SliceGroup<ProvinceRoster, string> group, IQuerySession querySession, CancellationToken cancellation)
    {
        var kept = group.Slices.Select(s => s.Id).Where(folded.ContainsKey).ToList();
        if (kept.Count == 0)
        {
            return;
        }
        // The stored JSON's own value, read back as written: a LINQ Select would go through a timestamptz, in microseconds.
        var stamps = await querySession.QueryAsync<PartStamp>(
            $"SELECT jsonb_build_object('id', id, 'updatedAt', data -> 'updatedAt') FROM {querySession.DocumentStore.Options.Schema.For<ProvinceRoster>()} WHERE id = ANY(?)",
            cancellation, new object[] { kept.ToArray() });
        var stored = stamps.ToDictionary(s => s.Id, s => s.UpdatedAt, StringComparer.Ordinal);
        var changed = kept.Where(id => !stored.TryGetValue(id, out var at) || at != folded[id]).ToList();
        if (changed.Count == 0)
        {
            return;
        }
        var parts = (await querySession.LoadManyAsync<ProvinceRoster>(cancellation, changed)).ToDictionary(p => p.Id, StringComparer.Ordinal);
        foreach (var id in changed)
        {
            reread[id] = parts.GetValueOrDefault(id);
        }
    }

    private sealed record PartStamp(string Id, DateTimeOffset UpdatedAt);

    /// <summary>Folds one event into <paramref name="roster"/> (a new part when null) in place: the rebuild's fold, whose parts no reader holds yet.</summary>
    public ProvinceRoster Fold(ProvinceRoster? roster, string id, IEvent e)
    {
        roster ??= new ProvinceRoster { Id = id, ProvinceId = StreamKeys.HomeOf(id), Layout = StreamKeys.RosterLayout };
        Fold(roster, e);
        return roster;
    }

    private void Fold(ProvinceRoster roster, IEvent e) =>
        roster.Record(e.StreamKey!, e.Data, e.Version, e.Sequence, clock.GetUtcNow(), RecordedTime.Of(e, clock));
}
