using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Store.Projections;

/// <summary>Where one unit stood at the moment a view is about.</summary>
/// <param name="UnitId">The unit.</param>
/// <param name="DistrictId">The command directly under the province it stood under (a district or regional defence command, or itself), null for the province.</param>
/// <param name="CommuneId">The commune command it stood in (itself for a commune), or null above the communes.</param>
/// <param name="ParentId">Its parent then.</param>
/// <param name="Name">Its name then.</param>
/// <param name="Echelon">Its echelon then.</param>
public sealed record PlacedUnit(string UnitId, string? DistrictId, string? CommuneId, string? ParentId, string Name, Echelon Echelon);

/// <summary>
/// A province as the chain of command had it at a moment: which units stood under it, grouped by the
/// command below the province and by commune, under the names they bore then. The views group and
/// name by it; the rosters only hold each unit's own figures. Its <see cref="Homes"/> are the rosters
/// those units are stored in: a unit's stream is kept under the first level of its id, the province it
/// was registered in, wherever it stands since.
/// </summary>
public sealed class RosterArrangement
{
    private readonly Dictionary<string, PlacedUnit> units;

    private RosterArrangement(string provinceId, DateTimeOffset at, Dictionary<string, PlacedUnit> units)
    {
        ProvinceId = provinceId;
        At = at;
        this.units = units;
        Homes = units.Keys.Select(StreamKeys.HomeOf).ToHashSet(StringComparer.Ordinal);
    }

    public string ProvinceId { get; }

    public DateTimeOffset At { get; }

    public IReadOnlyDictionary<string, PlacedUnit> Units => units;

    /// <summary>The rosters (by their province of registration) that hold the units.</summary>
    public IReadOnlySet<string> Homes { get; }

    /// <summary>The province at <paramref name="at"/>, or null when it did not stand then.</summary>
    public static RosterArrangement? Of(ChainOfCommand tree, string provinceId, DateTimeOffset at)
    {
        var subtree = tree.SubtreeAt(provinceId, at);
        if (subtree.Count == 0)
        {
            return null;
        }
        var placed = new Dictionary<string, PlacedUnit>(StringComparer.Ordinal);
        // The subtree lists each unit after its parent, so the parent's place is known when the unit's is made.
        foreach (var (id, position, depth) in subtree)
        {
            var above = position.ParentId is { } parent ? placed.GetValueOrDefault(parent) : null;
            var district = depth == 0 ? null : depth == 1 ? id : above?.DistrictId;
            var commune = position.Echelon == Echelon.Commune ? id : above?.CommuneId;
            placed[id] = new PlacedUnit(id, district, commune, position.ParentId, position.Name, position.Echelon);
        }
        return new RosterArrangement(provinceId, at, placed);
    }

    /// <summary>
    /// Every unit that stood under the province, or under a unit whose history it carries on (merged
    /// into it), at some moment of [<paramref name="from"/>, <paramref name="until"/>): what a year's
    /// figures of the province count, a reform in the middle of the year included. Each unit is placed
    /// where it last stood within the period. Null when the province and its predecessors had no unit then.
    /// </summary>
    public static RosterArrangement? Over(ChainOfCommand tree, string provinceId, DateTimeOffset from, DateTimeOffset until)
    {
        var roots = new[] { provinceId }.Concat(tree.PredecessorsOf(provinceId)).ToList();
        var last = until - TimeSpan.FromTicks(1);
        // The tree changes only where a period begins or ends, so it is enough to look at those moments.
        var moments = tree.Units
            .SelectMany(u => u.Periods.Select(p => p.From).Append(u.DissolvedAt is { } end ? end - TimeSpan.FromTicks(1) : from))
            .Where(t => t >= from && t <= last)
            .Append(from).Append(last)
            .Distinct().Order().ToList();
        var placed = new Dictionary<string, PlacedUnit>(StringComparer.Ordinal);
        foreach (var moment in moments)
        {
            foreach (var root in roots)
            {
                if (Of(tree, root, moment) is { } then)
                {
                    foreach (var (id, unit) in then.units)
                    {
                        placed[id] = unit;
                    }
                }
            }
        }
        return placed.Count > 0 ? new RosterArrangement(provinceId, last, placed) : null;
    }

    /// <summary>
    /// A roster arranged by its units' registrations alone, as they were recorded: what a roster that
    /// no view arranged (a fold of the past read on its own, a test's) is grouped by. It agrees with the
    /// chain of command wherever nothing was reorganised.
    /// </summary>
    public static RosterArrangement AsRegistered(ProvinceRoster roster)
    {
        var tree = ChainOfCommand.From(roster.Units.Values.Where(u => u.Name.Length > 0).OrderBy(u => u.Id, StringComparer.Ordinal)
            .Select(u => new UnitRegistered(u.Id, u.Name, u.Echelon, u.ParentId, u.AuthorisedStrength, u.RegisteredAt)));
        return Of(tree, roster.Id, DateTimeOffset.MaxValue) ?? new RosterArrangement(roster.Id, DateTimeOffset.MaxValue, []);
    }

    public PlacedUnit? Place(string unitId) => units.GetValueOrDefault(unitId);

    /// <summary>Whether <paramref name="unitId"/> is <paramref name="scopeId"/> or stood under it.</summary>
    public bool Within(string unitId, string scopeId)
    {
        for (var (current, level) = (Place(unitId), 0); current is not null && level < ChainOfCommand.MaxLevels; level++)
        {
            if (current.UnitId == scopeId)
            {
                return true;
            }
            current = current.ParentId is { } parent ? Place(parent) : null;
        }
        return false;
    }
}
