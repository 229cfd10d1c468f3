using Readiness.Contracts;

namespace Readiness.Domain.Tests;

/// <summary>A unit silent for longer than its echelon's interval is noted overdue once per silence.</summary>
public class ReportingRulesTests
{
    private static readonly DateTimeOffset Registered = new(2024, 1, 2, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly ReadinessPolicy Policy = ReadinessPolicy.Default with
    {
        ReportingIntervals = new Dictionary<Echelon, TimeSpan> { [Echelon.Commune] = TimeSpan.FromDays(30) },
    };

    private static UnitState Commune() => UnitRules.Evolve(UnitState.Initial("bac-kan/ba-be/cho-ra"),
        new UnitRegistered("bac-kan/ba-be/cho-ra", "Chợ Rã", Echelon.Commune, "bac-kan/ba-be", 20, Registered));

    [Fact]
    public void Nothing_is_due_within_the_interval_and_a_notice_is_due_once_it_has_passed()
    {
        var state = Commune();

        Assert.Null(UnitRules.CheckReporting(state, Policy, Registered.AddDays(30)));
        var decision = UnitRules.CheckReporting(state, Policy, Registered.AddDays(30).AddMinutes(1));

        var notice = Assert.IsType<ReportOverdue>(Assert.Single(decision!.Events));
        Assert.Equal(Registered, notice.LastReportedAt);
        Assert.Equal(Registered.AddDays(30), notice.DueAt);
    }

    [Fact]
    public void A_silence_is_noted_once_and_a_new_report_starts_the_count_again()
    {
        var notice = (ReportOverdue)UnitRules.CheckReporting(Commune(), Policy, Registered.AddDays(31))!.Events[0];
        var noted = UnitRules.Evolve(Commune(), notice);

        Assert.Equal(Registered, noted.LastReportedAt);
        Assert.Null(UnitRules.CheckReporting(noted, Policy, Registered.AddDays(60)));

        var reported = UnitRules.Evolve(noted, new MembersJoined("bac-kan/ba-be/cho-ra", ForceType.MilitiaSelfDefence, 2, Registered.AddDays(61)));
        Assert.Null(UnitRules.CheckReporting(reported, Policy, Registered.AddDays(90)));
        Assert.NotNull(UnitRules.CheckReporting(reported, Policy, Registered.AddDays(92)));
    }

    [Fact]
    public void A_late_report_of_something_older_does_not_make_the_unit_fresher()
    {
        var recent = UnitRules.Evolve(Commune(), new MembersJoined("bac-kan/ba-be/cho-ra", ForceType.MilitiaSelfDefence, 2, Registered.AddDays(20)));
        var late = UnitRules.Evolve(recent, new MembersJoined("bac-kan/ba-be/cho-ra", ForceType.MilitiaSelfDefence, 1, Registered.AddDays(5)));

        Assert.Equal(Registered.AddDays(20), late.LastReportedAt);
    }

    [Fact]
    public void An_echelon_without_an_interval_is_never_overdue()
    {
        var region = UnitRules.Evolve(UnitState.Initial("quan-khu-1"), new UnitRegistered("quan-khu-1", "Quân khu 1", Echelon.MilitaryRegion, null, 0, Registered));

        Assert.Null(UnitRules.CheckReporting(region, ReadinessPolicy.Default, Registered.AddYears(5)));
    }
}
