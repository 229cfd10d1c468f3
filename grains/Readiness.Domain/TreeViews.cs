using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>What the chain of command route answers, folded from the tree.</summary>
public static class TreeViews
{
    /// <summary>The province and every unit under it at <paramref name="at"/>, or null when it did not exist then.</summary>
    public static ChainOfCommandView? Of(ChainOfCommand tree, string provinceId, DateTimeOffset at)
    {
        var subtree = tree.SubtreeAt(provinceId, at);
        if (subtree.Count == 0)
        {
            return null;
        }
        return new ChainOfCommandView(provinceId, at,
            [.. subtree.Select(u => Unit(tree, u.UnitId, u.Position, u.Depth))],
            [.. tree.PredecessorsOf(provinceId).Select(id => tree.Unit(id)!).Select(u => Unit(tree, u.UnitId, u.Periods[^1], -1))]);
    }

    public static TreeUnit Unit(ChainOfCommand tree, string unitId, UnitPeriod position, int depth)
    {
        var history = tree.Unit(unitId)!;
        var formerNames = history.Periods.Where(p => p.From < position.From).Select(p => p.Name)
            .Where(name => name != position.Name).Distinct(StringComparer.Ordinal).ToList();
        return new TreeUnit(unitId, position.Name, position.Echelon, position.ParentId, depth, position.From, position.Until, position.Order,
            history.EstablishedAt, history.DissolvedAt, history.SuccessorId, formerNames, tree.MergedInto(unitId));
    }
}
