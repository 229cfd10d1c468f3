using JasperFx.Events;
using Marten.Events.Aggregation;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Grains.Projections;

/// <summary>
/// One document per unit stream. Inline, so a command's acknowledgement implies its unit view is
/// already updated; the grain serialises writers to a stream, so inline is safe here.
/// </summary>
public sealed class UnitReadinessProjection : SingleStreamProjection<UnitReadinessView, string>
{
    private readonly ReadinessPolicy policy;
    private readonly TimeProvider clock;

    public UnitReadinessProjection(ReadinessPolicy policy, TimeProvider clock)
    {
        this.policy = policy;
        this.clock = clock;
        Name = "unit-readiness";
    }

    // Quick append assigns versions in the database, after inline projections run, so the view
    // counts its own events: one per stream version.
    public override UnitReadinessView? Evolve(UnitReadinessView? snapshot, string id, IEvent e) => e.Data switch
    {
        UnitRegistered registered when snapshot is null => UnitReadiness.Create(registered, clock.GetUtcNow(), policy),
        RecruitsEnlisted enlisted when snapshot is not null => UnitReadiness.Apply(snapshot, enlisted, clock.GetUtcNow(), policy),
        _ => snapshot,
    };
}
