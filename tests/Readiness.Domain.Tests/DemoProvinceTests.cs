using Readiness.Contracts;
using Readiness.Grains.Demo;

namespace Readiness.Domain.Tests;

public class DemoProvinceTests
{
    private static readonly IReadOnlyList<DemoCommand> Commands = DemoYear.Commands(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero));
    private static readonly List<RegisterUnit> Registrations = Commands.Select(c => c.Command).OfType<RegisterUnit>().ToList();

    [Fact]
    public void Bac_Kan_has_8_districts_and_108_commune_level_units_as_in_2024()
    {
        Assert.Single(Registrations, u => u.Echelon == Echelon.Province);
        Assert.Equal(8, Registrations.Count(u => u.Echelon == Echelon.District));
        Assert.Equal(108, Registrations.Count(u => u.Echelon == Echelon.Commune));
        Assert.Equal(6, BacKan.Districts.Sum(d => d.Wards.Length));
        Assert.Equal(6, BacKan.Districts.Sum(d => d.Towns.Length));
        Assert.Equal(96, BacKan.Districts.Sum(d => d.Communes.Length));
    }

    [Theory]
    [InlineData("pac-nam", 10)]
    [InlineData("ngan-son", 10)]
    [InlineData("thanh-pho-bac-kan", 8)]
    public void District_commune_counts_match_the_report(string district, int communes) =>
        Assert.Equal(communes, Registrations.Count(u => u.Echelon == Echelon.Commune && UnitPath.DistrictOf(u.UnitId) == $"bac-kan/{district}"));

    [Fact]
    public void Every_unit_is_registered_once_after_its_parent_and_every_command_id_is_unique()
    {
        Assert.Equal(Commands.Count, Commands.Select(c => c.Command.CommandId).Distinct().Count());
        var phaseOf = Registrations.ToDictionary(r => r.UnitId, r => Commands.First(c => ReferenceEquals(c.Command, r)).Phase);
        foreach (var registration in Registrations)
        {
            Assert.Null(UnitPath.Problem(registration.UnitId));
            if (UnitPath.ParentOf(registration.UnitId) is { } parent)
            {
                Assert.True(phaseOf[parent] < phaseOf[registration.UnitId], $"{parent} must load before {registration.UnitId}");
            }
        }
    }

    [Fact]
    public void Command_ids_do_not_depend_on_when_the_demo_is_loaded()
    {
        var later = DemoYear.Commands(new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(Commands.Select(c => (c.Command.CommandId, c.Command.GetType())), later.Select(c => (c.Command.CommandId, c.Command.GetType())));
    }

    [Theory]
    [InlineData("Thành phố Bắc Kạn", "thanh-pho-bac-kan")]
    [InlineData("Chợ Rã", "cho-ra")]
    [InlineData("Đồng Tâm", "dong-tam")]
    [InlineData("Nguyễn Thị Minh Khai", "nguyen-thi-minh-khai")]
    public void Slugs_drop_diacritics(string name, string slug) => Assert.Equal(slug, BacKan.Slug(name));
}

/// <summary>The demo's own equipment holdings: plausible, and never enough to move a unit's level from what the report's figures give it.</summary>
public class DemoEquipmentTests
{
    [Fact]
    public void Under_the_default_intervals_exactly_one_demo_unit_is_stale_the_demos_own_silent_platoon()
    {
        var now = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
        var commands = DemoYear.Commands(now);
        var echelons = commands.Select(c => c.Command).OfType<RegisterUnit>().ToDictionary(r => r.UnitId, r => r.Echelon);
        var lastReported = commands
            .Where(c => c.Command is IUnitCommand)
            .GroupBy(c => ((IUnitCommand)c.Command).UnitId)
            .ToDictionary(g => g.Key, g => g.Max(c => c.Command.OccurredAt ?? now));

        var stale = lastReported.Where(u => ReadinessPolicy.Default.ReportingInterval(echelons[u.Key]) is { } interval && now > u.Value + interval).Select(u => u.Key);

        Assert.Equal([DemoYear.StaleUnit()], stale);
    }

    [Fact]
    public void Every_demo_holding_rates_R1_on_both_equipment_areas()
    {
        foreach (var (unitId, kit) in DemoYear.EquippedUnits())
        {
            foreach (var (category, authorised) in kit)
            {
                var (onHand, underRepair, unserviceable) = DemoYear.Holding(unitId, category, authorised);
                Assert.InRange((double)onHand / authorised, 0.9, 1.0);
                Assert.InRange((double)(onHand - underRepair - unserviceable) / onHand, 0.9, 1.0);
            }
        }
    }

    [Fact]
    public void Only_the_flagged_unit_has_unserviceable_rescue_kit_and_rescue_kit_is_full()
    {
        var rescue = DemoYear.EquippedUnits()
            .SelectMany(u => u.Kit.Where(k => k.Category == EquipmentCategory.RescueEquipment).Select(k => (u.UnitId, k.Authorised, Held: DemoYear.Holding(u.UnitId, k.Category, k.Authorised))))
            .ToList();

        Assert.All(rescue, r => Assert.Equal(r.Authorised, r.Held.OnHand));
        Assert.Equal([DemoYear.FlaggedRescueUnit], rescue.Where(r => r.Held.Unserviceable > 0).Select(r => r.UnitId));
    }
}
