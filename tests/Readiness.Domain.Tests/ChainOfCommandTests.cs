using Readiness.Contracts;

namespace Readiness.Domain.Tests;

/// <summary>The chain of command at a moment, and the rules of changing it.</summary>
public class ChainOfCommandTests
{
    private static readonly DateTimeOffset Founded = new(2020, 1, 1, 0, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset Reform = new(2025, 7, 1, 0, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset Before = Reform.AddDays(-1);
    private const string Order = "2786/QĐ-BQP";

    private static UnitRegistered Registered(string id, Echelon echelon, string? parent, DateTimeOffset? at = null) =>
        new(id, id, echelon, parent, 10, at ?? Founded);

    // Two provinces; Bắc Kạn with district Ba Bể and its communes Chợ Rã and Nam Mẫu.
    private static readonly ChainOfCommand Old = ChainOfCommand.From(
    [
        Registered("bac-kan", Echelon.Province, null),
        Registered("bac-kan/ba-be", Echelon.District, "bac-kan"),
        Registered("bac-kan/ba-be/cho-ra", Echelon.Commune, "bac-kan/ba-be"),
        Registered("bac-kan/ba-be/nam-mau", Echelon.Commune, "bac-kan/ba-be"),
        Registered("thai-nguyen", Echelon.Province, null),
        Registered("kv-cho-ra", Echelon.RegionalDefence, "thai-nguyen", Reform),
        Registered("xa-cho-ra", Echelon.Commune, "kv-cho-ra", Reform),
    ]);

    private static Reorganise TheReform() => new("reform-1", Order, Reform,
    [
        new(ReorganisationAction.Dissolve, "bac-kan/ba-be/cho-ra", SuccessorId: "xa-cho-ra"),
        new(ReorganisationAction.Dissolve, "bac-kan/ba-be/nam-mau", SuccessorId: "xa-cho-ra"),
        new(ReorganisationAction.Dissolve, "bac-kan/ba-be", SuccessorId: "kv-cho-ra"),
        new(ReorganisationAction.Dissolve, "bac-kan", SuccessorId: "thai-nguyen"),
    ]);

    private static ChainOfCommand Reformed()
    {
        var decision = ReorganisationRules.Decide(Old, TheReform(), Now);
        Assert.Null(decision.Rejection);
        return Old.With(decision.Events);
    }

    [Fact]
    public void A_unit_moved_from_a_date_stands_under_its_old_parent_before_it_and_its_new_one_after()
    {
        var moved = ReorganisationRules.Decide(Old, new ResubordinateUnit("m-1", "bac-kan/ba-be/nam-mau", "kv-cho-ra", Order, Reform), Now);

        var tree = Old.With(moved.Events);

        Assert.Equal("bac-kan/ba-be", tree.ParentAt("bac-kan/ba-be/nam-mau", Before));
        Assert.Equal("kv-cho-ra", tree.ParentAt("bac-kan/ba-be/nam-mau", Reform));
        Assert.Equal("thai-nguyen", tree.ProvinceAt("bac-kan/ba-be/nam-mau", Now));
        Assert.Equal("bac-kan", tree.ProvinceAt("bac-kan/ba-be/nam-mau", Before));
        var periods = tree.Unit("bac-kan/ba-be/nam-mau")!.Periods;
        Assert.Equal(Reform, periods[0].Until);
        Assert.Equal((Reform, (DateTimeOffset?)null, Order), (periods[1].From, periods[1].Until, periods[1].Order));
    }

    [Fact]
    public void An_order_recorded_late_for_an_earlier_date_takes_its_place_in_time()
    {
        var later = new UnitRenamed("bac-kan/ba-be", "Ban CHQS huyện Ba Bể (2)", Echelon.District, Reform.AddDays(-10), "B", Now);
        var earlier = new UnitRenamed("bac-kan/ba-be", "Ban CHQS huyện Ba Bể (1)", Echelon.District, Reform.AddDays(-20), "A", Now);

        var tree = Old.With([later, earlier]);

        Assert.Equal("Ban CHQS huyện Ba Bể (1)", tree.At("bac-kan/ba-be", Reform.AddDays(-15))!.Name);
        Assert.Equal("Ban CHQS huyện Ba Bể (2)", tree.At("bac-kan/ba-be", Reform.AddDays(-5))!.Name);
        Assert.Equal("bac-kan/ba-be", tree.At("bac-kan/ba-be", Reform.AddDays(-25))!.Name);
    }

    [Fact]
    public void The_tree_before_the_reform_is_the_old_one_and_after_it_the_new_one()
    {
        var tree = Reformed();

        Assert.Equal(["bac-kan", "bac-kan/ba-be", "bac-kan/ba-be/cho-ra", "bac-kan/ba-be/nam-mau"], tree.SubtreeAt("bac-kan", Before).Select(u => u.UnitId));
        Assert.Empty(tree.SubtreeAt("bac-kan", Reform));
        Assert.Equal(["thai-nguyen", "kv-cho-ra", "xa-cho-ra"], tree.SubtreeAt("thai-nguyen", Now).Select(u => u.UnitId));
        Assert.Equal(["bac-kan/ba-be/cho-ra", "bac-kan/ba-be/nam-mau"], tree.PredecessorsOf("xa-cho-ra"));
        Assert.Equal(["bac-kan"], tree.PredecessorsOf("thai-nguyen"));
    }

    [Fact]
    public void The_tree_changes_next_at_the_reform_and_after_the_last_change_never()
    {
        var tree = Reformed();

        Assert.Equal(Reform, tree.NextChangeAfter(Before));
        Assert.Null(tree.NextChangeAfter(Now));
    }

    [Fact]
    public void A_successor_covers_its_predecessors_history_and_a_dissolved_command_its_own_up_to_its_dissolution()
    {
        var tree = Reformed();

        Assert.True(tree.Covers("thai-nguyen", "bac-kan/ba-be/cho-ra", Before));
        Assert.True(tree.Covers("xa-cho-ra", "bac-kan/ba-be/nam-mau", Before));
        Assert.True(tree.Covers("bac-kan/ba-be", "bac-kan/ba-be/cho-ra", Before));
        Assert.True(tree.Covers("bac-kan/ba-be", "bac-kan/ba-be/cho-ra", Now), "a dissolved unit is judged where it last stood");
        Assert.False(tree.Covers("bac-kan/ba-be", "xa-cho-ra", Now), "the dissolved district does not read its successor's new units");
        Assert.False(tree.Covers("bac-kan", "kv-cho-ra", Now));
        Assert.False(tree.Covers("xa-cho-ra", "bac-kan/ba-be", Before), "a commune's successor does not read the district above its predecessors");
    }

    [Fact]
    public void A_unit_moved_away_is_no_longer_covered_by_its_old_command_after_the_move()
    {
        var moved = Old.With(ReorganisationRules.Decide(Old, new ResubordinateUnit("m-1", "bac-kan/ba-be/nam-mau", "kv-cho-ra", Order, Reform), Now).Events);

        Assert.True(moved.Covers("bac-kan/ba-be", "bac-kan/ba-be/nam-mau", Before));
        Assert.False(moved.Covers("bac-kan/ba-be", "bac-kan/ba-be/nam-mau", Now));
        Assert.True(moved.Covers("thai-nguyen", "bac-kan/ba-be/nam-mau", Now));
        Assert.False(moved.Covers("thai-nguyen", "bac-kan/ba-be/nam-mau", Before));
    }

    [Fact]
    public void An_order_is_judged_where_each_unit_it_names_exists_so_a_successor_formed_that_day_is_within_its_province()
    {
        Assert.Null(Old.OutsideOrder(["thai-nguyen"], ["xa-cho-ra", "kv-cho-ra"], Reform));
        Assert.Equal("bac-kan/ba-be/cho-ra", Old.OutsideOrder(["thai-nguyen"], ["xa-cho-ra", "bac-kan/ba-be/cho-ra"], Reform));
        Assert.Equal("xa-cho-ra", Old.OutsideOrder(["bac-kan"], ["bac-kan/ba-be/cho-ra", "xa-cho-ra"], Reform));
        Assert.Null(Old.OutsideOrder(["bac-kan", "thai-nguyen"], ["bac-kan/ba-be/cho-ra", "xa-cho-ra"], Reform));
    }

    [Fact]
    public void Dissolving_a_unit_that_still_commands_units_is_refused_naming_them()
    {
        var decision = ReorganisationRules.Decide(Old, new DissolveUnit("d-1", "bac-kan/ba-be", Order, Reform, SuccessorId: "kv-cho-ra"), Now);

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Contains("'bac-kan/ba-be/cho-ra'", decision.Rejection!.Message, StringComparison.Ordinal);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_move_that_makes_a_cycle_is_refused()
    {
        var decision = ReorganisationRules.Decide(Old, new ResubordinateUnit("m-1", "bac-kan/ba-be", "bac-kan/ba-be/cho-ra", Order, Reform), Now);

        Assert.NotNull(decision.Rejection);
        Assert.Contains("cycle", decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_placed_under_a_dissolved_unit()
    {
        var tree = Reformed();

        var decision = ReorganisationRules.Decide(tree, new ResubordinateUnit("m-2", "xa-cho-ra", "bac-kan/ba-be", Order, Now.AddDays(-1)), Now);

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Contains("dissolved", decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_effective_date_before_the_unit_existed_or_beyond_the_horizon_is_refused()
    {
        var early = ReorganisationRules.Decide(Old, new RenameUnit("r-1", "xa-cho-ra", "Ban CHQS xã Chợ Rã", Order, Reform.AddDays(-1)), Now);
        var far = ReorganisationRules.Decide(Old, new RenameUnit("r-2", "xa-cho-ra", "Ban CHQS xã Chợ Rã", Order, Now + ReorganisationRules.Horizon + TimeSpan.FromDays(1)), Now);
        var near = ReorganisationRules.Decide(Old, new RenameUnit("r-3", "xa-cho-ra", "Ban CHQS xã Chợ Rã", Order, Now.AddDays(30)), Now);

        Assert.Contains("before unit 'xa-cho-ra' existed", early.Rejection!.Message, StringComparison.Ordinal);
        Assert.Contains("days ahead", far.Rejection!.Message, StringComparison.Ordinal);
        Assert.Null(near.Rejection);
    }

    [Fact]
    public void Merging_units_dissolves_each_into_the_successor()
    {
        var decision = ReorganisationRules.Decide(Old,
            new MergeUnits("g-1", ["bac-kan/ba-be/cho-ra", "bac-kan/ba-be/nam-mau"], "xa-cho-ra", Order, Reform), Now);

        Assert.All(decision.Events, e => Assert.Equal("xa-cho-ra", Assert.IsType<UnitDissolved>(e).SuccessorId));
        Assert.Equal(2, decision.Events.Count);
    }

    [Fact]
    public void An_unknown_unit_or_a_successor_that_is_itself_dissolved_is_refused()
    {
        var unknown = ReorganisationRules.Decide(Old, new DissolveUnit("d-1", "bac-kan/nowhere", Order, Reform), Now);
        var chained = ReorganisationRules.Decide(Reformed(), new DissolveUnit("d-2", "kv-cho-ra", Order, Now.AddDays(-1), SuccessorId: "bac-kan"), Now);

        Assert.Equal(RejectionKind.NotFound, unknown.Rejection?.Kind);
        Assert.Contains("register it first", unknown.Rejection!.Message, StringComparison.Ordinal);
        Assert.NotNull(chained.Rejection);
    }

    [Fact]
    public void A_re_designation_the_parent_may_not_command_is_refused()
    {
        var decision = ReorganisationRules.Decide(Old, new RenameUnit("r-1", "bac-kan/ba-be/cho-ra", "Ban CHPT khu vực", Order, Reform, Echelon.RegionalDefence), Now);

        Assert.NotNull(decision.Rejection);
        Assert.Contains("cannot command", decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_one_unit_twice_in_one_order_is_refused()
    {
        var decision = ReorganisationRules.Decide(Old, new Reorganise("o-1", Order, Reform,
        [
            new(ReorganisationAction.Resubordinate, "bac-kan/ba-be/nam-mau", ParentId: "kv-cho-ra"),
            new(ReorganisationAction.Dissolve, "bac-kan/ba-be/nam-mau"),
        ]), Now);

        Assert.Contains("changed twice", decision.Rejection!.Message, StringComparison.Ordinal);
    }
}
