using System.Globalization;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The auditing half of the client library: history, verify, chain heads and views of the past.</summary>
public class AuditClientLibraryTests(SiloFixture silo)
{
    private ReadinessClient Client => new(silo.Http);

    [Fact]
    public async Task Reading_the_history_through_the_enumerable_gives_exactly_the_pages()
    {
        var tree = await silo.NewProvinceAsync();
        for (var n = 0; n < 5; n++)
        {
            await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, $"Buổi {n}", 10 + n, DateTimeOffset.UtcNow.AddDays(-n - 1)));
        }
        var scope = HistoryScope.Province(tree.ProvinceId);
        var filter = new HistoryFilter { Limit = 3 };

        var paged = new List<HistoryEntry>();
        var pages = 0;
        long? after = null;
        do
        {
            var page = await Client.GetHistoryPageAsync(scope, filter, after);
            paged.AddRange(page.Events);
            after = page.NextAfter;
            pages++;
        }
        while (after is not null);
        var streamed = await Client.ReadHistoryAsync(scope, filter).ToListAsync();

        Assert.Equal(3, pages);
        Assert.Equal(8, streamed.Count);
        Assert.Equal(paged.Select(e => e.EventId), streamed.Select(e => e.EventId));
        Assert.Equal(streamed.Select(e => e.Sequence).Order(), streamed.Select(e => e.Sequence));
    }

    [Fact]
    public async Task History_filters_and_scopes_reach_the_server()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: At("2024-01-01T00:00:00+07:00"));
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Tháng 1", 30, At("2025-01-10T08:00:00+07:00")));
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Tháng 6", 40, At("2025-06-10T08:00:00+07:00")));

        var june = await Client.ReadHistoryAsync(HistoryScope.Province(tree.ProvinceId, "district-a"), new HistoryFilter
        {
            Kinds = ["OutreachSessionHeld"],
            OccurredFrom = At("2025-06-01T00:00:00+07:00"),
            OccurredTo = At("2025-07-01T00:00:00+07:00"),
        }).ToListAsync();
        var unit = await Client.GetHistoryPageAsync(HistoryScope.Unit(tree.CommuneId), new HistoryFilter { Kinds = ["OutreachSessionHeld", "UnitRegistered"] });
        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => Client.GetHistoryPageAsync(HistoryScope.Unit(tree.CommuneId), new HistoryFilter { Kinds = ["RecruitsDeserted"] }));

        Assert.Equal(40, Assert.Single(june).Data.GetProperty("attendances").GetInt32());
        Assert.Equal(3, unit.Events.Count);
        Assert.Null(unit.Next);
        Assert.Equal(400, refused.StatusCode);
    }

    [Fact]
    public async Task The_demo_province_verifies_intact_through_the_client_and_its_heads_end_its_histories()
    {
        var report = await Client.VerifyAsync(area: "bac-kan");
        var district = await Client.VerifyAsync(area: "bac-kan/ba-be");
        var one = await Client.VerifyAsync(stream: "bac-kan/ba-be");
        var heads = await Client.GetChainHeadsAsync("bac-kan");

        Assert.True(report.Intact, report.FirstBreak?.ToString());
        Assert.True(report.EventsChecked > 6000, $"{report.EventsChecked} events checked");
        Assert.True(report.EventsPerSecond > 0);
        Assert.True(district.Intact);
        Assert.InRange(district.StreamsChecked, 2, report.StreamsChecked - 1);
        Assert.Equal(1, one.StreamsChecked);
        Assert.Equal(report.StreamsChecked, heads.Count);
        var head = Assert.Single(heads, h => h.Stream == "bac-kan/ba-be");
        var last = (await Client.ReadHistoryAsync(HistoryScope.Unit("bac-kan/ba-be"), new HistoryFilter { Limit = 1000 }).ToListAsync())[^1];
        Assert.Equal(last.Version, head.Version);
        Assert.Equal(last.Hash, head.Hash);
    }

    [Fact]
    public async Task Views_as_of_and_known_at_a_moment_are_read_through_the_client()
    {
        var tree = await silo.NewProvinceAsync(communeAuthorised: 40, registeredAt: At("2024-01-01T00:00:00+07:00"));
        var district = tree.DistrictId.Split('/')[^1];
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 10, 2025, At("2025-01-10T08:00:00+07:00")));
        var knownBefore = (await Client.GetHistoryPageAsync(HistoryScope.Unit(tree.CommuneId))).Events[^1].RecordedAt;
        // Reported late: five recruits who had joined before the ten above.
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 5, 2025, At("2025-01-05T08:00:00+07:00")));

        var endOfJanuary = new PointInTime(AsOf: At("2025-01-31T00:00:00+07:00"));
        var asKnownThen = endOfJanuary with { KnownAt = knownBefore };
        var early = new PointInTime(AsOf: At("2025-01-07T00:00:00+07:00"));

        Assert.Equal(15, (await Client.GetUnitAsync(tree.CommuneId, endOfJanuary)).ActualStrength);
        Assert.Equal(10, (await Client.GetUnitAsync(tree.CommuneId, asKnownThen)).ActualStrength);
        Assert.Equal(10, (await Client.GetUnitAsync(tree.CommuneId, new PointInTime(KnownAt: knownBefore))).ActualStrength);
        Assert.Equal(5, (await Client.GetUnitAsync(tree.CommuneId, early)).ActualStrength);
        Assert.Equal(10, (await Client.GetDistrictReadinessAsync(tree.ProvinceId, district, asKnownThen)).ActualStrength);
        Assert.Equal(15, (await Client.GetProvinceReadinessAsync(tree.ProvinceId, endOfJanuary)).Districts.Single().ActualStrength);
        Assert.Equal(15, (await Client.GetUnitAsync(tree.CommuneId, PointInTime.Now)).ActualStrength);
        var before = await Assert.ThrowsAsync<ReadinessApiException>(() => Client.GetProvinceReadinessAsync(tree.ProvinceId, new PointInTime(AsOf: At("2000-01-01T00:00:00Z"))));
        Assert.Equal(404, before.StatusCode);
    }

    [Fact]
    public async Task An_exercise_and_a_duty_post_are_read_as_of_a_moment_through_the_client()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: At("2024-01-01T00:00:00+07:00"));
        var exerciseId = $"{tree.CommuneId}/sscd-2025";
        var postId = $"{tree.CommuneId}/truc-sscd";
        await Client.SendAsync(new PlanExercise(ReadinessClient.NewCommandId(), exerciseId, "Diễn tập", ExerciseLevel.Commune, ExerciseKind.CombatReadiness,
            [tree.CommuneId], At("2025-02-01T07:00:00+07:00"), At("2025-02-03T17:00:00+07:00"), At("2025-01-02T08:00:00+07:00")));
        await Client.SendAsync(new StartExercise(ReadinessClient.NewCommandId(), exerciseId, At("2025-02-01T07:00:00+07:00")));
        await Client.SendAsync(new EstablishDutyPost(ReadinessClient.NewCommandId(), postId, "Trực SSCĐ", DutyKind.CombatReadiness, 2, 24, At("2025-01-01T07:00:00+07:00")));
        await Client.SendAsync(new StartDutyShift(ReadinessClient.NewCommandId(), postId, "Trực ban 1", 2, At("2025-01-01T08:00:00+07:00")));

        Assert.Equal(ExerciseStatus.Planned, (await Client.GetExerciseAsync(exerciseId, new PointInTime(AsOf: At("2025-01-15T00:00:00+07:00")))).Status);
        Assert.Equal(ExerciseStatus.Started, (await Client.GetExerciseAsync(exerciseId, new PointInTime(AsOf: At("2025-02-02T00:00:00+07:00")))).Status);
        Assert.False((await Client.GetDutyPostAsync(postId, new PointInTime(AsOf: At("2025-01-01T07:30:00+07:00")))).Manned);
        Assert.True((await Client.GetDutyPostAsync(postId, new PointInTime(AsOf: At("2025-01-01T09:00:00+07:00")))).Manned);
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}
