using Readiness.Contracts;

namespace Readiness.Domain.Tests;

public class DutyPostRulesTests
{
    private const string Post = "bac-kan/ba-be/sscd";
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly UnitProfile Owner = new("bac-kan/ba-be", "Ban CHQS huyện Ba Bể", Echelon.District, "bac-kan", 24, 23, 2, Now.AddYears(-3));

    private static DutyPostState After(params object[] events) => events.Aggregate(DutyPostState.Initial(Post), DutyPostRules.Evolve);

    private static readonly DutyPostEstablished Established = new(Post, "Trực SSCĐ", DutyKind.CombatReadiness, "bac-kan/ba-be", 6, 24, Now.AddDays(-10));
    private static DutyShiftStarted Started(DateTimeOffset at) => new(Post, "Trực ban 1", 6, at);

    private static Decision Decide(DutyPostState state, IDutyPostCommand command) => DutyPostRules.Decide(state, command, Owner, Now);

    [Fact]
    public void A_post_is_established_under_its_owner()
    {
        var decision = Decide(DutyPostState.Initial(Post), new EstablishDutyPost("e", Post, "Trực SSCĐ", DutyKind.CombatReadiness, 6, 24));

        Assert.Equal("bac-kan/ba-be", Assert.IsType<DutyPostEstablished>(Assert.Single(decision.Events)).OwnerUnitId);
    }

    [Theory]
    [InlineData(0, 24, "at least 1")]
    [InlineData(6, 0, "at least 1")]
    [InlineData(6, 200, "at most 168")]
    public void Staff_and_shift_length_must_be_sensible(int staff, int hours, string hint) =>
        Assert.Contains(hint,
            Decide(DutyPostState.Initial(Post), new EstablishDutyPost("e", Post, "Trực SSCĐ", DutyKind.CombatReadiness, staff, hours)).Rejection!.Message, StringComparison.Ordinal);

    [Fact]
    public void A_post_needs_a_registered_owner() =>
        Assert.Equal(RejectionKind.NotFound, DutyPostRules.Decide(DutyPostState.Initial(Post),
            new EstablishDutyPost("e", Post, "Trực SSCĐ", DutyKind.CombatReadiness, 6, 24), owner: null, Now).Rejection?.Kind);

    [Fact]
    public void A_post_is_not_established_before_1945_nor_before_its_owner_nor_changed_before_its_last_change()
    {
        var year1000 = DutyPostRules.Decide(DutyPostState.Initial(Post), new EstablishDutyPost("e", Post, "Trực SSCĐ", DutyKind.CombatReadiness, 6, 24,
            new DateTimeOffset(1000, 1, 1, 0, 0, 0, TimeSpan.Zero)), Owner with { RegisteredAt = default }, Now);
        var beforeOwner = Decide(DutyPostState.Initial(Post), new EstablishDutyPost("e", Post, "Trực SSCĐ", DutyKind.CombatReadiness, 6, 24, Owner.RegisteredAt.AddDays(-1)));
        var beforeEstablished = Decide(After(Established), new StartDutyShift("s", Post, "Trực ban 1", 6, Established.OccurredAt.AddHours(-1)));

        Assert.Contains("earliest date", year1000.Rejection?.Message, StringComparison.Ordinal);
        Assert.Contains("before unit 'bac-kan/ba-be' existed", beforeOwner.Rejection?.Message, StringComparison.Ordinal);
        Assert.Contains("before the last recorded change", beforeEstablished.Rejection?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_handover_on_a_post_with_no_shift_is_refused()
    {
        var decision = Decide(After(Established), new HandOverDutyShift("h", Post, "Trực ban 1", "Trực ban 2", 6));

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Contains("No shift is on", decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_commander_on_duty_hands_over_or_ends_the_shift()
    {
        var onDuty = After(Established, Started(Now.AddHours(-3)));

        Assert.Contains("not the one on duty", Decide(onDuty, new HandOverDutyShift("h", Post, "Someone else", "Trực ban 2", 6)).Rejection!.Message, StringComparison.Ordinal);
        Assert.Contains("not the commander on duty", Decide(onDuty, new EndDutyShift("x", Post, "Someone else")).Rejection!.Message, StringComparison.Ordinal);
        Assert.IsType<DutyShiftHandedOver>(Assert.Single(Decide(onDuty, new HandOverDutyShift("h", Post, "Trực ban 1", "Trực ban 2", 6)).Events));
    }

    [Fact]
    public void A_second_shift_cannot_start_while_one_is_on() =>
        Assert.Equal(RejectionKind.Conflict, Decide(After(Established, Started(Now.AddHours(-3))), new StartDutyShift("s", Post, "Trực ban 2", 6)).Rejection?.Kind);

    [Fact]
    public void Incidents_open_once_and_close_once()
    {
        var reported = After(Established, new DutyIncidentReported(Post, "inc-1", "Cháy rừng", "Nam Mẫu", Now.AddHours(-1)));

        Assert.Equal(RejectionKind.Conflict, Decide(reported, new ReportDutyIncident("r", Post, "inc-1", "Cháy rừng", "Nam Mẫu")).Rejection?.Kind);
        Assert.IsType<DutyIncidentClosed>(Assert.Single(Decide(reported, new CloseDutyIncident("c", Post, "inc-1", "Đã dập tắt")).Events));
        Assert.Equal(RejectionKind.NotFound, Decide(After(Established), new CloseDutyIncident("c", Post, "inc-1", "Đã dập tắt")).Rejection?.Kind);
    }

    [Fact]
    public void A_shift_past_its_length_raises_one_alert_and_no_more()
    {
        var started = Now.AddHours(-30);
        var onDuty = After(Established, Started(started));

        var alert = DutyPostRules.CheckHandover(onDuty, Now);
        var overdue = Assert.IsType<DutyHandoverOverdue>(Assert.Single(alert!.Events));
        var alerted = DutyPostRules.Evolve(onDuty, overdue);

        Assert.Equal(started.AddHours(24), overdue.DueAt);
        Assert.Null(DutyPostRules.CheckHandover(alerted, Now.AddHours(1)));
        Assert.Null(DutyPostRules.CheckHandover(After(Established, Started(Now.AddHours(-23))), Now));
    }

    [Fact]
    public void A_handover_starts_a_new_gap_that_may_be_alerted_again()
    {
        var alerted = After(Established, Started(Now.AddHours(-60)), new DutyHandoverOverdue(Post, Now.AddHours(-60), Now.AddHours(-36), Now.AddHours(-35)),
            new DutyShiftHandedOver(Post, "Trực ban 1", "Trực ban 2", 6, Now.AddHours(-30)));

        Assert.NotNull(DutyPostRules.CheckHandover(alerted, Now));
    }
}
