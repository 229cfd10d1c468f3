namespace Readiness.Contracts;

/// <summary>How far apart the points of a trend are.</summary>
public enum TrendStep
{
    Day = 0,
    Week = 1,
    Month = 2,
}

/// <summary>How many units of the scope each area put at each level at one moment; areas that do not apply to a unit are not counted.</summary>
public sealed record AreaLevels(ReadinessArea Area, LevelCounts Units);

/// <summary>
/// A unit and everything under it at one moment, as the views of that moment (<c>?asOf=</c>) would
/// rate them: its own level, its units per level, and each area's levels.
/// </summary>
public sealed record TrendPoint(DateTimeOffset At, ReadinessLevel? Level, LevelCounts Units, IReadOnlyList<AreaLevels> Areas);

/// <summary>Levels over time, from the events: one point per step from <c>From</c> to <c>To</c>, both included.</summary>
public sealed record ReadinessTrend(string Id, string Name, DateTimeOffset From, DateTimeOffset To, TrendStep Step, IReadOnlyList<TrendPoint> Points);
