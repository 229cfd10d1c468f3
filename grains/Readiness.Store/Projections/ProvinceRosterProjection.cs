using JasperFx.Events;
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

    private readonly TimeProvider clock;

    public ProvinceRosterProjection(TimeProvider clock)
    {
        this.clock = clock;
        Name = ProjectionName;
        foreach (var type in EventCatalogue.Rostered)
        {
            IncludeType(type);
        }
        Identity<IEvent>(e => StreamKeys.RosterPartOf(e.StreamKey!));
        // A part is read and rewritten once per batch that touches it, so most of a batch's cost is
        // fixed, and larger batches caught up several times faster (docs/performance/trend.md, the runs
        // of 11-29 23:59 to 11-30 00:36). A batch is as large as the backlog allows, so when the daemon
        // keeps up it stays small and a report is projected as soon.
        Options.BatchSize = 10_000;
        // Each batch folds fresh parts, read from the store: RosterCache keeps the committed ones as they are.
        Options.CacheLimitPerTenant = 0;
    }

    public override ProvinceRoster? Evolve(ProvinceRoster? snapshot, string id, IEvent e)
    {
        var roster = snapshot ?? new ProvinceRoster { Id = id, ProvinceId = StreamKeys.HomeOf(id), Layout = StreamKeys.RosterLayout };
        roster.Record(e.StreamKey!, e.Data, e.Version, e.Sequence, clock.GetUtcNow(), RecordedTime.Of(e, clock));
        return roster;
    }
}
