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
