using JasperFx.Events;
using Marten;
using Readiness.Domain;
using Readiness.Grains.Projections;

namespace Readiness.Silo.Admin;

/// <summary>
/// One projection being rebuilt: it folds events into documents held in memory with the
/// projection's own Evolve, so the rebuilt documents come from exactly the code the live projection runs.
/// </summary>
internal abstract class RebuildTarget(string name, IEnumerable<Type> includedTypes)
{
    private readonly HashSet<Type> included = [.. includedTypes];

    public string Name { get; } = name;

    protected bool Includes(IEvent e) => included.Contains(e.EventType);

    public abstract void Apply(IEvent e);

    /// <summary>Builds a target for each registered projection we know how to rebuild, by name.</summary>
    public static IReadOnlyDictionary<string, Func<RebuildTarget>> Registered(IDocumentStore store)
    {
        var projections = store is DocumentStore concrete ? concrete.Options.Projections.All : [];
        var targets = new Dictionary<string, Func<RebuildTarget>>(StringComparer.Ordinal);
        foreach (var source in projections)
        {
            Func<RebuildTarget>? create = source switch
            {
                StreamRecordProjection<UnitRecord> p => () => new StreamRecordTarget<UnitRecord>(p),
                StreamRecordProjection<ExerciseRecord> p => () => new StreamRecordTarget<ExerciseRecord>(p),
                StreamRecordProjection<DutyPostRecord> p => () => new StreamRecordTarget<DutyPostRecord>(p),
                ProvinceRosterProjection p => () => new ProvinceRosterTarget(p),
                _ => null,
            };
            if (create is not null)
            {
                targets[source.Name] = create;
            }
        }
        return targets;
    }
}

/// <summary>An inline projection with one document per stream, keyed by the stream key.</summary>
internal abstract class StreamTarget(string name, IEnumerable<Type> includedTypes) : RebuildTarget(name, includedTypes)
{
    public abstract int Count { get; }

    /// <summary>Stores the rebuilt documents of these streams in the session; returns how many.</summary>
    public abstract int Store(IDocumentSession session, IEnumerable<string> streamKeys);

    /// <summary>Ids of stored documents the rebuild did not produce: new streams', or orphans.</summary>
    public abstract Task<IReadOnlyList<string>> NotRebuiltAsync(IQuerySession session, CancellationToken cancellationToken);

    public abstract void Delete(IDocumentSession session, string id);
}

internal sealed class StreamRecordTarget<TRecord>(StreamRecordProjection<TRecord> projection)
    : StreamTarget(projection.Name, projection.IncludedEventTypes)
    where TRecord : class, IStreamRecord, new()
{
    private readonly Dictionary<string, TRecord> records = new(StringComparer.Ordinal);

    public override int Count => records.Count;

    public override void Apply(IEvent e)
    {
        if (!Includes(e))
        {
            return;
        }
        var key = e.StreamKey!;
        if (projection.Evolve(records.GetValueOrDefault(key), key, e) is { } record)
        {
            records[key] = record;
        }
        else
        {
            records.Remove(key);
        }
    }

    public override int Store(IDocumentSession session, IEnumerable<string> streamKeys)
    {
        var written = 0;
        foreach (var key in streamKeys)
        {
            if (records.TryGetValue(key, out var record))
            {
                session.Store(record);
                written++;
            }
        }
        return written;
    }

    public override async Task<IReadOnlyList<string>> NotRebuiltAsync(IQuerySession session, CancellationToken cancellationToken)
    {
        var ids = await session.Query<TRecord>().Select(r => r.Id).ToListAsync(cancellationToken);
        return [.. ids.Where(id => !records.ContainsKey(id))];
    }

    public override void Delete(IDocumentSession session, string id) => session.Delete<TRecord>(id);
}

/// <summary>The asynchronous province roster: one document per province, folded in global event order.</summary>
internal sealed class ProvinceRosterTarget(ProvinceRosterProjection projection) : RebuildTarget(projection.Name, projection.IncludedEventTypes)
{
    private readonly Dictionary<string, ProvinceRoster> rosters = new(StringComparer.Ordinal);

    /// <summary>The daemon's progress row for this projection's only shard.</summary>
    public string ShardName { get; } = $"{projection.Name}:All";

    public IReadOnlyCollection<ProvinceRoster> Rosters => rosters.Values;

    public override void Apply(IEvent e)
    {
        if (!Includes(e))
        {
            return;
        }
        // The projection groups by this same function (ProvinceRosterProjection's Identity).
        var id = StreamKeys.ProvinceOf(e.StreamKey!);
        if (projection.Evolve(rosters.GetValueOrDefault(id), id, e) is { } roster)
        {
            rosters[id] = roster;
        }
        else
        {
            rosters.Remove(id);
        }
    }
}
