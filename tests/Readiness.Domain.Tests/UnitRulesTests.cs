using Readiness.Contracts;

namespace Readiness.Domain.Tests;

public class UnitRulesTests
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly ParentFacts District = new("bac-kan/ba-be", Echelon.District, Now.AddYears(-3), "bac-kan");

    private const string Unit = "bac-kan/ba-be/chu-huong";

    private static RegisterUnit Register(Echelon echelon = Echelon.Commune, int authorised = 12, string? parentId = null, DateTimeOffset? at = null) =>
        new("c-1", Unit, "Ban CHQS xã Chu Hương", echelon, parentId, authorised, at);

    private static UnitState Registered(int authorised = 10, int standing = 0) =>
        UnitState.Initial(Unit) with
        {
            Registered = true, Name = "Ban CHQS xã Chu Hương", Echelon = Echelon.Commune, ParentId = "bac-kan/ba-be",
            RegisteredAt = Now.AddYears(-2), AuthorisedStrength = authorised, Standing = standing,
        };

    [Fact]
    public void Registering_a_commune_under_its_district_records_the_parent_read_from_its_id()
    {
        var decision = UnitRules.Decide(UnitState.Initial("bac-kan/ba-be/chu-huong"), Register(), District, Now);

        Assert.Null(decision.Rejection);
        var registered = Assert.IsType<UnitRegistered>(Assert.Single(decision.Events));
        Assert.Equal("bac-kan/ba-be", registered.ParentId);
        Assert.Equal(12, registered.AuthorisedStrength);
        Assert.Equal(Now, registered.OccurredAt);
    }

    [Fact]
    public void A_province_registers_without_a_parent()
    {
        var decision = UnitRules.Decide(UnitState.Initial("bac-kan"), Register(Echelon.Province) with { UnitId = "bac-kan" }, null, Now);

        var registered = Assert.IsType<UnitRegistered>(Assert.Single(decision.Events));
        Assert.Null(registered.ParentId);
    }

    [Fact]
    public void Registering_twice_is_a_conflict()
    {
        var decision = UnitRules.Decide(Registered(), Register(), District, Now);

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_missing_parent_is_reported_as_not_found_and_named()
    {
        var decision = UnitRules.Decide(UnitState.Initial("bac-kan/ba-be/chu-huong"), Register(), parent: null, Now);

        Assert.Equal(RejectionKind.NotFound, decision.Rejection?.Kind);
        Assert.Contains("bac-kan/ba-be", decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Echelon.Commune, Echelon.Commune)]
    [InlineData(Echelon.Commune, Echelon.District)]
    [InlineData(Echelon.Commune, Echelon.RegionalDefence)]
    [InlineData(Echelon.District, Echelon.RegionalDefence)]
    [InlineData(Echelon.RegionalDefence, Echelon.District)]
    public void A_unit_cannot_stand_under_the_wrong_echelon(Echelon parentEchelon, Echelon childEchelon)
    {
        var decision = UnitRules.Decide(
            UnitState.Initial("bac-kan/ba-be/chu-huong"), Register(childEchelon), new ParentFacts("bac-kan/ba-be", parentEchelon, Now.AddYears(-3), "bac-kan"), Now);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(UnitRules.MaxStrength + 1)]
    public void Authorised_strength_must_be_positive_and_plausible(int authorised)
    {
        var decision = UnitRules.Decide(UnitState.Initial("bac-kan/ba-be/chu-huong"), Register(authorised: authorised), District, Now);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.Contains(authorised.ToString(System.Globalization.CultureInfo.InvariantCulture), decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parent_named_by_the_registration_is_recorded_whatever_the_id_says()
    {
        var naRi = new ParentFacts("bac-kan/na-ri", Echelon.District, Now.AddYears(-3), "bac-kan");

        var decision = UnitRules.Decide(UnitState.Initial("bac-kan/ba-be/chu-huong"), Register(parentId: "bac-kan/na-ri"), naRi, Now);

        Assert.Equal("bac-kan/na-ri", Assert.IsType<UnitRegistered>(Assert.Single(decision.Events)).ParentId);
    }

    [Theory]
    [InlineData("xa-moi")]
    [InlineData("bac-kan/ba-be/xa-moi")]
    public void A_new_units_id_begins_with_the_province_its_parent_stands_under_then_and_the_refusal_says_so(string unitId)
    {
        // Ba Bể's commune Chợ Rã, moved under Thái Nguyên's regional command: a unit registered under it is Thái Nguyên's.
        var choRa = new ParentFacts("bac-kan/ba-be/cho-ra", Echelon.Commune, Now.AddYears(-3), "thai-nguyen");

        var refused = UnitRules.Decide(UnitState.Initial(unitId), Register(Echelon.ForceUnit, parentId: choRa.UnitId) with { UnitId = unitId }, choRa, Now);
        var accepted = UnitRules.Decide(UnitState.Initial("thai-nguyen/cho-ra-dan-quan"),
            Register(Echelon.ForceUnit, parentId: choRa.UnitId) with { UnitId = "thai-nguyen/cho-ra-dan-quan" }, choRa, Now);

        Assert.Equal(RejectionKind.Invalid, refused.Rejection?.Kind);
        Assert.Contains("'thai-nguyen/…'", refused.Rejection!.Message, StringComparison.Ordinal);
        Assert.Equal("bac-kan/ba-be/cho-ra", Assert.IsType<UnitRegistered>(Assert.Single(accepted.Events)).ParentId);
    }

    [Fact]
    public void Nothing_is_registered_under_a_dissolved_unit_and_the_refusal_names_its_successor()
    {
        var dissolved = District with { DissolvedAt = Now.AddDays(-10), SuccessorId = "thai-nguyen/kv-1" };

        var decision = UnitRules.Decide(UnitState.Initial(Unit), Register(at: Now.AddDays(-30)), dissolved, Now);

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Contains("thai-nguyen/kv-1", decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dissolved_unit_refuses_reports_dated_after_its_dissolution_and_takes_late_ones_dated_before()
    {
        var dissolution = new Dissolution(Now.AddDays(-10), "2786/QĐ-BQP", "thai-nguyen/cho-ra");
        var after = new RecordTraining("c-after", Unit, "Bắn súng", 12, Grade.Good, Now.AddDays(-9));
        var before = after with { CommandId = "c-before", OccurredAt = Now.AddDays(-11) };

        var refused = UnitRules.Decide(Registered(), after, Now, dissolution);
        var accepted = UnitRules.Decide(Registered(), before, Now, dissolution);

        Assert.Equal(RejectionKind.Conflict, refused.Rejection?.Kind);
        Assert.Empty(refused.Events);
        Assert.Contains("successor 'thai-nguyen/cho-ra'", refused.Rejection!.Message, StringComparison.Ordinal);
        Assert.Null(accepted.Rejection);
        Assert.IsType<TrainingCompleted>(Assert.Single(accepted.Events));
    }

    [Theory]
    [InlineData("Bac-Kan/ba-be")]
    [InlineData("bac-kan//ba-be")]
    [InlineData("bac kan")]
    [InlineData("bac-kan/ba-be/")]
    public void Malformed_unit_ids_are_refused(string unitId)
    {
        var decision = UnitRules.Decide(UnitState.Initial(unitId), Register() with { UnitId = unitId }, District, Now);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
    }

    [Fact]
    public void A_report_from_the_future_is_refused_but_clock_skew_is_tolerated()
    {
        var future = UnitRules.Decide(Registered(), new EnlistRecruits("c-2", Unit, 3, 2024, Now.AddHours(1)), Now);
        var skewed = UnitRules.Decide(Registered(), new EnlistRecruits("c-3", Unit, 3, 2024, Now.AddMinutes(2)), Now);

        Assert.Equal(RejectionKind.Invalid, future.Rejection?.Kind);
        Assert.Null(skewed.Rejection);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("1000-06-01T00:00:00Z")]
    [InlineData("1944-12-31T16:59:59Z")]
    public void A_unit_registered_before_1945_is_refused_with_the_date_to_fix(string at)
    {
        var decision = UnitRules.Decide(
            UnitState.Initial("bac-kan"), Register(Echelon.Province, at: DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture)) with { UnitId = "bac-kan" }, null, Now);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.Contains("1945-01-01", decision.Rejection!.Message, StringComparison.Ordinal);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void The_first_moment_of_1945_in_Vietnam_time_is_accepted()
    {
        var decision = UnitRules.Decide(UnitState.Initial("bac-kan"), Register(Echelon.Province, at: CommandTime.Earliest) with { UnitId = "bac-kan" }, null, Now);

        Assert.Null(decision.Rejection);
    }

    [Fact]
    public void A_unit_is_not_registered_before_its_parent_was()
    {
        var parent = District with { RegisteredAt = Now.AddYears(-1) };

        var before = UnitRules.Decide(UnitState.Initial(Unit), Register(at: parent.RegisteredAt.AddSeconds(-1)), parent, Now);
        var same = UnitRules.Decide(UnitState.Initial(Unit), Register(at: parent.RegisteredAt), parent, Now);

        Assert.Equal(RejectionKind.Invalid, before.Rejection?.Kind);
        Assert.Contains("before parent unit 'bac-kan/ba-be' was registered", before.Rejection!.Message, StringComparison.Ordinal);
        Assert.Null(same.Rejection);
    }

    [Fact]
    public void A_report_before_the_unit_was_registered_or_before_1945_is_refused()
    {
        var beforeUnit = UnitRules.Decide(Registered(), new EnlistRecruits("c-2", Unit, 3, 2024, Now.AddYears(-2).AddDays(-1)), Now);
        var year1000 = UnitRules.Decide(Registered() with { RegisteredAt = default }, new EnlistRecruits("c-3", Unit, 3, 2024, new DateTimeOffset(1000, 1, 1, 0, 0, 0, TimeSpan.Zero)), Now);

        Assert.Contains($"before unit '{Unit}' existed", beforeUnit.Rejection?.Message, StringComparison.Ordinal);
        Assert.Contains("earliest date", year1000.Rejection?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Enlisting_needs_at_least_one_recruit(int count)
    {
        var decision = UnitRules.Decide(Registered(), new EnlistRecruits("c-2", Unit, count, 2024, null), Now);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void Enlisting_into_an_unregistered_unit_is_not_found()
    {
        var decision = UnitRules.Decide(UnitState.Initial("bac-kan/nowhere"), new EnlistRecruits("c-2", "bac-kan/nowhere", 3, 2024, null), Now);

        Assert.Equal(RejectionKind.NotFound, decision.Rejection?.Kind);
    }

    [Fact]
    public void Enlisted_recruits_raise_actual_strength()
    {
        var state = Registered(standing: 4);
        var decision = UnitRules.Decide(state, new EnlistRecruits("c-2", Unit, 3, 2024, null), Now);

        var evolved = decision.Events.Aggregate(state, UnitRules.Evolve);

        Assert.Equal(7, evolved.ActualStrength);
    }

    [Fact]
    public void Evolving_the_registration_makes_the_unit_known()
    {
        var evolved = UnitRules.Evolve(UnitState.Initial("bac-kan/ba-be"),
            new UnitRegistered("bac-kan/ba-be", "Ban CHQS huyện Ba Bể", Echelon.District, "bac-kan", 24, Now));

        Assert.True(evolved.Registered);
        Assert.Equal(Echelon.District, evolved.Echelon);
        Assert.Equal(24, evolved.AuthorisedStrength);
    }
}
