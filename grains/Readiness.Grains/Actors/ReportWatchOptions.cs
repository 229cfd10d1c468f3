using System.ComponentModel.DataAnnotations;

namespace Readiness.Grains.Actors;

/// <summary>How often a unit's reminder looks for a missed report (<c>Readiness:Reporting</c>).</summary>
public sealed class ReportWatchOptions
{
    /// <summary>
    /// An hour by default: reporting intervals are counted in days, and each tick wakes every unit of
    /// the province. Tests set seconds to see it fire.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan WatchPeriod { get; set; } = TimeSpan.FromHours(1);
}
