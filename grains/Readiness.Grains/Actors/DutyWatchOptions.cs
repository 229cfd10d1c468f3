using System.ComponentModel.DataAnnotations;

namespace Readiness.Grains.Actors;

/// <summary>How often a duty post's reminder looks for an overdue handover (<c>Readiness:Duty</c>).</summary>
public sealed class DutyWatchOptions
{
    /// <summary>
    /// A minute by default, which is Orleans' own floor for reminders: an overdue handover is a matter
    /// of hours, and each tick is a database round trip per post. Tests set seconds to see it fire.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan HandoverWatchPeriod { get; set; } = TimeSpan.FromMinutes(1);
}

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
