using Readiness.Contracts;
using Readiness.Grains.Demo;

namespace Readiness.Domain.Tests;

public class DemoProvinceTests
{
    private static readonly List<DemoUnit> Units = BacKan.Units().ToList();

    [Fact]
    public void Bac_Kan_has_8_districts_and_108_commune_level_units_as_in_2024()
    {
        Assert.Single(Units, u => u.Echelon == Echelon.Province);
        Assert.Equal(8, Units.Count(u => u.Echelon == Echelon.District));
        Assert.Equal(108, Units.Count(u => u.Echelon == Echelon.Commune));
        Assert.Equal(6, BacKan.Districts.Sum(d => d.Wards.Length));
        Assert.Equal(6, BacKan.Districts.Sum(d => d.Towns.Length));
        Assert.Equal(96, BacKan.Districts.Sum(d => d.Communes.Length));
    }

    [Theory]
    [InlineData("pac-nam", 10)]
    [InlineData("ngan-son", 10)]
    [InlineData("thanh-pho-bac-kan", 8)]
    public void District_commune_counts_match_the_report(string district, int communes) =>
        Assert.Equal(communes, Units.Count(u => u.Echelon == Echelon.Commune && UnitPath.DistrictOf(u.Id) == $"bac-kan/{district}"));

    [Fact]
    public void Every_demo_id_is_unique_well_formed_and_listed_after_its_parent()
    {
        Assert.Equal(Units.Count, Units.Select(u => u.Id).Distinct().Count());
        var seen = new HashSet<string>();
        foreach (var unit in Units)
        {
            Assert.Null(UnitPath.Problem(unit.Id));
            if (UnitPath.ParentOf(unit.Id) is { } parent)
            {
                Assert.Contains(parent, seen);
            }
            seen.Add(unit.Id);
        }
    }

    [Theory]
    [InlineData("Thành phố Bắc Kạn", "thanh-pho-bac-kan")]
    [InlineData("Chợ Rã", "cho-ra")]
    [InlineData("Đồng Tâm", "dong-tam")]
    [InlineData("Nguyễn Thị Minh Khai", "nguyen-thi-minh-khai")]
    public void Slugs_drop_diacritics(string name, string slug) => Assert.Equal(slug, BacKan.Slug(name));
}
