using JasperFx.Events;
using Marten;
using Readiness.Domain;
using Readiness.Store.Projections;

namespace Readiness.Silo.Admin;

/// <summary>
/// The province roster being rebuilt: it folds events into parts held in memory with the
/// projection's own fold, so the rebuilt documents come from exactly the code the live projection runs.
/// </summary>
internal sealed class ProvinceRosterTarget(ProvinceRosterProjection projection)
{
    private readonly HashSet<Type> included = [.. projection.IncludedEventTypes];
    private readonly Dictionary<string, ProvinceRoster> rosters = new(StringComparer.Ordinal);

    public string Name { get; } = projection.Name;

    /// <summary>The daemon's progress row for this projection's only shard.</summary>
    public string ShardName { get; } = $"{projection.Name}:All";

    public IReadOnlyCollection<ProvinceRoster> Rosters => rosters.Values;

    public void Apply(IEvent e)
    {
        if (!included.Contains(e.EventType))
        {
            return;
        }
        // The projection groups by this same function (ProvinceRosterProjection's Identity).
        var id = StreamKeys.RosterPartOf(e.StreamKey!);
        rosters[id] = projection.Fold(rosters.GetValueOrDefault(id), id, e);
    }

    /// <summary>Builds a target for each registered projection we know how to rebuild, by name.</summary>
    public static IReadOnlyDictionary<string, Func<ProvinceRosterTarget>> Registered(IDocumentStore store)
    {
        var projections = store is DocumentStore concrete ? concrete.Options.Projections.All : [];
        return projections.OfType<ProvinceRosterProjection>()
            .ToDictionary(p => p.Name, p => (Func<ProvinceRosterTarget>)(() => new ProvinceRosterTarget(p)), StringComparer.Ordinal);
    }
}
