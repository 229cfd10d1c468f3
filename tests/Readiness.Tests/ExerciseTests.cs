using System.Net;
using System.Net.Http.Json;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>An exercise's lifecycle through the API, and the credit it gives its participants.</summary>
public class ExerciseTests(SiloFixture silo)
{
    private ReadinessClient Client => new(silo.Http);

    private async Task<(TestProvince Tree, string ExerciseId, string Militia)> Planned()
    {
        var tree = await silo.NewProvinceAsync();
        var militia = $"{tree.CommuneId}/dan-quan";
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), militia, "Trung đội dân quân", Echelon.ForceUnit, null, 30, DateTimeOffset.UtcNow.AddMonths(-6)));
        var exerciseId = $"{tree.CommuneId}/sscd";
        var start = DateTimeOffset.UtcNow.AddDays(-3);
        await Client.SendAsync(new PlanExercise(ReadinessClient.NewCommandId(), exerciseId, "Diễn tập chiến đấu phòng thủ", ExerciseLevel.Commune,
            ExerciseKind.CombatReadiness, [tree.CommuneId, militia], start, start.AddDays(1), start.AddDays(-10)));
        return (tree, exerciseId, militia);
    }

    [Fact]
    public async Task A_completed_exercise_is_graded_and_counts_toward_every_participants_training()
    {
        var (tree, exerciseId, militia) = await Planned();

        await Client.SendAsync(new StartExercise(ReadinessClient.NewCommandId(), exerciseId, DateTimeOffset.UtcNow.AddDays(-3)));
        await Client.SendAsync(new CompleteExercise(ReadinessClient.NewCommandId(), exerciseId, Grade.Excellent, 58, DateTimeOffset.UtcNow.AddDays(-2)));

        var exercise = await Client.GetExerciseAsync(exerciseId);
        Assert.Equal(ExerciseStatus.Completed, exercise.Status);
        Assert.Equal(Grade.Excellent, exercise.Grade);
        foreach (var unitId in new[] { tree.CommuneId, militia })
        {
            var training = (await Client.GetUnitAsync(unitId)).Rating.Areas.Single(a => a.Area == ReadinessArea.Training);
            Assert.Contains(training.Evidence, e => e.Event == nameof(ExerciseParticipationRecorded));
        }
        Assert.Equal(1, await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE stream_id = @s AND type = 'exercise_participation_recorded'", ("s", militia)));
    }

    [Fact]
    public async Task Completing_an_exercise_never_started_is_a_409_that_says_so()
    {
        var (_, exerciseId, _) = await Planned();

        using var response = await silo.Http.PostAsJsonAsync("/api/commands/complete-exercise",
            new CompleteExercise(ReadinessClient.NewCommandId(), exerciseId, Grade.Good, 10), SiloFixture.Json);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("has not started", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await silo.Database.CountEventsAsync(StreamKeys.Exercise(exerciseId)));
    }

    [Fact]
    public async Task A_cancelled_exercise_cannot_be_graded()
    {
        var (_, exerciseId, _) = await Planned();
        await Client.SendAsync(new CancelExercise(ReadinessClient.NewCommandId(), exerciseId, "Bão số 3"));

        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() =>
            Client.SendAsync(new CompleteExercise(ReadinessClient.NewCommandId(), exerciseId, Grade.Pass, 10)));

        Assert.Equal(409, refused.StatusCode);
        Assert.Contains("cancelled", refused.Problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exercise_at_the_wrong_level_for_its_host_is_refused()
    {
        var tree = await silo.NewProvinceAsync();

        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => Client.SendAsync(new PlanExercise(ReadinessClient.NewCommandId(),
            $"{tree.CommuneId}/kvpt", "KVPT", ExerciseLevel.District, ExerciseKind.DefensiveZone, [], DateTimeOffset.UtcNow.AddDays(5), DateTimeOffset.UtcNow.AddDays(7))));

        Assert.Equal(400, refused.StatusCode);
        Assert.Equal(0, await silo.Database.CountEventsAsync(StreamKeys.Exercise($"{tree.CommuneId}/kvpt")));
    }
}
