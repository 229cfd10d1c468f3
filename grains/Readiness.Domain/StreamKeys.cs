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

    /// <summary>
    /// Where an actor's stream is stored: the first level of its id, the province it was registered in,
    /// which chooses its database and its roster. Fixed when the stream is created, and never a place in
    /// the chain of command: a unit moved to another province stays stored where it began, and where
    /// it stands is asked of <see cref="ChainOfCommand"/>.
    /// </summary>
    public static string HomeOf(string streamKey) => UnitPath.ProvinceOf(Parse(streamKey).Id);

    /// <summary>The unit a stream belongs to: a unit's own, or the unit an exercise or duty post's id starts with, which hosts or owns it.</summary>
    public static string OwnerOf(string streamKey)
    {
        var (kind, id) = Parse(streamKey);
        return kind == ActorKind.Unit ? id : UnitPath.ParentOf(id) ?? id;
    }

    /// <summary>
    /// The part of its province's roster an actor is folded into: one per commune (holding the
    /// commune and its force units), one per district and one for the province (each holding that
    /// command alone), with every exercise and duty post in the part of the unit it hangs under. A
    /// batch of reports from across a province rewrites a part per commune it touched, a few
    /// kilobytes each, and a unit's view and its own posts are read from one document.
    /// </summary>
    public static string RosterPartOf(string streamKey)
    {
        return UnitPart(OwnerOf(streamKey));
    }

    /// <summary>Which layout of the roster's parts <see cref="RosterPartOf"/> gives; stored parts of another are folded again.</summary>
    public const int RosterLayout = 2;

    private static string UnitPart(string unitId)
    {
        var cut = -1;
        for (var level = 0; level < 3; level++)
        {
            cut = unitId.IndexOf('/', cut + 1);
            if (cut < 0)
            {
                return unitId;
            }
        }
        return unitId[..cut];
    }
}
