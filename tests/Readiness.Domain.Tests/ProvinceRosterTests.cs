using Readiness.Contracts;

namespace Readiness.Domain.Tests;

public class ProvinceRosterTests
{
    private static readonly DateTimeOffset At = new(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Districts_roll_up_their_communes_and_units()
    {
        var roster = new ProvinceRoster { Id = "bac-kan" };
        roster.Record(new UnitRegistered("bac-kan", "Bộ CHQS tỉnh Bắc Kạn", Echelon.Province, null, 100, At));
        roster.Record(new RecruitsEnlisted("bac-kan", 95, 2024, At));
        roster.Record(new UnitRegistered("bac-kan/ba-be", "Ban CHQS huyện Ba Bể", Echelon.District, "bac-kan", 10, At));
        roster.Record(new RecruitsEnlisted("bac-kan/ba-be", 8, 2024, At));
        roster.Record(new UnitRegistered("bac-kan/ba-be/cho-ra", "Ban CHQS thị trấn Chợ Rã", Echelon.Commune, "bac-kan/ba-be", 10, At));
        roster.Record(new RecruitsEnlisted("bac-kan/ba-be/cho-ra", 5, 2024, At));
        roster.Record(new UnitRegistered("bac-kan/ba-be/cho-ra/militia-1", "Trung đội dân quân", Echelon.ForceUnit, "bac-kan/ba-be/cho-ra", 30, At));
        roster.Record(new RecruitsEnlisted("bac-kan/ba-be/cho-ra/militia-1", 30, 2024, At));
        roster.Advance(8, At);

        var view = roster.ToView(ReadinessPolicy.Default);

        Assert.Equal("Bộ CHQS tỉnh Bắc Kạn", view.Name);
        Assert.Equal(ReadinessLevel.R1, view.Level);
        Assert.Equal(new LevelCounts(2, 1, 0, 1), view.Units);
        Assert.Equal(8, view.Sequence);
        var district = Assert.Single(view.Districts);
        Assert.Equal(ReadinessLevel.R2, district.Level);
        Assert.Equal(new LevelCounts(1, 1, 0, 1), district.Units);
        Assert.Equal(50, district.AuthorisedStrength);
        Assert.Equal(43, district.ActualStrength);
        var commune = Assert.Single(district.Communes);
        Assert.Equal(ReadinessLevel.R4, commune.Level);
        Assert.Equal(new LevelCounts(1, 0, 0, 1), commune.Units);
    }

    [Fact]
    public void Enlistment_in_an_unknown_unit_changes_nothing()
    {
        var roster = new ProvinceRoster { Id = "bac-kan" };
        roster.Record(new RecruitsEnlisted("bac-kan/ghost", 5, 2024, At));

        Assert.Empty(roster.Units);
    }
}
