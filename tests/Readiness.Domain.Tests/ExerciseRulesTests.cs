using Readiness.Contracts;

namespace Readiness.Domain.Tests;

public class ExerciseRulesTests
{
    private const string Exercise = "bac-kan/ba-be/kvpt-2024";
    private static readonly DateTimeOffset Now = new(2024, 10, 1, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly UnitProfile District = new("bac-kan/ba-be", "Ban CHQS huyện Ba Bể", Echelon.District, "bac-kan", 24, 23, 2, Now.AddYears(-3));
    private static readonly UnitProfile Militia = new("bac-kan/ba-be/cho-ra/dan-quan", "Trung đội dân quân", Echelon.ForceUnit, "bac-kan/ba-be/cho-ra", 31, 30, 2, Now.AddYears(-3));

    private static ExerciseUnits Units(params UnitProfile[] participants) =>
        new(District, participants.Append(District).DistinctBy(p => p.UnitId).ToDictionary(p => p.UnitId, p => (UnitProfile?)p));

    private static PlanExercise Plan(ExerciseLevel level = ExerciseLevel.District, params string[] participants) =>
        new("p", Exercise, "Diễn tập KVPT huyện Ba Bể", level, ExerciseKind.DefensiveZone, participants, Now.AddDays(10), Now.AddDays(13), Now);

    private static ExerciseState After(params object[] events) => events.Aggregate(ExerciseState.Initial(Exercise), ExerciseRules.Evolve);

    private static ExercisePlanned Planned =>
        new(Exercise, "Diễn tập", ExerciseLevel.District, ExerciseKind.DefensiveZone, "bac-kan/ba-be", ["bac-kan/ba-be"], Now, Now.AddDays(2), Now.AddDays(-5));

    [Fact]
    public void Planning_names_the_host_from_the_id_and_defaults_participants_to_it()
    {
        var decision = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan(), Units(), Now);

        var planned = Assert.IsType<ExercisePlanned>(Assert.Single(decision.Events));
        Assert.Equal("bac-kan/ba-be", planned.HostUnitId);
        Assert.Equal(["bac-kan/ba-be"], planned.ParticipantUnitIds);
    }

    [Fact]
    public void The_level_must_match_the_hosts_echelon()
    {
        var decision = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan(ExerciseLevel.Commune), Units(), Now);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.Contains("hosted by a Commune", decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Participants_come_from_the_hosts_own_units_and_must_exist()
    {
        var outsider = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan(ExerciseLevel.District, "bac-kan/na-ri/kim-hy"), Units(), Now);
        var unknown = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan(ExerciseLevel.District, "bac-kan/ba-be/ghost"), Units(), Now);
        var known = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan(ExerciseLevel.District, Militia.UnitId), Units(Militia), Now);

        Assert.Equal(RejectionKind.Invalid, outsider.Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, unknown.Rejection?.Kind);
        Assert.Null(known.Rejection);
    }

    [Fact]
    public void An_unknown_host_or_a_backwards_schedule_is_refused()
    {
        var noHost = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan(), new ExerciseUnits(null, new Dictionary<string, UnitProfile?>()), Now);
        var backwards = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan() with { ScheduledEnd = Now.AddDays(9) }, Units(), Now);

        Assert.Equal(RejectionKind.NotFound, noHost.Rejection?.Kind);
        Assert.Contains("after scheduledStart", backwards.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exercise_is_not_planned_before_1945_nor_before_its_host_existed_nor_stepped_before_it_was_planned()
    {
        var year1 = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan() with { OccurredAt = DateTimeOffset.MinValue }, Units(), Now);
        var beforeHost = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan() with { OccurredAt = District.RegisteredAt.AddDays(-1) }, Units(), Now);
        var startBeforePlan = ExerciseRules.Decide(After(Planned), new StartExercise("s", Exercise, Planned.OccurredAt.AddMinutes(-1)), null, Now);

        Assert.Contains("earliest date", year1.Rejection?.Message, StringComparison.Ordinal);
        Assert.Contains("before host unit 'bac-kan/ba-be' existed", beforeHost.Rejection?.Message, StringComparison.Ordinal);
        Assert.Contains("is before the last step", startBeforePlan.Rejection?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-100 * 365)]
    [InlineData(11 * 365)]
    public void A_schedule_before_1945_or_over_ten_years_ahead_is_refused(int daysFromNow)
    {
        var start = daysFromNow < 0 ? new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero) : Now.AddDays(daysFromNow);

        var decision = ExerciseRules.Decide(ExerciseState.Initial(Exercise), Plan() with { ScheduledStart = start, ScheduledEnd = start.AddDays(1) }, Units(), Now);

        Assert.Equal(RejectionKind.Invalid, decision.Rejection?.Kind);
        Assert.Contains("scheduledStart", decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_exercise_runs_planned_started_completed()
    {
        var started = ExerciseRules.Decide(After(Planned), new StartExercise("s", Exercise), null, Now);
        var completed = ExerciseRules.Decide(After(Planned, new ExerciseStarted(Exercise, Now.AddHours(-5))), new CompleteExercise("c", Exercise, Grade.Excellent, 640), null, Now);

        Assert.IsType<ExerciseStarted>(Assert.Single(started.Events));
        var done = Assert.IsType<ExerciseCompleted>(Assert.Single(completed.Events));
        Assert.Equal(Grade.Excellent, done.Grade);
    }

    [Fact]
    public void Completing_an_exercise_never_started_is_refused()
    {
        var decision = ExerciseRules.Decide(After(Planned), new CompleteExercise("c", Exercise, Grade.Good, 10), null, Now);

        Assert.Equal(RejectionKind.Conflict, decision.Rejection?.Kind);
        Assert.Contains("has not started", decision.Rejection!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_exercise_cannot_be_graded_started_or_cancelled_again()
    {
        var cancelled = After(Planned, new ExerciseCancelled(Exercise, "Bão số 3", Now.AddHours(-1)));

        Assert.Contains("cannot be graded", ExerciseRules.Decide(cancelled, new CompleteExercise("c", Exercise, Grade.Pass, 10), null, Now).Rejection!.Message, StringComparison.Ordinal);
        Assert.Equal(RejectionKind.Conflict, ExerciseRules.Decide(cancelled, new StartExercise("s", Exercise), null, Now).Rejection?.Kind);
        Assert.Equal(RejectionKind.Conflict, ExerciseRules.Decide(cancelled, new CancelExercise("x", Exercise, "again"), null, Now).Rejection?.Kind);
    }

    [Fact]
    public void Steps_before_the_previous_one_or_on_an_unplanned_exercise_are_refused()
    {
        var early = ExerciseRules.Decide(After(Planned), new StartExercise("s", Exercise, Now.AddDays(-30)), null, Now);
        var unplanned = ExerciseRules.Decide(ExerciseState.Initial(Exercise), new StartExercise("s", Exercise), null, Now);

        Assert.Equal(RejectionKind.Invalid, early.Rejection?.Kind);
        Assert.Equal(RejectionKind.NotFound, unplanned.Rejection?.Kind);
    }

    [Fact]
    public void A_grade_that_does_not_exist_is_refused() =>
        Assert.Contains("does not exist", ExerciseRules.Decide(After(Planned, new ExerciseStarted(Exercise, Now.AddHours(-5))),
            new CompleteExercise("c", Exercise, (Grade)7, 10), null, Now).Rejection!.Message, StringComparison.Ordinal);
}
