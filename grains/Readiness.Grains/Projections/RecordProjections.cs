using JasperFx.Events;
using Marten.Events.Aggregation;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Grains.Projections;

/// <summary>
/// One document per actor stream, inline: a command's acknowledgement implies the actor's own
/// document is current. Inline is safe here because each stream has one writer, its grain. Quick
/// append numbers events after inline projections run, so each document counts its own versions.
/// </summary>
public sealed class UnitRecordProjection : SingleStreamProjection<UnitRecord, string>
{
    private readonly TimeProvider clock;

    public UnitRecordProjection(TimeProvider clock)
    {
        this.clock = clock;
        Name = "unit-record";
        foreach (var type in EventTypes.Unit)
        {
            IncludeType(type);
        }
    }

    public override UnitRecord? Evolve(UnitRecord? snapshot, string id, IEvent e)
    {
        var record = snapshot ?? new UnitRecord { Id = id };
        record.Record(e.Data, record.Version + 1, clock.GetUtcNow());
        return record;
    }
}

public sealed class ExerciseRecordProjection : SingleStreamProjection<ExerciseRecord, string>
{
    private readonly TimeProvider clock;

    public ExerciseRecordProjection(TimeProvider clock)
    {
        this.clock = clock;
        Name = "exercise-record";
        foreach (var type in EventTypes.Exercise)
        {
            IncludeType(type);
        }
    }

    public override ExerciseRecord? Evolve(ExerciseRecord? snapshot, string id, IEvent e)
    {
        var record = snapshot ?? new ExerciseRecord { Id = id };
        record.Record(e.Data, record.Version + 1, clock.GetUtcNow());
        return record;
    }
}

public sealed class DutyPostRecordProjection : SingleStreamProjection<DutyPostRecord, string>
{
    private readonly TimeProvider clock;

    public DutyPostRecordProjection(TimeProvider clock)
    {
        this.clock = clock;
        Name = "duty-post-record";
        foreach (var type in EventTypes.DutyPost)
        {
            IncludeType(type);
        }
    }

    public override DutyPostRecord? Evolve(DutyPostRecord? snapshot, string id, IEvent e)
    {
        var record = snapshot ?? new DutyPostRecord { Id = id };
        record.Record(e.Data, record.Version + 1, clock.GetUtcNow());
        return record;
    }
}
