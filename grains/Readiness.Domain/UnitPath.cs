using System.Text.RegularExpressions;

namespace Readiness.Domain;

/// <summary>
/// Unit ids are paths down the chain of command (<c>province/district/commune/...</c>), so a unit's
/// parent and province are read from its id and cannot drift from it.
/// </summary>
public static partial class UnitPath
{
    public const int MaxLength = 200;
    public const int MaxDepth = 8;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();

    /// <summary>Null when the id is well formed, else what is wrong with it.</summary>
    public static string? Problem(string? unitId)
    {
        if (string.IsNullOrWhiteSpace(unitId))
        {
            return "A unit id is required, such as 'bac-kan/ba-be/cho-ra'.";
        }
        if (unitId.Length > MaxLength)
        {
            return $"A unit id is at most {MaxLength} characters.";
        }
        var segments = unitId.Split('/');
        if (segments.Length > MaxDepth)
        {
            return $"A unit id has at most {MaxDepth} levels.";
        }
        foreach (var segment in segments)
        {
            if (!SegmentPattern().IsMatch(segment))
            {
                return $"'{unitId}' is not a valid unit id: each level is lower-case letters, digits and single hyphens, separated by '/', such as 'bac-kan/ba-be/cho-ra'.";
            }
        }
        return null;
    }

    public static string? ParentOf(string unitId)
    {
        var cut = unitId.LastIndexOf('/');
        return cut < 0 ? null : unitId[..cut];
    }

    public static string ProvinceOf(string unitId)
    {
        var cut = unitId.IndexOf('/', StringComparison.Ordinal);
        return cut < 0 ? unitId : unitId[..cut];
    }

    /// <summary>The district-level ancestor (or the unit itself at that depth); null for a province.</summary>
    public static string? DistrictOf(string unitId) => AncestorAtDepth(unitId, 2);

    public static string? CommuneOf(string unitId) => AncestorAtDepth(unitId, 3);

    public static int Depth(string unitId) => unitId.Count(c => c == '/') + 1;

    private static string? AncestorAtDepth(string unitId, int depth)
    {
        var index = -1;
        for (var level = 0; level < depth; level++)
        {
            index = unitId.IndexOf('/', index + 1);
            if (index < 0)
            {
                return level == depth - 1 ? unitId : null;
            }
        }
        return unitId[..index];
    }
}
