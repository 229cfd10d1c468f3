using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>One stretch of a unit's life with the same parent, name and echelon.</summary>
/// <param name="From">When it began.</param>
/// <param name="Until">When it ended (exclusive), or null while it lasts.</param>
/// <param name="ParentId">The parent then; null for a province.</param>
/// <param name="Name">The name then.</param>
/// <param name="Echelon">The echelon then.</param>
/// <param name="Order">The order that began it, or null for the unit's registration.</param>
public sealed record UnitPeriod(DateTimeOffset From, DateTimeOffset? Until, string? ParentId, string Name, Echelon Echelon, string? Order);

/// <summary>A unit's whole life in the chain of command.</summary>
/// <param name="UnitId">Its id, which never changes.</param>
/// <param name="EstablishedAt">When it came into being.</param>
/// <param name="Periods">Its positions in time order, each ending where the next begins.</param>
/// <param name="DissolvedAt">When it ceased to exist, or null.</param>
/// <param name="SuccessorId">Who carries on its history after that.</param>
/// <param name="DissolvedBy">The order that dissolved it.</param>
public sealed record UnitHistory(
    string UnitId,
    DateTimeOffset EstablishedAt,
    IReadOnlyList<UnitPeriod> Periods,
    DateTimeOffset? DissolvedAt,
    string? SuccessorId,
    string? DissolvedBy)
{
    /// <summary>Whether the unit existed at <paramref name="at"/>.</summary>
    public bool ExistsAt(DateTimeOffset at) => at >= EstablishedAt && (DissolvedAt is not { } end || at < end);

    /// <summary>Its position at <paramref name="at"/>, or null when it did not exist then.</summary>
    public UnitPeriod? At(DateTimeOffset at)
    {
        if (!ExistsAt(at))
        {
            return null;
        }
        for (var i = Periods.Count - 1; i >= 0; i--)
        {
            if (Periods[i].From <= at)
            {
                return Periods[i];
            }
        }
        return null;
    }

    /// <summary>Its position at <paramref name="at"/>, or its last one when it had been dissolved by then.</summary>
    public UnitPeriod? LastAt(DateTimeOffset at) =>
        DissolvedAt is { } end && at >= end ? At(end - Tick) : At(at);

    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
}

/// <summary>
/// The chain of command with validity intervals: who stood under whom, under which name and echelon,
/// at any moment. Built from every unit's registration and every order that reorganised it, in the
/// order they were recorded; a unit's id is only its name, and its place is asked here. Immutable:
/// a reorganisation is checked on a copy with its changes applied (<see cref="With"/>).
/// </summary>
public sealed class ChainOfCommand
{
    /// <summary>More levels than any chain of command has: a walk up that goes further is a cycle.</summary>
    public const int MaxLevels = 16;

    private readonly IReadOnlyList<object> facts;
    private readonly Dictionary<string, UnitHistory> units;
    private readonly Dictionary<string, List<string>> mergedInto;

    public static ChainOfCommand Empty { get; } = new([]);

    private ChainOfCommand(IReadOnlyList<object> facts)
    {
        this.facts = facts;
        (units, mergedInto) = Build(facts);
    }

    /// <summary>The tree from registrations and orders, in the order they were recorded; other events are ignored.</summary>
    public static ChainOfCommand From(IEnumerable<object> events) => new([.. events.Where(IsStructure)]);

    /// <summary>This tree with <paramref name="events"/> recorded after everything it holds.</summary>
    public ChainOfCommand With(IEnumerable<object> events) => new([.. facts, .. events.Where(IsStructure)]);

    public static bool IsStructure(object @event) => @event is UnitRegistered or UnitResubordinated or UnitRenamed or UnitDissolved;

    private DateTimeOffset[]? changes;

    /// <summary>
    /// The first moment after <paramref name="at"/> at which any unit's place, name or existence
    /// changes, or null when none does: the tree at any moment before it is the tree at <paramref name="at"/>.
    /// </summary>
    public DateTimeOffset? NextChangeAfter(DateTimeOffset at)
    {
        var moments = changes ??= [.. units.Values
            .SelectMany(u => u.Periods.Select(p => p.From).Append(u.EstablishedAt).Concat(u.DissolvedAt is { } end ? [end] : []))
            .Distinct().Order()];
        var index = Array.BinarySearch(moments, at);
        index = index >= 0 ? index + 1 : ~index;
        return index < moments.Length ? moments[index] : null;
    }

    /// <summary>How many registrations and orders' changes it was built from.</summary>
    public int FactCount => facts.Count;

    public IEnumerable<UnitHistory> Units => units.Values;

    public UnitHistory? Unit(string unitId) => units.GetValueOrDefault(unitId);

    public bool Knows(string unitId) => units.ContainsKey(unitId);

    /// <summary>The unit's position at <paramref name="at"/>, or null when it did not exist then.</summary>
    public UnitPeriod? At(string unitId, DateTimeOffset at) => Unit(unitId)?.At(at);

    public string? ParentAt(string unitId, DateTimeOffset at) => At(unitId, at)?.ParentId;

    /// <summary>The units above <paramref name="unitId"/> at <paramref name="at"/>, nearest first; a dissolved unit is placed where it last stood.</summary>
    public IEnumerable<string> AncestorsAt(string unitId, DateTimeOffset at)
    {
        var current = Unit(unitId)?.LastAt(at)?.ParentId;
        for (var level = 0; current is not null && level < MaxLevels; level++)
        {
            yield return current;
            current = Unit(current)?.LastAt(at)?.ParentId;
        }
    }

    /// <summary>The province command <paramref name="unitId"/> stood under at <paramref name="at"/> (itself for a province), or null.</summary>
    public string? ProvinceAt(string unitId, DateTimeOffset at)
    {
        if (Unit(unitId)?.LastAt(at) is not { } own)
        {
            return null;
        }
        if (own.Echelon == Echelon.Province)
        {
            return unitId;
        }
        return AncestorsAt(unitId, at).FirstOrDefault(id => Unit(id)?.LastAt(at)?.Echelon == Echelon.Province);
    }

    /// <summary>The units merged into <paramref name="unitId"/>, and theirs in turn: whose history it carries on.</summary>
    public IReadOnlyList<string> PredecessorsOf(string unitId)
    {
        var found = new List<string>();
        var queue = new Queue<string>([unitId]);
        while (queue.Count > 0 && found.Count < units.Count)
        {
            foreach (var predecessor in mergedInto.GetValueOrDefault(queue.Dequeue()) ?? [])
            {
                if (predecessor != unitId && !found.Contains(predecessor))
                {
                    found.Add(predecessor);
                    queue.Enqueue(predecessor);
                }
            }
        }
        return found;
    }

    /// <summary>
    /// Every unit that <paramref name="scopeId"/> covered at some moment (<see cref="Covers"/>): the
    /// units that ever stood under it, and those of the units merged into it. What an area's history
    /// may hold; each of their events belongs to it only if it happened while it was covered.
    /// </summary>
    public IReadOnlyList<string> EverCoveredBy(string scopeId)
    {
        NextChangeAfter(DateTimeOffset.MinValue);
        return [.. units.Values
            .Where(u => u.UnitId == scopeId || changes!.Append(u.EstablishedAt).Any(m => m >= u.EstablishedAt && Covers(scopeId, u.UnitId, m)))
            .Select(u => u.UnitId)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>The units merged directly into <paramref name="unitId"/>.</summary>
    public IReadOnlyList<string> MergedInto(string unitId) => mergedInto.GetValueOrDefault(unitId) ?? [];

    /// <summary>
    /// Whether a scope naming <paramref name="scopeId"/> covers <paramref name="unitId"/> at
    /// <paramref name="at"/>: the unit is the scope's unit or stood under it then, or under one of the
    /// units merged into it (a successor carries on its predecessors' history). A dissolved unit is
    /// judged where it last stood, so that the command it stood under still reads its history.
    /// </summary>
    public bool Covers(string scopeId, string unitId, DateTimeOffset at)
    {
        if (scopeId == unitId)
        {
            return true;
        }
        var above = AncestorsAt(unitId, at).ToHashSet(StringComparer.Ordinal);
        above.Add(unitId);
        return above.Contains(scopeId) || PredecessorsOf(scopeId).Any(above.Contains);
    }

    /// <summary>
    /// <paramref name="rootId"/> and every unit under it at <paramref name="at"/>, each after its parent,
    /// with its depth below the root; siblings in id order. Empty when the root did not exist then.
    /// </summary>
    public IReadOnlyList<(string UnitId, UnitPeriod Position, int Depth)> SubtreeAt(string rootId, DateTimeOffset at)
    {
        if (At(rootId, at) is not { } root)
        {
            return [];
        }
        var children = ChildrenByParentAt(at);
        var result = new List<(string, UnitPeriod, int)>();
        var stack = new Stack<(string Id, UnitPeriod Position, int Depth)>([(rootId, root, 0)]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (stack.Count > 0)
        {
            var (id, position, depth) = stack.Pop();
            if (!seen.Add(id) || depth > MaxLevels)
            {
                continue;
            }
            result.Add((id, position, depth));
            foreach (var child in (children.GetValueOrDefault(id) ?? []).OrderByDescending(c => c.Id, StringComparer.Ordinal))
            {
                stack.Push((child.Id, child.Position, depth + 1));
            }
        }
        return result;
    }

    /// <summary>The units directly under <paramref name="unitId"/> at <paramref name="at"/>, in id order.</summary>
    public IReadOnlyList<string> ChildrenAt(string unitId, DateTimeOffset at) =>
        [.. units.Values
            .Where(u => u.At(at)?.ParentId == unitId)
            .Select(u => u.UnitId)
            .Order(StringComparer.Ordinal)];

    private Dictionary<string, List<(string Id, UnitPeriod Position)>> ChildrenByParentAt(DateTimeOffset at)
    {
        var children = new Dictionary<string, List<(string, UnitPeriod)>>(StringComparer.Ordinal);
        foreach (var unit in units.Values)
        {
            if (unit.At(at) is { ParentId: { } parent } position)
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }
                list.Add((unit.UnitId, position));
            }
        }
        return children;
    }

    private sealed record Change(DateTimeOffset From, int Sequence, string? ParentId, string? Name, Echelon? Echelon, string? Order);

    private static (Dictionary<string, UnitHistory>, Dictionary<string, List<string>>) Build(IReadOnlyList<object> facts)
    {
        var registrations = new Dictionary<string, UnitRegistered>(StringComparer.Ordinal);
        var changes = new Dictionary<string, List<Change>>(StringComparer.Ordinal);
        var dissolutions = new Dictionary<string, UnitDissolved>(StringComparer.Ordinal);
        for (var sequence = 0; sequence < facts.Count; sequence++)
        {
            switch (facts[sequence])
            {
                case UnitRegistered e:
                    registrations.TryAdd(e.UnitId, e);
                    break;
                case UnitResubordinated e:
                    ChangesOf(changes, e.UnitId).Add(new(e.EffectiveFrom, sequence, e.ParentId, null, null, e.Order));
                    break;
                case UnitRenamed e:
                    ChangesOf(changes, e.UnitId).Add(new(e.EffectiveFrom, sequence, null, e.Name, e.Echelon, e.Order));
                    break;
                case UnitDissolved e:
                    dissolutions.TryAdd(e.UnitId, e);
                    break;
            }
        }

        var units = new Dictionary<string, UnitHistory>(StringComparer.Ordinal);
        foreach (var (id, registered) in registrations)
        {
            var dissolved = dissolutions.GetValueOrDefault(id);
            units[id] = new UnitHistory(id, registered.OccurredAt, Periods(registered, changes.GetValueOrDefault(id) ?? [], dissolved?.EffectiveFrom),
                dissolved?.EffectiveFrom, dissolved?.SuccessorId, dissolved?.Order);
        }
        var mergedInto = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var dissolved in dissolutions.Values.Where(d => d.SuccessorId is not null && units.ContainsKey(d.UnitId)))
        {
            ChangesOf(mergedInto, dissolved.SuccessorId!).Add(dissolved.UnitId);
        }
        return (units, mergedInto);
    }

    private static List<T> ChangesOf<T>(Dictionary<string, List<T>> map, string id)
    {
        if (!map.TryGetValue(id, out var list))
        {
            map[id] = list = [];
        }
        return list;
    }

    // Changes are applied in the order of their dates, and changes of one date in the order they were
    // recorded: an order recorded late for an earlier date still takes its place in time.
    private static List<UnitPeriod> Periods(UnitRegistered registered, List<Change> changes, DateTimeOffset? dissolvedAt)
    {
        var periods = new List<UnitPeriod> { new(registered.OccurredAt, null, registered.ParentId, registered.Name, registered.Echelon, null) };
        foreach (var change in changes.Where(c => c.From >= registered.OccurredAt).OrderBy(c => c.From).ThenBy(c => c.Sequence))
        {
            var last = periods[^1];
            var next = last with
            {
                From = change.From,
                ParentId = change.ParentId ?? last.ParentId,
                Name = change.Name ?? last.Name,
                Echelon = change.Echelon ?? last.Echelon,
                Order = change.Order,
            };
            if (change.From == last.From)
            {
                periods[^1] = next;
            }
            else
            {
                periods[^1] = last with { Until = change.From };
                periods.Add(next);
            }
        }
        if (dissolvedAt is { } end)
        {
            periods.RemoveAll(p => p.From >= end && p != periods[0]);
            periods[^1] = periods[^1] with { Until = end };
        }
        return periods;
    }
}
