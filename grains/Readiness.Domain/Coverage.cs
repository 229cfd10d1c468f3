using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>
/// Whether a caller's scopes cover what it asks about, by the chain of command at the moment the data
/// is about (<see cref="ChainOfCommand.Covers"/>). An exercise or duty post is covered with the unit
/// that owns it (the unit its id starts with). What the tree does not know (a unit not registered yet,
/// a scope naming no unit) is judged by its id as a path, which for the units registered before any
/// reorganisation gives the same answer, and lets a caller be told 404 inside its scope and 403 outside.
/// </summary>
public static class Coverage
{
    public static bool Covers(this ChainOfCommand tree, IEnumerable<string> scopes, string area, DateTimeOffset at) =>
        scopes.Any(scope => scope == Access.Everywhere || Covers(tree, scope, area, at));

    /// <summary>
    /// The first unit an order names that <paramref name="scopes"/> do not cover, or null. Each is judged
    /// on the order's date and just before it (what it commands then, and what it leaves), at those of the
    /// two moments it exists: a successor or new parent registered from the order's date is judged on it.
    /// </summary>
    public static string? OutsideOrder(this ChainOfCommand tree, IReadOnlyList<string> scopes, IEnumerable<string> unitIds, DateTimeOffset effectiveFrom)
    {
        var moments = new[] { effectiveFrom, effectiveFrom - TimeSpan.FromTicks(1) };
        foreach (var unitId in unitIds)
        {
            var existing = moments.Where(at => tree.Unit(unitId)?.ExistsAt(at) ?? true).DefaultIfEmpty(effectiveFrom);
            if (existing.Any(at => !tree.Covers(scopes, unitId, at)))
            {
                return unitId;
            }
        }
        return null;
    }

    private static bool Covers(ChainOfCommand tree, string scope, string area, DateTimeOffset at)
    {
        var unit = tree.Knows(area) ? area
            : UnitPath.ParentOf(area) is { } owner && tree.Knows(owner) ? owner
            : null;
        return unit is not null && tree.Knows(scope)
            ? scope == area || tree.Covers(scope, unit, at)
            : Access.Covers([scope], area);
    }
}
