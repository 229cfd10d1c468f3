using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Silo.Audit;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// Views of the past in both times: as things were by when they happened (asOf), and as the record
/// showed them at a moment (knownAt). A late report is where the two part.
/// </summary>
public class PastViewTests(SiloFixture silo)
{
    private static readonly DateTimeOffset LongAgo = At("2024-01-01T00:00:00+07:00");

    private HttpClient Http => silo.Http;

    [Fact]
    public async Task A_late_report_shows_as_of_when_it_happened_but_not_known_before_it_was_recorded()
    {
        var tree = await silo.NewProvinceAsync(communeAuthorised: 40, registeredAt: LongAgo);
        var district = tree.DistrictId.Split('/')[^1];
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 10, 2025, At("2025-01-10T08:00:00+07:00")));
        var knownBefore = await LastRecordedAt(tree.CommuneId);
        // Reported weeks later: five recruits who had joined before the ten above.
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 5, 2025, At("2025-01-05T08:00:00+07:00")));

        var cases = new (string Query, int Strength)[]
        {
            ($"asOf={Q("2025-01-31T00:00:00+07:00")}", 15),
            ($"asOf={Q("2025-01-31T00:00:00+07:00")}&knownAt={Q(knownBefore)}", 10),
            ($"knownAt={Q(knownBefore)}", 10),
            ($"asOf={Q("2025-01-07T00:00:00+07:00")}", 5),
            ($"asOf={Q("2025-01-07T00:00:00+07:00")}&knownAt={Q(knownBefore)}", 0),
        };
        foreach (var (query, strength) in cases)
        {
            var unit = await Get<UnitReadinessView>($"/api/units/{tree.CommuneId}?{query}");
            var districtView = await Get<DistrictReadinessView>($"/api/provinces/{tree.ProvinceId}/districts/{district}?{query}");
            var province = await Get<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness?{query}");

            Assert.True(strength == unit.ActualStrength, $"unit {query}: {unit.ActualStrength}");
            Assert.True(strength == districtView.ActualStrength, $"district {query}: {districtView.ActualStrength}");
            Assert.True(strength == province.Districts.Single().ActualStrength, $"province {query}");
        }
        var now = await Get<UnitReadinessView>($"/api/units/{tree.CommuneId}");
        Assert.Equal(15, now.ActualStrength);
    }

    [Fact]
    public async Task An_exercise_completed_late_was_under_way_in_what_the_record_showed_before()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: LongAgo);
        var exerciseId = $"{tree.CommuneId}/sscd-2025";
        await Accept(Http.PostAsJsonAsync("/api/commands/plan-exercise", new PlanExercise(SiloFixture.NewId(), exerciseId, "Diễn tập", ExerciseLevel.Commune,
            ExerciseKind.CombatReadiness, [tree.CommuneId], At("2025-02-01T07:00:00+07:00"), At("2025-02-03T17:00:00+07:00"), At("2025-01-02T08:00:00+07:00")), SiloFixture.Json));
        await Accept(Http.PostAsJsonAsync("/api/commands/start-exercise", new StartExercise(SiloFixture.NewId(), exerciseId, At("2025-02-01T07:00:00+07:00")), SiloFixture.Json));
        var knownBefore = await LastRecordedAt($"exercise:{exerciseId}");
        await Accept(Http.PostAsJsonAsync("/api/commands/complete-exercise", new CompleteExercise(SiloFixture.NewId(), exerciseId, Grade.Good, 40, At("2025-02-03T17:00:00+07:00")), SiloFixture.Json));

        Assert.Equal(ExerciseStatus.Completed, (await Get<ExerciseRecord>($"/api/exercises/{exerciseId}?asOf={Q("2025-03-01T00:00:00+07:00")}")).Status);
        Assert.Equal(ExerciseStatus.Started, (await Get<ExerciseRecord>($"/api/exercises/{exerciseId}?asOf={Q("2025-03-01T00:00:00+07:00")}&knownAt={Q(knownBefore)}")).Status);
        Assert.Equal(ExerciseStatus.Planned, (await Get<ExerciseRecord>($"/api/exercises/{exerciseId}?asOf={Q("2025-01-15T00:00:00+07:00")}")).Status);
        await AssertNotFound($"/api/exercises/{exerciseId}?asOf={Q("2025-01-01T00:00:00+07:00")}", "had been planned by");
    }

    [Fact]
    public async Task A_shift_end_reported_late_leaves_the_post_manned_in_what_was_known_before()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: LongAgo);
        var postId = $"{tree.CommuneId}/truc-sscd";
        await Accept(Http.PostAsJsonAsync("/api/commands/establish-duty-post", new EstablishDutyPost(
            SiloFixture.NewId(), postId, "Trực SSCĐ", DutyKind.CombatReadiness, 2, 24, At("2025-01-01T07:00:00+07:00")), SiloFixture.Json));
        await Accept(Http.PostAsJsonAsync("/api/commands/start-duty-shift", new StartDutyShift(SiloFixture.NewId(), postId, "Trực ban 1", 2, At("2025-01-01T08:00:00+07:00")), SiloFixture.Json));
        var knownBefore = await LastRecordedAt($"post:{postId}");
        await Accept(Http.PostAsJsonAsync("/api/commands/end-duty-shift", new EndDutyShift(SiloFixture.NewId(), postId, "Trực ban 1", At("2025-01-02T08:00:00+07:00")), SiloFixture.Json));

        var asOf = $"asOf={Q("2025-01-10T00:00:00+07:00")}";
        var ended = await Get<DutyPostRecord>($"/api/duty-posts/{postId}?{asOf}");
        var stillOn = await Get<DutyPostRecord>($"/api/duty-posts/{postId}?{asOf}&knownAt={Q(knownBefore)}");

        Assert.False(ended.Manned);
        Assert.Null(ended.Commander);
        Assert.True(stillOn.Manned);
        Assert.Equal("Trực ban 1", stillOn.Commander);
    }

    [Fact]
    public async Task Checkpoints_give_the_same_province_as_folding_from_the_first_event_even_across_a_late_report()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: LongAgo);
        await silo.AcceptAsync(new ChangeAuthorisedStrength(SiloFixture.NewId(), tree.CommuneId, 30, "Biên chế tháng 3", At("2025-03-10T08:00:00+07:00")));
        // Recorded after March's change but happened before it: a fold continued from a
        // 1 March checkpoint would end on 30; the record, folded in order, ends on 20.
        await silo.AcceptAsync(new ChangeAuthorisedStrength(SiloFixture.NewId(), tree.CommuneId, 20, "Biên chế tháng 2", At("2025-02-10T08:00:00+07:00")));
        var past = silo.Host.Services.GetRequiredService<PastViews>();
        var written = await silo.Host.Services.GetRequiredService<RosterCheckpointer>().RefreshAsync(tree.ProvinceId, backlog: 0, CancellationToken.None);
        Assert.True(written > 12, $"{written} checkpoints");

        // The truth, worked out by hand from the two reports: registered with 10; from 10 February 20;
        // from 10 March both had happened, and the last recorded (February's 20) stands.
        var expected = new (string AsOf, int Authorised)[]
        {
            ("2025-01-15T00:00:00+07:00", 10), ("2025-02-15T00:00:00+07:00", 20), ("2025-03-15T00:00:00+07:00", 20), ("2025-12-31T00:00:00+07:00", 20),
        };
        foreach (var (asOf, authorised) in expected)
        {
            var moment = new Moment(At(asOf), null);
            var known = await past.SequenceKnownAtAsync(tree.ProvinceId, null, CancellationToken.None);
            var fromCheckpoint = await past.ProvinceAsync(tree.ProvinceId, moment, CancellationToken.None);
            var fromStart = await past.ProvinceFromStartAsync(tree.ProvinceId, moment, known, CancellationToken.None);

            var view = fromCheckpoint.ToView(ReadinessPolicy.Default, LongAgo.AddYears(2));
            Assert.True(authorised == view.Districts.Single().Communes.Single().AuthorisedStrength, $"as of {asOf}: {view.Districts.Single().Communes.Single().AuthorisedStrength}");
            Assert.Equal(3, view.Units.Total);
            // And the rest of the view as a fold from the first event gives it.
            Assert.Equal(Json(fromStart), Json(fromCheckpoint));
        }
        var march = await Get<UnitReadinessView>($"/api/units/{tree.CommuneId}?asOf={Q("2025-03-15T00:00:00+07:00")}");
        Assert.Equal(20, march.AuthorisedStrength);
        var province = await Get<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness?asOf={Q("2025-03-15T00:00:00+07:00")}");
        Assert.Equal(20, province.Districts.Single().Communes.Single().AuthorisedStrength);
    }

    [Fact]
    public async Task The_demo_province_as_of_any_day_of_2024_equals_a_fold_from_its_first_event()
    {
        await silo.WaitForProjectionsAsync();
        var past = silo.Host.Services.GetRequiredService<PastViews>();
        await silo.Host.Services.GetRequiredService<RosterCheckpointer>().RefreshAsync("bac-kan", backlog: 0, CancellationToken.None);
        var known = await past.SequenceKnownAtAsync("bac-kan", null, CancellationToken.None);
        // Every fortnight or so, and noon of three days with an exercise under way (the demo's commune
        // exercise of 10 April and its district exercises from 15 September and 15 October).
        var days = Enumerable.Range(0, 24).Select(n => LongAgo.AddDays(n * 15.3))
            .Concat([At("2024-04-10T12:00:00+07:00"), At("2024-09-16T12:00:00+07:00"), At("2024-10-16T12:00:00+07:00")]).ToList();
        var underWaySomeDay = false;

        var overHttp = new List<double>();
        var checkpointed = new List<double>();
        var fromStart = new List<double>();
        foreach (var day in days)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await Http.GetAsync(new Uri($"/api/provinces/bac-kan/readiness?asOf={Q(day)}", UriKind.Relative));
            overHttp.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            started = Stopwatch.GetTimestamp();
            var replayed = await past.ProvinceFromStartAsync("bac-kan", new Moment(day, null), known, CancellationToken.None);
            fromStart.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            var viaCheckpoint = await past.ProvinceAsync("bac-kan", new Moment(day, null), CancellationToken.None);
            checkpointed.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            Assert.Equal(Json(replayed), Json(viaCheckpoint));

            // Against the store itself, counted here without the projections' code: the units registered
            // by that day, and the exercises started by then and neither completed nor cancelled.
            var view = viaCheckpoint.ToView(ReadinessPolicy.Default, day);
            Assert.Equal(await silo.Database.ScalarAsync($"""
                SELECT count(*) FROM readiness.mt_events WHERE (stream_id = 'bac-kan' OR stream_id LIKE 'bac-kan/%')
                AND type = 'unit_registered' AND {OccurredBy(day)}
                """), view.Units.Total);
            var underWay = await silo.Database.ScalarTextAsync($"""
                SELECT coalesce(string_agg(substr(stream_id, length('exercise:') + 1), ',' ORDER BY stream_id), '') FROM readiness.mt_events started
                WHERE stream_id LIKE 'exercise:bac-kan/%' AND type = 'exercise_started' AND {OccurredBy(day)}
                AND NOT EXISTS (SELECT 1 FROM readiness.mt_events ended WHERE ended.stream_id = started.stream_id
                    AND ended.type IN ('exercise_completed', 'exercise_cancelled') AND {OccurredBy(day, "ended.")})
                """) ?? "";
            Assert.True(underWay == string.Join(',', view.ExercisesUnderWay.Select(e => e.ExerciseId).Order(StringComparer.Ordinal)),
                $"as of {day:O}: the store says [{underWay}], the view [{string.Join(',', view.ExercisesUnderWay.Select(e => e.ExerciseId))}]");
            underWaySomeDay |= underWay.Length > 0;
        }
        Assert.True(underWaySomeDay, "No day chosen had an exercise under way: the comparison proved nothing.");

        var year = await Get<ProvinceReadinessView>($"/api/provinces/bac-kan/readiness?asOf={Q("2024-12-31T23:59:59+07:00")}");
        Assert.Equal(233, year.Units.Total);
        Directory.CreateDirectory("TestResults");
        await File.WriteAllTextAsync("TestResults/as-of-province.txt", string.Create(CultureInfo.InvariantCulture,
            $"""
            as-of province view of bac-kan ({known} events in the store), {days.Count} days of 2024
            GET /api/provinces/bac-kan/readiness?asOf=: p50 {Percentile(overHttp, 0.5):F1} ms, p99 {Percentile(overHttp, 0.99):F1} ms
            roster from a checkpoint: p50 {Percentile(checkpointed, 0.5):F1} ms, p99 {Percentile(checkpointed, 0.99):F1} ms
            roster folded from the first event: p50 {Percentile(fromStart, 0.5):F1} ms, p99 {Percentile(fromStart, 0.99):F1} ms

            """));
    }

    [Theory]
    [InlineData("/api/provinces/bac-kan/readiness?asOf=tomorrow")]
    [InlineData("/api/units/bac-kan?knownAt=2024-13-01")]
    public async Task A_moment_that_is_not_a_time_is_refused(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Before_the_province_existed_it_is_not_found()
    {
        await AssertNotFound($"/api/provinces/bac-kan/readiness?asOf={Q("2000-01-01T00:00:00+07:00")}", "had been registered by");
    }

    /// <summary>An event that happened by the moment, as the store's header records it.</summary>
    private static string OccurredBy(DateTimeOffset at, string table = "") =>
        $"({table}headers->>'occurred-at')::timestamptz <= '{at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)}'::timestamptz";

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static string Q(string text) => Uri.EscapeDataString(text);

    private static string Q(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture));

    private static string Json(ProvinceRoster roster) => JsonSerializer.Serialize(roster.ToView(ReadinessPolicy.Default, LongAgo.AddYears(2)), SiloFixture.Json);

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private async Task<DateTimeOffset> LastRecordedAt(string stream)
    {
        var page = await Get<HistoryPage>(stream.StartsWith("exercise:", StringComparison.Ordinal) ? $"/api/history?exercise={stream["exercise:".Length..]}"
            : stream.StartsWith("post:", StringComparison.Ordinal) ? $"/api/history?post={stream["post:".Length..]}"
            : $"/api/history?unit={stream}");
        return page.Events[^1].RecordedAt;
    }

    private async Task<T> Get<T>(string path)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(SiloFixture.Json))!;
    }

    private async Task AssertNotFound(string path, string detail)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task Accept(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}
