namespace Readiness.Domain;

public enum ActorKind
{
    Unit,
    Exercise,
    DutyPost,
}

/// <summary>
/// Every actor's events share one event store, so exercise and duty post streams carry a prefix;
/// unit ids never contain ':' and so never collide with them.
/// </summary>
public static class StreamKeys
{
    private const string ExercisePrefix = "exercise:";
    private const string DutyPostPrefix = "post:";

    public static string Unit(string unitId) => unitId;

    public static string Exercise(string exerciseId) => ExercisePrefix + exerciseId;

    public static string DutyPost(string postId) => DutyPostPrefix + postId;

    public static (ActorKind Kind, string Id) Parse(string streamKey) =>
        streamKey.StartsWith(ExercisePrefix, StringComparison.Ordinal) ? (ActorKind.Exercise, streamKey[ExercisePrefix.Length..])
        : streamKey.StartsWith(DutyPostPrefix, StringComparison.Ordinal) ? (ActorKind.DutyPost, streamKey[DutyPostPrefix.Length..])
        : (ActorKind.Unit, streamKey);

    /// <summary>The province an actor belongs to: the first level of its id.</summary>
    public static string ProvinceOf(string streamKey) => UnitPath.ProvinceOf(Parse(streamKey).Id);

    /// <summary>
    /// The part of its province's roster an actor is folded into: its district's (the first two levels
    /// of its id), or the province's own for the province unit and the exercises and duty posts the
    /// province itself hosts. An exercise or post shares the part of the unit it hangs under, so a
    /// unit's view and its own posts are read from one document.
    /// </summary>
    public static string RosterPartOf(string streamKey)
    {
        var (kind, id) = Parse(streamKey);
        var first = id.IndexOf('/', StringComparison.Ordinal);
        if (first < 0)
        {
            return id;
        }
        var second = id.IndexOf('/', first + 1);
        return second >= 0 ? id[..second]
            : kind == ActorKind.Unit ? id
            : id[..first];
    }
}
