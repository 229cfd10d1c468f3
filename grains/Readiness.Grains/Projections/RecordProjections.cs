using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Readiness.Grains.Projections;

/// <summary>
/// One document per actor stream, inline: a command's acknowledgement implies the actor's own
/// document is current. Inline is safe here because each stream has one writer, its grain. Quick
/// append numbers events after inline projections run, so each document counts its own versions.
/// </summary>
public sealed class StreamRecordProjection<TRecord> : SingleStreamProjection<TRecord, string>
    where TRecord : class, IStreamRecord, new()
{
    private readonly TimeProvider clock;

    public StreamRecordProjection(string name, IEnumerable<Type> eventTypes, TimeProvider clock)
    {
        this.clock = clock;
        Name = name;
        foreach (var type in eventTypes)
        {
            IncludeType(type);
        }
    }

    public override TRecord? Evolve(TRecord? snapshot, string id, IEvent e)
    {
        var record = snapshot ?? new TRecord { Id = id };
        record.Record(e.Data, record.Version + 1, clock.GetUtcNow(), RecordedTime.Of(e, clock));
        return record;
    }
}
