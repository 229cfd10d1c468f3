namespace Readiness.Domain;

/// <summary>
/// Years are counted in the command's own time (Vietnam, UTC+7), so a report sent in UTC on the
/// evening of 31 December still counts toward the next year as the command sees it.
/// </summary>
public static class CommandTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    public static int YearOf(DateTimeOffset at) => at.ToOffset(Offset).Year;

    public static DateTimeOffset StartOfYear(int year) => new(year, 1, 1, 0, 0, 0, Offset);
}
