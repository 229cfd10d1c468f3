namespace Readiness.Contracts;

/// <summary>One province's reports as the region accepted them over a time: what the region's trend draws.</summary>
public sealed record RegionProvinceTrend(string Id, string? Name, IReadOnlyList<RegionTrendPoint> Points);

/// <summary>One accepted report: when the province made it, its level and units per level, and its number.</summary>
public sealed record RegionTrendPoint(DateTimeOffset GeneratedAt, DateTimeOffset ReceivedAt, ReadinessLevel? Level, LevelCounts Units, long ReportSequence);
