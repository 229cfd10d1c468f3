using JasperFx.Events;
using Marten.Events.Projections;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Grains.Projections;

/// <summary>
/// Folds every unit stream of a province into one roster document. Asynchronous: many grains write
/// to one province at once, and the daemon applies their events in global order, one writer only.
/// </summary>
public sealed class ProvinceRosterProjection : MultiStreamProjection<ProvinceRoster, string>
{
    private readonly TimeProvider clock;

    public ProvinceRosterProjection(TimeProvider clock)
    {
        this.clock = clock;
        Name = "province-roster";
        Identity<IEvent<UnitRegistered>>(e => UnitPath.ProvinceOf(e.StreamKey!));
        Identity<IEvent<RecruitsEnlisted>>(e => UnitPath.ProvinceOf(e.StreamKey!));
    }

    public override ProvinceRoster? Evolve(ProvinceRoster? snapshot, string id, IEvent e)
    {
        var roster = snapshot ?? new ProvinceRoster { Id = id };
        switch (e.Data)
        {
            case UnitRegistered registered:
                roster.Record(registered);
                break;
            case RecruitsEnlisted enlisted:
                roster.Record(enlisted);
                break;
            default:
                return snapshot;
        }
        roster.Advance(e.Sequence, clock.GetUtcNow());
        return roster;
    }
}
