using Readiness.Contracts;
using Readiness.Store.Projections;

namespace Readiness.Domain.Tests;

public class ReadinessRatingTests
{
    private const string Unit = "bac-kan/ba-be";
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.FromHours(7));
    private static readonly ReadinessPolicy Policy = ReadinessPolicy.Default;

    private static UnitRecord Record(int authorised, int standing, params object[] more)
    {
        var record = new UnitRecord { Id = Unit };
        var events = new object[]
        {
            new UnitRegistered(Unit, "Ban CHQS huyện Ba Bể", Echelon.District, "bac-kan", authorised, Now.AddYears(-3)),
            new MembersJoined(Unit, ForceType.Standing, standing, Now.AddYears(-3)),
        }.Concat(more);
        var version = 0;
        foreach (var e in events)
        {
            record.Record(e, ++version, Now);
        }
        return record;
    }

    private static object[] Trainings(int count, Grade result = Grade.Good) =>
        [.. Enumerable.Range(1, count).Select(n => (object)new TrainingCompleted(Unit, $"Bài {n}", 10, result, Now.AddDays(-n * 20)))];

    private static DutyPostRecord Post(params (int FromDaysAgo, int ToDaysAgo)[] manned)
    {
        var post = new DutyPostRecord();
        var version = 0;
        post.Record(new DutyPostEstablished("bac-kan/ba-be/sscd", "Trực SSCĐ", DutyKind.CombatReadiness, Unit, 6, 24, Now.AddDays(-60)), ++version, Now);
        foreach (var (from, to) in manned)
        {
            post.Record(new DutyShiftStarted("bac-kan/ba-be/sscd", "A", 6, Now.AddDays(-from)), ++version, Now);
            post.Record(new DutyShiftEnded("bac-kan/ba-be/sscd", "A", Now.AddDays(-to)), ++version, Now);
        }
        return post;
    }

    [Theory]
    [InlineData(4, ReadinessLevel.R1)]
    [InlineData(3, ReadinessLevel.R2)]
    [InlineData(2, ReadinessLevel.R4)]
    public void Training_counts_passed_trainings_in_the_cycle_against_the_echelons_requirement(int done, ReadinessLevel expected)
    {
        var area = ReadinessRating.Training(Record(10, 10, Trainings(done)), Policy, Now);

        Assert.Equal(expected, area.Level);
        Assert.Equal(done, area.Evidence.Count);
        Assert.Contains($"{done} of 4", area.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_and_old_trainings_do_not_count()
    {
        var unit = Record(10, 10, [.. Trainings(4, Grade.Fail), new TrainingCompleted(Unit, "Cũ", 10, Grade.Excellent, Now.AddDays(-400))]);

        Assert.Equal(ReadinessLevel.R4, ReadinessRating.Training(unit, Policy, Now).Level);
    }

    [Fact]
    public void A_failed_exercise_within_twelve_months_holds_training_at_R3()
    {
        var unit = Record(10, 10, [.. Trainings(4), new ExerciseParticipationRecorded(Unit, "bac-kan/ba-be/kvpt", ExerciseLevel.District, ExerciseKind.DefensiveZone, Grade.Fail, Now.AddDays(-5))]);

        var area = ReadinessRating.Training(unit, Policy, Now);

        Assert.Equal(ReadinessLevel.R3, area.Level);
        Assert.Contains("bac-kan/ba-be/kvpt", area.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30, 0, ReadinessLevel.R1)]
    [InlineData(30, 1, ReadinessLevel.R2)]
    [InlineData(30, 2, ReadinessLevel.R3)]
    [InlineData(30, 4, ReadinessLevel.R4)]
    public void Duty_is_the_share_of_the_last_30_days_manned(int fromDaysAgo, int toDaysAgo, ReadinessLevel expected)
    {
        var area = ReadinessRating.Duty(Record(10, 10), [Post((fromDaysAgo, toDaysAgo))], Policy, Now);

        Assert.Equal(expected, area.Level);
    }

    [Fact]
    public void A_unit_without_posts_has_no_duty_area_and_the_worst_area_sets_the_level()
    {
        var rating = ReadinessRating.Rate(Record(10, 7, Trainings(4)), [], Policy, Now);

        Assert.Null(rating.Areas.Single(a => a.Area == ReadinessArea.Duty).Level);
        Assert.Equal(ReadinessLevel.R3, rating.Level);
        Assert.Equal(ReadinessArea.Personnel, rating.SetBy);
        Assert.Contains("7 of 10", rating.Explanation, StringComparison.Ordinal);
        Assert.Equal(2, rating.Areas.Single(a => a.Area == ReadinessArea.Personnel).Evidence.Count);
    }

    [Fact]
    public void A_commanders_assessment_overrides_until_withdrawn()
    {
        var assessed = Record(10, 10, [.. Trainings(4), new ReadinessAssessed(Unit, ReadinessLevel.R4, "Lũ quét", "Chỉ huy trưởng", Now.AddDays(-1))]);

        var rating = ReadinessRating.Rate(assessed, [], Policy, Now);
        assessed.Record(new ReadinessAssessmentWithdrawn(Unit, "Đã khắc phục", Now), assessed.Version + 1, Now);

        Assert.Equal(ReadinessLevel.R4, rating.Level);
        Assert.Equal(ReadinessArea.Assessment, rating.SetBy);
        Assert.Contains("Lũ quét", rating.Areas.Single(a => a.Area == ReadinessArea.Assessment).Explanation, StringComparison.Ordinal);
        Assert.Equal(ReadinessLevel.R1, ReadinessRating.Rate(assessed, [], Policy, Now).Level);
    }
}
