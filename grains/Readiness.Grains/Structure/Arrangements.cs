using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store.Projections;

namespace Readiness.Grains.Structure;

/// <summary>A province's arrangement from the tree this silo holds.</summary>
public static class Arrangements
{
    /// <summary>
    /// The province as the chain of command had it at <paramref name="at"/>, or null when it did not
    /// stand then. A province the tree does not know has the tree read again first: it may have been
    /// registered on another silo since the last check.
    /// </summary>
    public static async Task<RosterArrangement?> ArrangementAsync(this ChainOfCommandCache chain, string provinceId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var tree = await chain.KnowingAsync([provinceId], cancellationToken);
        return chain.Arranged(tree, provinceId, at);
    }

    /// <summary>
    /// The province arranged from its <paramref name="homes"/>, by a tree that knows every unit they
    /// hold: a unit projected before this silo saw its registration has the tree read again.
    /// </summary>
    public static async Task<ProvinceRoster?> ArrangeAsync(this ChainOfCommandCache chain, string provinceId, DateTimeOffset at,
        Func<RosterArrangement, Task<IReadOnlyList<ProvinceRoster>>> homes, CancellationToken cancellationToken)
    {
        var tree = await chain.KnowingAsync([provinceId], cancellationToken);
        if (chain.Arranged(tree, provinceId, at) is not { } arrangement)
        {
            return null;
        }
        var held = await homes(arrangement);
        var knowing = await chain.KnowingAsync(held.SelectMany(h => h.Units.Keys), cancellationToken);
        if (!ReferenceEquals(knowing, tree))
        {
            if (chain.Arranged(knowing, provinceId, at) is not { } known)
            {
                return null;
            }
            (arrangement, held) = (known, await homes(known));
        }
        var roster = ProvinceRoster.Arrange(arrangement, held);
        return roster.Units.ContainsKey(provinceId) ? roster : null;
    }

    /// <summary>
    /// The province arranged from its <paramref name="homes"/> by the tree as it was known at
    /// <paramref name="knownAt"/>: the placing of units that the record held then, which is what a view
    /// of what the command centre could see shows.
    /// </summary>
    public static async Task<ProvinceRoster?> ArrangeKnownAtAsync(this ChainOfCommandCache chain, string provinceId, DateTimeOffset at, DateTimeOffset knownAt,
        Func<RosterArrangement, Task<IReadOnlyList<ProvinceRoster>>> homes, CancellationToken cancellationToken)
    {
        // As ArrangeAsync: a province, or a unit the rosters hold, that this silo's tree does not know yet has the tree read again.
        var tree = await chain.KnowingAsync([provinceId], cancellationToken);
        if (RosterArrangement.Of(await chain.KnownAtAsync(knownAt, cancellationToken), provinceId, at) is not { } arrangement)
        {
            return null;
        }
        var held = await homes(arrangement);
        if (!ReferenceEquals(await chain.KnowingAsync(held.SelectMany(h => h.Units.Keys), cancellationToken), tree))
        {
            if (RosterArrangement.Of(await chain.KnownAtAsync(knownAt, cancellationToken), provinceId, at) is not { } known)
            {
                return null;
            }
            (arrangement, held) = (known, await homes(known));
        }
        var roster = ProvinceRoster.Arrange(arrangement, held);
        return roster.Units.ContainsKey(provinceId) ? roster : null;
    }

    /// <summary>The provinces that stand at <paramref name="at"/>, by id.</summary>
    public static IEnumerable<string> ProvincesAt(this ChainOfCommand tree, DateTimeOffset at) =>
        tree.Units.Where(u => u.At(at) is { ParentId: null, Echelon: Echelon.Province }).Select(u => u.UnitId).Order(StringComparer.Ordinal);

    /// <summary>
    /// Each of <paramref name="provinceIds"/> that stands at <paramref name="at"/>, arranged from the
    /// <paramref name="homes"/> at hand, when its own command has been projected.
    /// </summary>
    public static IReadOnlyList<ProvinceRoster> ArrangeEach(this ChainOfCommand tree, IEnumerable<string> provinceIds, IReadOnlyList<ProvinceRoster> homes, DateTimeOffset at) =>
        ArrangeEach([.. provinceIds.Select(id => RosterArrangement.Of(tree, id, at)).OfType<RosterArrangement>()], homes);

    /// <summary>Each arrangement filled from the <paramref name="homes"/> at hand, when its province's own command has been projected.</summary>
    public static IReadOnlyList<ProvinceRoster> ArrangeEach(IReadOnlyList<RosterArrangement> arrangements, IReadOnlyList<ProvinceRoster> homes)
    {
        var byHome = homes.ToDictionary(h => h.Id, StringComparer.Ordinal);
        return [.. arrangements
            .Select(a => ProvinceRoster.Arrange(a, a.Homes.Where(byHome.ContainsKey).Select(h => byHome[h])))
            .Where(r => r.Units.ContainsKey(r.Id))];
    }
}
