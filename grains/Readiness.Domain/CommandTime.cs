using System.Globalization;

namespace Readiness.Domain;

/// <summary>
/// Years are counted in the command's own time (Vietnam, UTC+7), so a report sent in UTC on the
/// evening of 31 December still counts toward the next year as the command sees it.
/// </summary>
public static class CommandTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    /// <summary>The first year the system records or reports on: local defence as it is tracked here begins in 1945.</summary>
    public const int FirstYear = 1945;

    /// <summary>
    /// Nothing happened before this, as far as the system is concerned. Without a floor a reporter
    /// could rewrite closed years, and dates near year 1 overflow once moved into Vietnam time.
    /// </summary>
    public static readonly DateTimeOffset Earliest = StartOfYear(FirstYear);

    public static int YearOf(DateTimeOffset at) => at.ToOffset(Offset).Year;

    public static DateTimeOffset StartOfYear(int year) => new(year, 1, 1, 0, 0, 0, Offset);

    /// <summary>
    /// Null when figures can be asked for <paramref name="year"/> (a whole number from
    /// <see cref="FirstYear"/> to the current year), else what to ask instead. The one bound of every
    /// route that takes a year.
    /// </summary>
    public static string? ReportYearProblem(string? year, DateTimeOffset now, out int number)
    {
        if (!int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out number) || ReportYearProblem(number, now) is not null)
        {
            number = 0;
            return YearProblem(year, now);
        }
        return null;
    }

    /// <inheritdoc cref="ReportYearProblem(string, DateTimeOffset, out int)"/>
    public static string? ReportYearProblem(int year, DateTimeOffset now) =>
        year < FirstYear || year > YearOf(now) ? YearProblem(year.ToString(CultureInfo.InvariantCulture), now) : null;

    private static string YearProblem(string? year, DateTimeOffset now) =>
        $"'{year}' is not a year that can be reported on: give a year from {FirstYear} to {YearOf(now)}, such as {Math.Max(FirstYear, YearOf(now) - 1)}.";
}
