using System.Net.Http.Json;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The unit and province views built by Marten from the streams.</summary>
public class ProjectionTests(SiloFixture silo)
{
    [Fact]
    public async Task After_enlistments_the_unit_view_shows_strength_and_personnel_level()
    {
        var tree = await silo.NewProvinceAsync(communeAuthorised: 10);
        var unit = silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId);
        foreach (var count in new[] { 3, 3, 2 })
        {
            await unit.Execute(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, count, 2024));
        }

        // The unit view is inline: it is current as soon as the command is acknowledged.
        var view = (await silo.Http.GetFromJsonAsync<UnitReadinessView>(new Uri($"/api/units/{tree.CommuneId}", UriKind.Relative), SiloFixture.Json))!;

        Assert.Equal(8, view.ActualStrength);
        Assert.Equal(10, view.AuthorisedStrength);
        Assert.Equal(0.8, view.StrengthRatio);
        Assert.Equal(ReadinessLevel.R2, view.PersonnelLevel);
        Assert.Equal(4, view.Version);
        var personnel = view.Rating.Areas.Single(a => a.Area == ReadinessArea.Personnel);
        Assert.Equal(4, personnel.Evidence.Count);
        Assert.Equal(["UnitRegistered", "RecruitsEnlisted", "RecruitsEnlisted", "RecruitsEnlisted"], personnel.Evidence.Select(e => e.Event));
        // No training recorded: the training area sets the overall level, and says so.
        Assert.Equal(ReadinessLevel.R4, view.Level);
        Assert.Equal(ReadinessArea.Training, view.Rating.SetBy);
    }

    [Fact]
    public async Task The_province_view_rolls_the_commune_up_into_its_district()
    {
        var tree = await silo.NewProvinceAsync(communeAuthorised: 10);
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 9, 2024));
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.DistrictId, 15, 2024));
        await silo.TrainAsync(tree.CommuneId, 2);
        await silo.TrainAsync(tree.DistrictId, 4);

        await silo.WaitForProjectionsAsync();
        var view = (await silo.Http.GetFromJsonAsync<ProvinceReadinessView>(new Uri($"/api/provinces/{tree.ProvinceId}/readiness", UriKind.Relative), SiloFixture.Json))!;

        var district = Assert.Single(view.Districts);
        Assert.Equal(ReadinessLevel.R3, district.Level);
        Assert.Equal(new LevelCounts(1, 0, 1, 0), district.Units);
        var commune = Assert.Single(district.Communes);
        Assert.Equal(ReadinessLevel.R1, commune.Level);
        Assert.Equal(9, commune.ActualStrength);
        Assert.Equal(new LevelCounts(1, 0, 1, 1), view.Units);
        Assert.True(view.Sequence > 0);
        var concern = Assert.Single(district.BelowR2);
        Assert.Equal(tree.DistrictId, concern.UnitId);
        Assert.Equal(ReadinessArea.Personnel, concern.SetBy);
    }
}
