using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Store.Projections;

namespace Readiness.Grains.YearEnd;

/// <summary>
/// What a province's report of a year counts and in which column, by the chain of command: every unit
/// that stood under the province, or under a unit merged into it, at some moment of the year; each in
/// the column of the command under the province where it, or the unit that carried it on, stood at the
/// year's end. So a year with a reform in it counts the months before through the successors, and each
/// figure still names its events.
/// </summary>
public sealed class ReportShape
{
    private readonly ChainOfCommand tree;
    private readonly RosterArrangement? over;
    private readonly RosterArrangement? end;
    private readonly string provinceId;

    private ReportShape(ChainOfCommand tree, string provinceId, int year)
    {
        this.tree = tree;
        this.provinceId = provinceId;
        var start = CommandTime.StartOfYear(year);
        var yearEnd = CommandTime.StartOfYear(year + 1);
        over = RosterArrangement.Over(tree, provinceId, start, yearEnd);
        // A province dissolved within the year is laid out as it last stood.
        var last = tree.Unit(provinceId) is { DissolvedAt: { } dissolved } && dissolved < yearEnd ? dissolved : yearEnd;
        end = RosterArrangement.Of(tree, provinceId, last - TimeSpan.FromTicks(1));
        YearEnd = last;
    }

    /// <summary>The province's report of <paramref name="year"/>, shaped by <paramref name="tree"/>.</summary>
    public static ReportShape Of(ChainOfCommand tree, string provinceId, int year) => new(tree, provinceId, year);

    /// <summary>Shaped by the registrations among <paramref name="events"/> alone: what a store that records no reorganisation gives.</summary>
    public static Func<int, ReportShape> AsRegistered(string provinceId, IEnumerable<StoredEvent> events)
    {
        var tree = ChainOfCommand.From(events.Select(e => e.Data));
        return year => Of(tree, provinceId, year);
    }

    /// <summary>The moment the year's layout is taken at: its end, or the province's dissolution within it.</summary>
    public DateTimeOffset YearEnd { get; }

    /// <summary>The commands directly under the province at the year's end: the report's columns beside the province's own.</summary>
    public IEnumerable<string> Columns => end?.Units.Values.Where(u => u.DistrictId == u.UnitId).Select(u => u.UnitId) ?? [];

    /// <summary>
    /// Whether a stream's events count: a unit the year covers, or an exercise or duty post of one (owned
    /// by the unit its id starts with). A stream of no registered unit has no place in the tree; it counts
    /// where it is stored, for the province of its id's first level, as its events always did.
    /// </summary>
    public bool Counts(string streamKey)
    {
        var unitId = StreamKeys.OwnerOf(streamKey);
        return over?.Place(unitId) is not null || (!tree.Knows(unitId) && StreamKeys.HomeOf(streamKey) == provinceId);
    }

    /// <summary>The column a unit's figures go to: the command under the province that it, or its successor, stood under at the year's end.</summary>
    public string ColumnOf(string unitId)
    {
        var carrying = unitId;
        for (var step = 0; end?.Place(carrying) is null && step < ChainOfCommand.MaxLevels && tree.Unit(carrying)?.SuccessorId is { } successor; step++)
        {
            carrying = successor;
        }
        return (end?.Place(carrying) ?? over?.Place(unitId))?.DistrictId ?? provinceId;
    }

    /// <summary>Whether the unit still stood at the year's end (under the province): what year-end counts count.</summary>
    public bool Stands(string unitId) => end?.Place(unitId) is not null;

    /// <summary>The unit's name at the year's end, or as it last stood.</summary>
    public string? NameOf(string unitId) => end?.Place(unitId)?.Name ?? tree.Unit(unitId)?.LastAt(YearEnd)?.Name;

    /// <summary>The units the report counts that had been dissolved by the year's end, with who carries them on.</summary>
    public IReadOnlyList<ReportFormerUnit> Former =>
        [.. (over?.Units.Keys ?? [])
            .Select(id => tree.Unit(id)!)
            .Where(u => u.DissolvedAt is { } at && at < YearEnd.AddTicks(1) && !Stands(u.UnitId))
            .OrderBy(u => u.UnitId, StringComparer.Ordinal)
            .Select(u => new ReportFormerUnit(u.UnitId, u.LastAt(u.DissolvedAt!.Value)!.Name, u.DissolvedAt!.Value, u.SuccessorId, u.DissolvedBy))];
}
