namespace Readiness.Domain.Tests;

public class CommandTimeTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 8, 0, 0, TimeSpan.FromHours(7));

    [Theory]
    [InlineData("1")]
    [InlineData("1944")]
    [InlineData("2026")]
    [InlineData("-2024")]
    [InlineData("2024.0")]
    [InlineData("twenty")]
    [InlineData("")]
    public void A_year_outside_1945_to_this_year_is_not_reportable(string year)
    {
        Assert.Equal("'" + year + "' is not a year that can be reported on: give a year from 1945 to 2025, such as 2024.", CommandTime.ReportYearProblem(year, Now, out var number));
        Assert.Equal(0, number);
    }

    [Theory]
    [InlineData(1945)]
    [InlineData(2025)]
    public void The_first_and_the_current_year_are_reportable(int year)
    {
        Assert.Null(CommandTime.ReportYearProblem(year, Now));
        Assert.Null(CommandTime.ReportYearProblem(year.ToString(System.Globalization.CultureInfo.InvariantCulture), Now, out var number));
        Assert.Equal(year, number);
    }

    [Fact]
    public void The_current_year_is_counted_in_Vietnam_time() =>
        Assert.Null(CommandTime.ReportYearProblem(2026, new DateTimeOffset(2025, 12, 31, 18, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void The_earliest_moment_is_the_start_of_1945_in_Vietnam() =>
        Assert.Equal(new DateTimeOffset(1944, 12, 31, 17, 0, 0, TimeSpan.Zero), CommandTime.Earliest);
}
