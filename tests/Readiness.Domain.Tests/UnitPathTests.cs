
namespace Readiness.Domain.Tests;

public class UnitPathTests
{
    [Theory]
    [InlineData("bac-kan", null, "bac-kan", null, null)]
    [InlineData("bac-kan/ba-be", "bac-kan", "bac-kan", "bac-kan/ba-be", null)]
    [InlineData("bac-kan/ba-be/cho-ra", "bac-kan/ba-be", "bac-kan", "bac-kan/ba-be", "bac-kan/ba-be/cho-ra")]
    [InlineData("bac-kan/ba-be/cho-ra/militia-1", "bac-kan/ba-be/cho-ra", "bac-kan", "bac-kan/ba-be", "bac-kan/ba-be/cho-ra")]
    public void Ancestors_are_read_from_the_id(string id, string? parent, string province, string? district, string? commune)
    {
        Assert.Equal(parent, UnitPath.ParentOf(id));
        Assert.Equal(province, UnitPath.ProvinceOf(id));
        Assert.Equal(district, UnitPath.DistrictOf(id));
        Assert.Equal(commune, UnitPath.CommuneOf(id));
    }

    [Fact]
    public void Problems_explain_the_expected_form()
    {
        Assert.Null(UnitPath.Problem("bac-kan/ba-be/cho-ra"));
        Assert.Contains("bac-kan/ba-be/cho-ra", UnitPath.Problem("Bắc Kạn")!, StringComparison.Ordinal);
        Assert.NotNull(UnitPath.Problem(""));
        Assert.NotNull(UnitPath.Problem(new string('a', UnitPath.MaxLength + 1)));
    }
}

public class RosterPartTests
{
    [Theory]
    [InlineData("bac-kan", "bac-kan")]
    [InlineData("bac-kan/ba-be", "bac-kan/ba-be")]
    [InlineData("bac-kan/ba-be/cho-ra", "bac-kan/ba-be/cho-ra")]
    [InlineData("bac-kan/ba-be/cho-ra/militia-1", "bac-kan/ba-be/cho-ra")]
    [InlineData("exercise:bac-kan/dt-2024", "bac-kan")]
    [InlineData("post:bac-kan/sscd", "bac-kan")]
    [InlineData("post:bac-kan/ba-be/sscd", "bac-kan/ba-be")]
    [InlineData("exercise:bac-kan/ba-be/cho-ra/kvpt", "bac-kan/ba-be/cho-ra")]
    [InlineData("exercise:bac-kan/ba-be/cho-ra/militia-1/drill", "bac-kan/ba-be/cho-ra")]
    public void An_actor_is_folded_into_its_commune_s_part_or_the_part_of_the_command_it_hangs_under(string streamKey, string part) =>
        Assert.Equal(part, StreamKeys.RosterPartOf(streamKey));

    [Theory]
    [InlineData("bac-kan")]
    [InlineData("bac-kan/ba-be")]
    [InlineData("bac-kan/ba-be/cho-ra")]
    [InlineData("bac-kan/ba-be/cho-ra/militia-1")]
    public void A_unit_s_own_duty_posts_are_in_the_unit_s_part(string unitId) =>
        Assert.Equal(StreamKeys.RosterPartOf(StreamKeys.Unit(unitId)), StreamKeys.RosterPartOf(StreamKeys.DutyPost(unitId + "/truc")));
}
