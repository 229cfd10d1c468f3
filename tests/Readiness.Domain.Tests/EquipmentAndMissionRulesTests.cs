using Readiness.Contracts;
using Readiness.Store.Projections;

namespace Readiness.Domain.Tests;

/// <summary>The equipment and mission commands: what each records and what each refuses, and how the stock folds.</summary>
public class EquipmentAndMissionRulesTests
{
    private const string Unit = "bac-kan/ba-be/dbdv";
    private const string Other = "bac-kan/ba-be/cho-ra/dan-quan";
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset Founded = new(2020, 1, 2, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly UnitProfile Receiver = new(Other, "Trung đội dân quân", Echelon.ForceUnit, "bac-kan/ba-be/cho-ra", 31, 30, 3, Founded);

    private static UnitState Registered() => UnitState.Initial(Unit) with
    {
        Registered = true, Name = "Đại đội DBĐV", Echelon = Echelon.ForceUnit, ParentId = "bac-kan/ba-be", RegisteredAt = Founded, AuthorisedStrength = 120,
    };

    /// <summary>A unit holding 20 weapons, 2 under repair and 1 unserviceable, of 24 authorised.</summary>
    private static UnitState Armed() => new object[]
    {
        new EquipmentAllotted(Unit, EquipmentCategory.Weapons, 24, "Biên chế", Founded),
        new EquipmentReceived(Unit, EquipmentCategory.Weapons, 20, "Cấp phát", Founded),
        new EquipmentConditionReported(Unit, EquipmentCategory.Weapons, 17, 2, 1, Founded),
    }.Aggregate(Registered(), UnitRules.Evolve);

    private static Decision Decide(UnitState state, IUnitCommand command) => UnitRules.Decide(state, command, Now);

    private static Rejection Refused(Decision decision, RejectionKind kind)
    {
        Assert.Empty(decision.Events);
        Assert.Equal(kind, decision.Rejection?.Kind);
        return decision.Rejection!;
    }

    [Fact]
    public void Allotting_receiving_and_reporting_condition_fold_into_the_stock()
    {
        Assert.Equal(new EquipmentStock(24, 20, 17, 2, 1), Armed().Equipment[EquipmentCategory.Weapons]);
    }

    [Fact]
    public void Received_items_count_as_serviceable()
    {
        var state = UnitRules.Evolve(Armed(), Assert.Single(Decide(Armed(), new ReceiveEquipment("c", Unit, EquipmentCategory.Weapons, 4, "Quân khu cấp")).Events));

        Assert.Equal(new EquipmentStock(24, 24, 21, 2, 1), state.Equipment[EquipmentCategory.Weapons]);
    }

    [Fact]
    public void Writing_off_takes_the_unserviceable_first_and_a_transfer_the_serviceable_first()
    {
        var stock = new EquipmentStock(24, 20, 17, 2, 1);

        Assert.Equal(new EquipmentStock(24, 18, 17, 1, 0), stock.Removed(2, writtenOff: true));
        Assert.Equal(new EquipmentStock(24, 15, 12, 2, 1), stock.Removed(5, writtenOff: false));
        Assert.Equal(new EquipmentStock(24, 0, 0, 0, 0), stock.Removed(20, writtenOff: true));
    }

    [Fact]
    public void A_provinces_total_adds_every_count_so_the_conditions_still_add_up_to_what_is_on_hand()
    {
        var total = EquipmentStock.Total([new EquipmentStock(24, 20, 17, 2, 1), new EquipmentStock(10, 4, 0, 1, 3), EquipmentStock.None]);

        Assert.Equal(new EquipmentStock(34, 24, 17, 3, 4), total);
        Assert.Equal(total.OnHand, total.Serviceable + total.UnderRepair + total.Unserviceable);
        Assert.Equal(EquipmentStock.None, EquipmentStock.Total([]));
    }

    [Fact]
    public void Nothing_can_be_written_off_or_transferred_beyond_what_is_on_hand()
    {
        Assert.Contains("20", Refused(Decide(Armed(), new WriteOffEquipment("c", Unit, EquipmentCategory.Weapons, 21, "Hỏng")), RejectionKind.Invalid).Message, StringComparison.Ordinal);
        Refused(Decide(Armed(), new WriteOffEquipment("c", Unit, EquipmentCategory.Vehicles, 1, "Hỏng")), RejectionKind.Invalid);
        Refused(UnitRules.Decide(Armed(), new TransferEquipment("c", Unit, EquipmentCategory.Weapons, 21, Other), Receiver, Now), RejectionKind.Invalid);
        Assert.IsType<EquipmentWrittenOff>(Assert.Single(Decide(Armed(), new WriteOffEquipment("c", Unit, EquipmentCategory.Weapons, 20, "Hết niên hạn")).Events));
    }

    [Fact]
    public void A_transfer_needs_a_registered_receiver_other_than_the_unit_that_existed_at_the_time()
    {
        var transfer = new TransferEquipment("c", Unit, EquipmentCategory.Weapons, 5, Other, Now);

        var moved = Assert.IsType<EquipmentTransferred>(Assert.Single(UnitRules.Decide(Armed(), transfer, Receiver, Now).Events));
        Assert.Equal(Other, moved.ToUnitId);
        Refused(UnitRules.Decide(Armed(), transfer, null, Now), RejectionKind.NotFound);
        Refused(UnitRules.Decide(Armed(), transfer with { ToUnitId = Unit }, Receiver with { UnitId = Unit }, Now), RejectionKind.Invalid);
        Refused(UnitRules.Decide(Armed(), transfer with { ToUnitId = "Bac Kan!" }, null, Now), RejectionKind.Invalid);
        Refused(UnitRules.Decide(Armed(), transfer, Receiver with { RegisteredAt = Now.AddDays(1) }, Now), RejectionKind.Invalid);
        Assert.Throws<ArgumentException>(() => Decide(Armed(), transfer));
    }

    [Theory]
    [InlineData(17, 2, 1, true)]
    [InlineData(20, 0, 0, true)]
    [InlineData(17, 2, 0, false)]
    [InlineData(18, 2, 1, false)]
    [InlineData(-1, 20, 1, false)]
    public void Condition_counts_must_add_up_to_what_is_on_hand(int serviceable, int underRepair, int unserviceable, bool accepted)
    {
        var decision = Decide(Armed(), new ReportEquipmentCondition("c", Unit, EquipmentCategory.Weapons, serviceable, underRepair, unserviceable));

        Assert.Equal(accepted, decision.Rejection is null);
    }

    [Fact]
    public void Counts_must_be_plausible_and_categories_must_exist()
    {
        Refused(Decide(Armed(), new AllotEquipment("c", Unit, EquipmentCategory.Weapons, -1, "Biên chế")), RejectionKind.Invalid);
        Refused(Decide(Armed(), new AllotEquipment("c", Unit, (EquipmentCategory)9, 10, "Biên chế")), RejectionKind.Invalid);
        Refused(Decide(Armed(), new AllotEquipment("c", Unit, EquipmentCategory.Weapons, 10, " ")), RejectionKind.Invalid);
        Refused(Decide(Armed(), new ReceiveEquipment("c", Unit, EquipmentCategory.Weapons, 0, "Cấp phát")), RejectionKind.Invalid);
        Refused(Decide(Armed(), new ReceiveEquipment("c", Unit, EquipmentCategory.Weapons, EquipmentRules.MaxQuantity, "Cấp phát")), RejectionKind.Invalid);
        Refused(Decide(Armed(), new ReceiveEquipment("c", Unit, EquipmentCategory.Weapons, 1, "")), RejectionKind.Invalid);
        Assert.IsType<EquipmentAllotted>(Assert.Single(Decide(Armed(), new AllotEquipment("c", Unit, EquipmentCategory.Weapons, 0, "Bỏ biên chế")).Events));
        Refused(Decide(UnitState.Initial(Unit), new AllotEquipment("c", Unit, EquipmentCategory.Weapons, 1, "Biên chế")), RejectionKind.NotFound);
    }

    [Fact]
    public void A_mission_is_assigned_once_assessed_only_while_assigned_and_unassigned_only_when_assigned()
    {
        var state = Registered();
        Refused(Decide(state, new AssessMission("c", Unit, Mission.Mobilisation, MissionAnswer.Yes, "Đủ", "Chỉ huy")), RejectionKind.Conflict);
        Refused(Decide(state, new UnassignMission("c", Unit, Mission.Mobilisation, "Điều chỉnh")), RejectionKind.Conflict);

        state = UnitRules.Evolve(state, Assert.Single(Decide(state, new AssignMission("c", Unit, Mission.Mobilisation)).Events));
        Refused(Decide(state, new AssignMission("c", Unit, Mission.Mobilisation)), RejectionKind.Conflict);
        var assessed = Assert.IsType<MissionAssessed>(Assert.Single(Decide(state, new AssessMission("c", Unit, Mission.Mobilisation, MissionAnswer.Qualified, " Thiếu xe ", "Chỉ huy")).Events));
        Assert.Equal("Thiếu xe", assessed.Reason);
        Refused(Decide(state, new AssessMission("c", Unit, Mission.Mobilisation, MissionAnswer.No, "", "Chỉ huy")), RejectionKind.Invalid);
        Refused(Decide(state, new AssessMission("c", Unit, Mission.Mobilisation, (MissionAnswer)7, "Lý do", "Chỉ huy")), RejectionKind.Invalid);
        Refused(Decide(state, new AssignMission("c", Unit, (Mission)7)), RejectionKind.Invalid);

        state = UnitRules.Evolve(state, Assert.Single(Decide(state, new UnassignMission("c", Unit, Mission.Mobilisation, "Điều chỉnh")).Events));
        Assert.Empty(state.Missions);
    }
}

/// <summary>The two equipment areas, their evidence, and the flags that contradict a commander's answer for a mission.</summary>
public class EquipmentRatingTests
{
    private const string Unit = "bac-kan/ba-be";
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly ReadinessPolicy Policy = ReadinessPolicy.Default;

    private static UnitRecord Record(int standing, params object[] more)
    {
        var record = new UnitRecord { Id = Unit };
        var events = new object[]
        {
            new UnitRegistered(Unit, "Ban CHQS huyện Ba Bể", Echelon.District, "bac-kan", 20, Now.AddYears(-3)),
            new MembersJoined(Unit, ForceType.Standing, standing, Now.AddYears(-3)),
        }.Concat(Enumerable.Range(1, 4).Select(n => (object)new TrainingCompleted(Unit, $"Bài {n}", 10, Grade.Good, Now.AddDays(-n * 20)))).Concat(more);
        var version = 0;
        foreach (var e in events)
        {
            record.Record(e, ++version, Now);
        }
        return record;
    }

    private static object[] Held(EquipmentCategory category, int authorised, int onHand, int underRepair = 0, int unserviceable = 0) =>
    [
        new EquipmentAllotted(Unit, category, authorised, "Biên chế", Now.AddDays(-100)),
        new EquipmentReceived(Unit, category, onHand, "Cấp phát", Now.AddDays(-90)),
        new EquipmentConditionReported(Unit, category, onHand - underRepair - unserviceable, underRepair, unserviceable, Now.AddDays(-10)),
    ];

    [Fact]
    public void A_unit_authorised_no_equipment_has_neither_equipment_area()
    {
        var rating = ReadinessRating.Rate(Record(20), [], Policy, Now);

        Assert.Null(rating.Areas.Single(a => a.Area == ReadinessArea.EquipmentOnHand).Level);
        Assert.Null(rating.Areas.Single(a => a.Area == ReadinessArea.EquipmentServiceable).Level);
        Assert.Equal(ReadinessArea.Personnel, rating.SetBy);
    }

    [Theory]
    [InlineData(100, ReadinessLevel.R1)]
    [InlineData(90, ReadinessLevel.R1)]
    [InlineData(89, ReadinessLevel.R2)]
    [InlineData(80, ReadinessLevel.R2)]
    [InlineData(65, ReadinessLevel.R3)]
    [InlineData(64, ReadinessLevel.R4)]
    public void On_hand_is_rated_on_the_worst_authorised_category(int weaponsOnHand, ReadinessLevel expected)
    {
        var unit = Record(20, [.. Held(EquipmentCategory.Weapons, 100, weaponsOnHand), .. Held(EquipmentCategory.Communications, 10, 10)]);

        var area = ReadinessRating.EquipmentOnHand(unit, Policy);

        Assert.Equal(expected, area.Level);
        Assert.Equal(weaponsOnHand / 100.0, area.Measure);
        Assert.Contains($"Weapons: {weaponsOnHand} of 100 authorised", area.Explanation, StringComparison.Ordinal);
        Assert.Equal(6, area.Evidence.Count);
        Assert.Contains(area.Evidence, e => e.Event == nameof(EquipmentReceived) && e.StreamId == Unit);
    }

    [Theory]
    [InlineData(0, 0, ReadinessLevel.R1)]
    [InlineData(5, 5, ReadinessLevel.R1)]
    [InlineData(10, 5, ReadinessLevel.R2)]
    [InlineData(20, 20, ReadinessLevel.R3)]
    [InlineData(30, 20, ReadinessLevel.R4)]
    public void Serviceable_is_rated_on_the_worst_category_held(int underRepair, int unserviceable, ReadinessLevel expected)
    {
        var unit = Record(20, [.. Held(EquipmentCategory.Vehicles, 100, 100, underRepair, unserviceable), .. Held(EquipmentCategory.Weapons, 10, 10)]);

        var area = ReadinessRating.EquipmentServiceable(unit, Policy);

        Assert.Equal(expected, area.Level);
        if (underRepair + unserviceable > 0)
        {
            Assert.Contains($"Vehicles: {100 - underRepair - unserviceable} of 100 on hand serviceable", area.Explanation, StringComparison.Ordinal);
        }
        Assert.Contains(area.Evidence, e => e.Event == nameof(EquipmentConditionReported));
    }

    [Fact]
    public void Equipment_can_set_the_overall_level_and_a_commanders_assessment_still_overrides_it()
    {
        var unit = Record(20, Held(EquipmentCategory.Weapons, 100, 60));

        var rating = ReadinessRating.Rate(unit, [], Policy, Now);
        Assert.Equal(ReadinessLevel.R4, rating.Level);
        Assert.Equal(ReadinessArea.EquipmentOnHand, rating.SetBy);

        unit.Record(new ReadinessAssessed(Unit, ReadinessLevel.R2, "Vũ khí đang được bổ sung", "Chỉ huy trưởng", Now), unit.Version + 1, Now);
        Assert.Equal(ReadinessLevel.R2, ReadinessRating.Rate(unit, [], Policy, Now).Level);
    }

    [Fact]
    public void Nothing_on_hand_leaves_serviceability_unrated_while_on_hand_is_R4()
    {
        var unit = Record(20, new EquipmentAllotted(Unit, EquipmentCategory.Vehicles, 2, "Biên chế", Now.AddDays(-5)));

        Assert.Equal(ReadinessLevel.R4, ReadinessRating.EquipmentOnHand(unit, Policy).Level);
        Assert.Null(ReadinessRating.EquipmentServiceable(unit, Policy).Level);
    }

    [Fact]
    public void Thresholds_come_from_the_policy()
    {
        var unit = Record(20, Held(EquipmentCategory.Weapons, 100, 70, 0, 7));
        var lenient = Policy with { EquipmentOnHandThresholds = [0.7, 0.5, 0.3], EquipmentServiceableThresholds = [0.9, 0.8, 0.7] };

        Assert.Equal(ReadinessLevel.R1, ReadinessRating.EquipmentOnHand(unit, lenient).Level);
        Assert.Equal(ReadinessLevel.R1, ReadinessRating.EquipmentServiceable(unit, lenient).Level);
        Assert.Equal(ReadinessLevel.R3, ReadinessRating.EquipmentOnHand(unit, Policy).Level);
    }

    private static IReadOnlyList<MissionFlag> Flags(UnitRecord unit) =>
        ReadinessRating.MissionFlags(unit, ReadinessRating.Rate(unit, [], Policy, Now), []);

    private static object[] Answered(Mission mission, MissionAnswer answer) =>
        [new MissionAssigned(Unit, mission, Now.AddDays(-30)), new MissionAssessed(Unit, mission, answer, "Sẵn sàng", "Chỉ huy trưởng", Now.AddDays(-1))];

    [Fact]
    public void Yes_for_rescue_is_flagged_when_rescue_equipment_is_unserviceable_short_or_missing()
    {
        Assert.Empty(Flags(Record(20, [.. Held(EquipmentCategory.RescueEquipment, 10, 10, 1, 0), .. Answered(Mission.SearchAndRescue, MissionAnswer.Yes)])));

        var broken = Assert.Single(Flags(Record(20, [.. Held(EquipmentCategory.RescueEquipment, 10, 10, 0, 1), .. Answered(Mission.SearchAndRescue, MissionAnswer.Yes)])));
        Assert.Equal(Mission.SearchAndRescue, broken.Mission);
        Assert.Contains("1 unserviceable", broken.Problem, StringComparison.Ordinal);
        Assert.Contains(broken.Evidence, e => e.Event == nameof(EquipmentConditionReported));

        Assert.Single(Flags(Record(20, [.. Held(EquipmentCategory.RescueEquipment, 10, 8), .. Answered(Mission.SearchAndRescue, MissionAnswer.Qualified)])));
        Assert.Contains("no rescue equipment", Assert.Single(Flags(Record(20, Answered(Mission.SearchAndRescue, MissionAnswer.Yes)))).Problem, StringComparison.Ordinal);
        Assert.Empty(Flags(Record(20, Answered(Mission.SearchAndRescue, MissionAnswer.No))));
    }

    [Fact]
    public void Yes_for_combat_duty_or_mobilisation_is_flagged_when_personnel_is_R3_or_worse()
    {
        var ready = Record(18, [.. Answered(Mission.CombatReadinessDuty, MissionAnswer.Yes), .. Answered(Mission.Mobilisation, MissionAnswer.Yes)]);
        var short_ = Record(14, [.. Answered(Mission.CombatReadinessDuty, MissionAnswer.Yes), .. Answered(Mission.Mobilisation, MissionAnswer.Yes)]);

        Assert.Empty(Flags(ready));
        var flags = Flags(short_);
        Assert.Equal([Mission.CombatReadinessDuty, Mission.Mobilisation], flags.Select(f => f.Mission));
        Assert.All(flags, f => Assert.Contains("personnel is at R3", f.Problem, StringComparison.Ordinal));
        Assert.All(flags, f => Assert.NotEmpty(f.Evidence));
    }

    [Fact]
    public void An_unassigned_mission_is_gone_from_the_view()
    {
        var unit = Record(20, [.. Answered(Mission.Mobilisation, MissionAnswer.Yes), new MissionUnassigned(Unit, Mission.Mobilisation, "Điều chỉnh", Now)]);

        Assert.Empty(ReadinessRating.View(unit, [], Policy, Now).Missions);
    }
}
