using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The unit grain on a real silo and a real Marten store.</summary>
public class UnitGrainTests(SiloFixture silo)
{
    [Fact]
    public async Task Register_then_enlist_appends_two_events_to_the_unit_stream()
    {
        var tree = await silo.NewProvinceAsync();
        var unit = silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId);

        var enlisted = await unit.Execute(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 7, 2024));

        Assert.True(enlisted.Accepted);
        Assert.Equal(2, enlisted.Version);
        Assert.Equal(2, await silo.Database.CountEventsAsync(tree.CommuneId));
        var profile = await unit.GetProfile();
        Assert.Equal(7, profile!.ActualStrength);
    }

    [Fact]
    public async Task A_retried_command_id_returns_the_first_result_and_appends_nothing()
    {
        var tree = await silo.NewProvinceAsync();
        var unit = silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId);
        var command = new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 4, 2024);

        var first = await unit.Execute(command);
        var retry = await unit.Execute(command);

        Assert.False(first.AlreadyApplied);
        Assert.True(retry.AlreadyApplied);
        Assert.Equal(first.Version, retry.Version);
        Assert.Equal(2, await silo.Database.CountEventsAsync(tree.CommuneId));
        Assert.Equal(4, (await unit.GetProfile())!.ActualStrength);
    }

    [Fact]
    public async Task A_retry_after_the_grain_was_deactivated_is_still_recognised_from_the_stream()
    {
        var tree = await silo.NewProvinceAsync();
        var unit = silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId);
        var command = new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 3, 2024);
        var first = await unit.Execute(command);

        using var loads = new StreamLoads(tree.CommuneId);
        await silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var retry = await unit.Execute(command);

        // The retry reached a new activation, which knew the command id only from the stream it read.
        Assert.Equal([new StreamLoad(0, 2)], loads.Seen);
        Assert.True(retry.AlreadyApplied);
        Assert.Equal(first.Version, retry.Version);
        Assert.Equal(2, await silo.Database.CountEventsAsync(tree.CommuneId));
    }

    [Fact]
    public async Task Concurrent_commands_on_one_unit_are_all_applied_with_contiguous_versions()
    {
        var tree = await silo.NewProvinceAsync();
        var unit = silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId);

        var results = await Task.WhenAll(Enumerable.Range(1, 25)
            .Select(_ => unit.Execute(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 2, 2024))));

        Assert.All(results, r => Assert.True(r.Accepted));
        Assert.Equal(Enumerable.Range(2, 25).Select(v => (long)v), results.Select(r => r.Version).Order());
        var versions = await silo.Database.ScalarAsync(
            "SELECT count(DISTINCT version) FROM readiness.mt_events WHERE stream_id = @s AND version BETWEEN 1 AND 26", ("s", tree.CommuneId));
        Assert.Equal(26, versions);
        Assert.Equal(50, (await unit.GetProfile())!.ActualStrength);
    }

    [Fact]
    public async Task A_command_sent_to_the_wrong_grain_is_refused()
    {
        var tree = await silo.NewProvinceAsync();

        var result = await silo.Grains.GetGrain<IUnitGrain>(tree.DistrictId).Execute(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 3, 2024));

        Assert.Equal(RejectionKind.Invalid, result.Rejection?.Kind);
        Assert.Equal(1, await silo.Database.CountEventsAsync(tree.DistrictId));
    }

    [Fact]
    public async Task Bad_input_is_rejected_and_appends_nothing()
    {
        var tree = await silo.NewProvinceAsync();
        var unit = silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId);

        var zero = await unit.Execute(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 0, 2024));
        var negative = await unit.Execute(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, -3, 2024));
        var future = await unit.Execute(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 3, 2024, DateTimeOffset.UtcNow.AddDays(2)));
        var noCommandId = await unit.Execute(new EnlistRecruits("", tree.CommuneId, 3, 2024));
        var twice = await unit.Execute(new RegisterUnit(SiloFixture.NewId(), tree.CommuneId, "Again", Echelon.Commune, null, 10));

        Assert.Equal(RejectionKind.Invalid, zero.Rejection?.Kind);
        Assert.Equal(RejectionKind.Invalid, negative.Rejection?.Kind);
        Assert.Equal(RejectionKind.Invalid, future.Rejection?.Kind);
        Assert.Equal(RejectionKind.Invalid, noCommandId.Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, twice.Rejection?.Kind);
        Assert.Equal(1, await silo.Database.CountEventsAsync(tree.CommuneId));
    }

    [Fact]
    public async Task Commands_to_an_unknown_unit_or_under_an_unknown_parent_are_not_found_and_append_nothing()
    {
        var tree = await silo.NewProvinceAsync();
        var orphan = $"{tree.DistrictId}/no-such-commune/militia";

        var enlist = await silo.Grains.GetGrain<IUnitGrain>($"{tree.DistrictId}/ghost").Execute(new EnlistRecruits(SiloFixture.NewId(), $"{tree.DistrictId}/ghost", 3, 2024));
        var register = await silo.Grains.GetGrain<IUnitGrain>(orphan).Execute(new RegisterUnit(SiloFixture.NewId(), orphan, "Orphan", Echelon.ForceUnit, null, 30));

        Assert.Equal(RejectionKind.NotFound, enlist.Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, register.Rejection?.Kind);
        Assert.Equal(0, await silo.Database.CountEventsAsync($"{tree.DistrictId}/ghost"));
        Assert.Equal(0, await silo.Database.CountEventsAsync(orphan));
    }
}
