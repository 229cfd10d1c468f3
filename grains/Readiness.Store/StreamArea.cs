using Npgsql;
using NpgsqlTypes;
using Readiness.Domain;

namespace Readiness.Store;

/// <summary>
/// Which streams an area holds, as the store selects them: those of the units the chain of command
/// says the area covered, each with the exercises and duty posts it owns (<see cref="StreamKeys.OwnerOf"/>);
/// or, for an area the chain of command does not know, every stream whose id lies under the area's id.
/// </summary>
public sealed record StreamArea
{
    private StreamArea(IReadOnlyList<string> units, string? path)
    {
        Units = units;
        Path = path;
    }

    /// <summary>The units whose own streams, exercises and duty posts are in the area.</summary>
    public IReadOnlyList<string> Units { get; }

    /// <summary>For an area the tree does not know: the id under which every stream is in it.</summary>
    public string? Path { get; }

    public static StreamArea Of(IEnumerable<string> units) => new([.. units], null);

    public static StreamArea Under(string area) => new([area], area);

    /// <summary>
    /// SQL true for a stream of the area, or for every stream when the parameters of
    /// <see cref="AddParameters"/> were given no area. Cheap tests first: an exact id, then prefixes;
    /// an exercise's or a duty post's owner is worked out only for the rows a unit's prefix selected.
    /// </summary>
    internal static string Filter(string column) =>
        $"(@areaUnits::text[] IS NULL OR {column} = ANY(@areaUnits) OR {column} LIKE ANY(@areaPaths) " +
        $"OR ({column} LIKE ANY(@areaOwned) AND {OwnerSql(column)} = ANY(@areaUnits)))";

    internal static void AddParameters(NpgsqlCommand command, StreamArea? area)
    {
        command.Parameters.Add(new NpgsqlParameter<string[]?>("areaUnits", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = area?.Units.ToArray() });
        // Unit ids hold only [a-z0-9/-], so nothing in them needs escaping for LIKE.
        command.Parameters.Add(new NpgsqlParameter<string[]>("areaPaths", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            TypedValue = area?.Path is { } path ? [path + "/%", StreamKeys.Exercise(path) + "/%", StreamKeys.DutyPost(path) + "/%"] : [],
        });
        command.Parameters.Add(new NpgsqlParameter<string[]>("areaOwned", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            TypedValue = area is { Path: null } ? [.. area.Units.SelectMany(u => new[] { StreamKeys.Exercise(u) + "/%", StreamKeys.DutyPost(u) + "/%" })] : [],
        });
    }

    /// <summary><see cref="StreamKeys.OwnerOf"/> in SQL for an exercise's or a duty post's stream: its id without the last level.</summary>
    private static string OwnerSql(string column) => $"substring({column} from '^(?:exercise|post):(.*)/[^/]*$')";
}
