using Readiness.Contracts;

namespace Readiness.Silo.Live;

/// <summary>Province-wide figures for the gauges: units per level, posts not manned, open alerts.</summary>
public sealed record ProvinceGaugeSample(string ProvinceId, LevelCounts Units, int PostsNotManned, int OpenAlerts);
