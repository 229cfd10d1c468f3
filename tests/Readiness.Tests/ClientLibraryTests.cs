using Readiness.Client;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The client library as a higher-echelon system uses it.</summary>
public class ClientLibraryTests(SiloFixture silo)
{
    private ReadinessClient Client => new(silo.Http);

    [Fact]
    public async Task A_unit_registered_and_reinforced_through_the_client_reads_back()
    {
        var tree = await silo.NewProvinceAsync();
        var unitId = $"{tree.CommuneId}/self-defence-squad";

        var registered = await Client.SendAsync(new RegisterUnit(ReadinessClient.NewCommandId(), unitId, "Tiểu đội tự vệ", Echelon.ForceUnit, null, 10));
        var enlisted = await Client.SendAsync(new RecordMembersJoined(ReadinessClient.NewCommandId(), unitId, ForceType.MilitiaSelfDefence, 9));
        await Client.SendAsync(new RecordTraining(ReadinessClient.NewCommandId(), unitId, "Bắn súng", 9, Grade.Excellent));
        var view = await Client.GetUnitAsync(unitId);

        Assert.Equal(1, registered.Version);
        Assert.Equal(2, enlisted.Version);
        Assert.Equal(9, view.ActualStrength);
        Assert.Equal(9, view.Forces.MilitiaSelfDefence);
        Assert.Equal(ReadinessLevel.R1, view.PersonnelLevel);
    }

    [Fact]
    public async Task Resending_a_command_id_through_the_client_returns_the_first_result()
    {
        var tree = await silo.NewProvinceAsync();
        var command = new EnlistRecruits(ReadinessClient.NewCommandId(), tree.CommuneId, 2, 2024);

        var first = await Client.SendAsync(command);
        var again = await Client.SendAsync(command);

        Assert.Equal(first.Version, again.Version);
        Assert.True(again.AlreadyApplied);
        Assert.Equal(2, (await Client.GetUnitAsync(tree.CommuneId)).ActualStrength);
    }

    [Fact]
    public async Task Refusals_surface_as_typed_exceptions_carrying_the_problem()
    {
        var tree = await silo.NewProvinceAsync();

        var invalid = await Assert.ThrowsAsync<ReadinessApiException>(() => Client.SendAsync(new EnlistRecruits(ReadinessClient.NewCommandId(), tree.CommuneId, 0, 2024)));
        var unknown = await Assert.ThrowsAsync<ReadinessApiException>(() => Client.GetUnitAsync($"{tree.CommuneId}/nobody"));

        Assert.Equal(400, invalid.StatusCode);
        Assert.Contains("at least 1", invalid.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(tree.CommuneId, invalid.Problem.Extensions!["streamId"].GetString());
        Assert.Equal(404, unknown.StatusCode);
    }

    [Fact]
    public async Task A_commune_resubordinated_through_the_client_stands_under_its_new_command_from_the_order_and_under_its_district_before()
    {
        var tree = await silo.NewProvinceAsync();
        var regional = $"{tree.ProvinceId}/kv-1";
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), regional, "Ban CHQS khu vực 1", Echelon.RegionalDefence, tree.ProvinceId, 10,
            DateTimeOffset.UtcNow.AddDays(-30)));
        using var http = silo.Host.ClientWith(silo.Host.Token([tree.ProvinceId], [Access.Admin]));
        var client = new ReadinessClient(http);
        var effective = DateTimeOffset.UtcNow.AddDays(-1);

        await client.SendAsync(new ResubordinateUnit(ReadinessClient.NewCommandId(), tree.CommuneId, regional, "2786/QĐ-BQP", effective));
        var now = await client.GetChainOfCommandAsync(tree.ProvinceId);
        var before = await client.GetChainOfCommandAsync(tree.ProvinceId, DateTimeOffset.UtcNow.AddDays(-2));
        var unborn = await Assert.ThrowsAsync<ReadinessApiException>(() => client.GetChainOfCommandAsync(tree.ProvinceId, DateTimeOffset.UtcNow.AddYears(-2)));

        Assert.Equal(Echelon.RegionalDefence, Assert.Single(now.Units, u => u.UnitId == regional).Echelon);
        var moved = Assert.Single(now.Units, u => u.UnitId == tree.CommuneId);
        Assert.Equal((regional, 2, "2786/QĐ-BQP", effective), (moved.ParentId, moved.Depth, moved.Order, moved.HeldFrom));
        var was = Assert.Single(before.Units, u => u.UnitId == tree.CommuneId);
        Assert.Equal((tree.DistrictId, 2, null), (was.ParentId, was.Depth, was.Order));
        Assert.Equal(404, unborn.StatusCode);
        Assert.Contains("was established at", unborn.Problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_province_view_is_read_through_the_client()
    {
        var view = await Client.GetProvinceReadinessAsync("bac-kan");

        Assert.Equal(8, view.Districts.Count);
    }
}
