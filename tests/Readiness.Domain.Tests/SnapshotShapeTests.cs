using System.Collections.Immutable;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Grains.Actors;

namespace Readiness.Domain.Tests;

/// <summary>A state written into a snapshot reads back as the same state, and a changed state type is told apart.</summary>
public class SnapshotShapeTests
{
    private static T RoundTrip<T>(T state) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(state, SnapshotShape.Json), SnapshotShape.Json)!;

    private static void AssertSame<T>(T state)
    {
        var back = RoundTrip(state);
        Assert.Equal(JsonSerializer.Serialize(state, SnapshotShape.Json), JsonSerializer.Serialize(back, SnapshotShape.Json));
    }

    [Fact]
    public void A_unit_with_every_member_set_reads_back_the_same()
    {
        var at = new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.FromHours(7));
        var unit = new UnitState("bac-kan/ba-be/cho-ra", true, "Ban CHQS xã Chợ Rã", Echelon.Commune, "bac-kan/ba-be", at, 40, 3, 2, 5, 28, true, ReadinessLevel.R2)
        {
            Equipment = ImmutableDictionary<EquipmentCategory, EquipmentStock>.Empty.Add(EquipmentCategory.RescueEquipment, new EquipmentStock(10, 8, 6, 1, 1)),
            Missions = [Mission.SearchAndRescue, Mission.CombatReadinessDuty],
            LastReportedAt = at.AddDays(3),
            OverdueNotedFor = at.AddDays(1),
        };

        var back = RoundTrip(unit);

        AssertSame(unit);
        Assert.Equal(unit.ActualStrength, back.ActualStrength);
        Assert.Equal(unit.Equipment[EquipmentCategory.RescueEquipment], back.Equipment[EquipmentCategory.RescueEquipment]);
        Assert.True(back.Missions.SetEquals(unit.Missions));
        Assert.Equal(unit.LastReportedAt, back.LastReportedAt);
    }

    [Fact]
    public void A_duty_post_and_an_exercise_read_back_the_same()
    {
        var at = new DateTimeOffset(2024, 5, 1, 7, 0, 0, TimeSpan.FromHours(7));
        AssertSame(new DutyPostState("bac-kan/ba-be/sscd", true, "Trực SSCĐ", DutyKind.CombatReadiness, "bac-kan/ba-be", 4, 24, true, "Trực ban A", 3,
            at, at.AddHours(2), at.AddHours(1), ["sat-lo"], ["sat-lo", "chay-rung"]));
        AssertSame(new ExerciseState("bac-kan/ba-be/kvpt", ExerciseStatus.Completed, "Diễn tập KVPT", ExerciseLevel.District, ExerciseKind.DefensiveZone,
            "bac-kan/ba-be", ["bac-kan/ba-be/cho-ra", "bac-kan/ba-be/khang-ninh"], at, at.AddDays(10), Grade.Good));
    }

    private sealed record Before(string Name, int Count);

    private sealed record SameMembers(string Name, int Count);

    private sealed record Added(string Name, int Count, bool Flag);

    private sealed record Retyped(string Name, long Count);

    [Fact]
    public void A_member_added_or_retyped_changes_the_shape_and_the_same_members_keep_it()
    {
        Assert.Equal(SnapshotShape.Of(typeof(Before)), SnapshotShape.Of(typeof(SameMembers)));
        Assert.NotEqual(SnapshotShape.Of(typeof(Before)), SnapshotShape.Of(typeof(Added)));
        Assert.NotEqual(SnapshotShape.Of(typeof(Before)), SnapshotShape.Of(typeof(Retyped)));
        Assert.NotEqual(SnapshotShape.Of(typeof(UnitState)), SnapshotShape.Of(typeof(DutyPostState)));
    }

    [Fact]
    public void Command_ids_packed_as_digests_unpack_to_the_versions_they_reached_and_no_other_id_matches()
    {
        var ids = Enumerable.Range(1, 2_000).Select(i => ($"cmd-{i}", (long)i)).ToList();

        var back = CommandDigests.Unpack(CommandDigests.Pack(ids.Select(c => KeyValuePair.Create(CommandDigests.Of(c.Item1), c.Item2))));

        Assert.Equal(ids.Count, back.Count);
        Assert.All(ids, c => Assert.Equal(c.Item2, back[CommandDigests.Of(c.Item1)]));
        Assert.False(back.ContainsKey(CommandDigests.Of("cmd-2001")));
        Assert.False(back.ContainsKey(CommandDigests.Of("CMD-1")));
        Assert.Empty(CommandDigests.Unpack(CommandDigests.Pack([])));
    }

    [Theory]
    [InlineData("fc98c952e6463984910aec3e2044175754b3248c576657603e3cd19020b87a15")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000001")]
    [InlineData("")]
    [InlineData("FC98C952E6463984910AEC3E2044175754B3248C576657603E3CD19020B87A15")]
    [InlineData("not a hash at all")]
    [InlineData("fc98c952e6463984910aec3e2044175754b3248c576657603e3cd19020b87a1")]
    public void A_chain_link_kept_by_a_grain_gives_back_exactly_the_text_it_was_made_of(string link)
    {
        Assert.Equal(link, ChainLink.Of(link).ToString());
    }

    [Fact]
    public void A_chain_link_never_set_is_the_genesis()
    {
        Assert.Equal(Readiness.Domain.Integrity.EventChain.Genesis, default(ChainLink).ToString());
    }
}
