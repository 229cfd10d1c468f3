using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Readiness.Abstractions;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Silo.Hosting;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The admin rebuild route: started over HTTP while commands arrive and views are read, it ends with
/// the documents Marten's own rebuild gives from the same events, and repairs documents that had
/// been damaged.
/// </summary>
public class RebuildRouteTests(QuietSiloFixture fixture) : IClassFixture<QuietSiloFixture>
{
    private static readonly string[] Tables = ["mt_doc_provinceroster"];
    private static readonly string[] Projections = ["province-roster"];

    private sealed record Province(string Id, List<string> Communes, List<string> Posts);

    private static string Id() => Guid.NewGuid().ToString();

    private async Task Send(ICommand command)
    {
        var result = await fixture.Host.Grains.Execute(command);
        Assert.True(result.Accepted, result.Rejection?.Message);
    }

    /// <summary>A province with districts, communes full of reports, an exercise and staffed duty posts.</summary>
    private async Task<Province> SeedAsync(int districts, int communes, int reportsPerCommune)
    {
        var p = $"r{Guid.NewGuid():N}"[..10];
        var at = DateTimeOffset.UtcNow.AddDays(-300);
        var province = new Province(p, [], []);
        await Send(new RegisterUnit(Id(), p, "Tỉnh", Echelon.Province, null, 100, at));
        for (var d = 0; d < districts; d++)
        {
            var district = $"{p}/d{d}";
            await Send(new RegisterUnit(Id(), district, $"Huyện {d}", Echelon.District, null, 30, at));
            for (var c = 0; c < communes; c++)
            {
                var commune = $"{district}/c{c}";
                await Send(new RegisterUnit(Id(), commune, $"Xã {d}.{c}", Echelon.Commune, null, 12, at));
                province.Communes.Add(commune);
            }
            var post = $"{district}/sscd";
            await Send(new EstablishDutyPost(Id(), post, "Trực SSCĐ", DutyKind.CombatReadiness, 4, 24, at));
            await Send(new StartDutyShift(Id(), post, "A", 4, DateTimeOffset.UtcNow.AddHours(-1)));
            province.Posts.Add(post);
            var exercise = $"{district}/kvpt";
            await Send(new PlanExercise(Id(), exercise, "Diễn tập", ExerciseLevel.District, ExerciseKind.CombatReadiness,
                [.. province.Communes.Where(x => x.StartsWith(district + "/", StringComparison.Ordinal))], at.AddDays(10), at.AddDays(11), at.AddDays(1)));
            await Send(new StartExercise(Id(), exercise, at.AddDays(10)));
            await Send(new CompleteExercise(Id(), exercise, Grade.Good, 40, at.AddDays(11)));
        }
        // Each commune's reports in order (one grain), the communes side by side.
        await Parallel.ForEachAsync(province.Communes, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (commune, _) =>
        {
            for (var i = 0; i < reportsPerCommune; i++)
            {
                await Send(i % 5 == 0
                    ? new RecordTraining(Id(), commune, "Bắn súng", 10, Grade.Good, at.AddDays(20).AddMinutes(i))
                    : new RecordOutreachSession(Id(), commune, "Luật", 30 + i, at.AddDays(20).AddMinutes(i)));
            }
        });
        return province;
    }

    private async Task CaughtUpAsync()
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (true)
        {
            var newest = await fixture.Database.ScalarAsync("SELECT coalesce(max(seq_id), 0) FROM readiness.mt_events");
            var position = await fixture.Database.ScalarAsync(
                "SELECT coalesce((SELECT last_seq_id FROM readiness.mt_event_progression WHERE name = 'province-roster:All'), 0)");
            if (position >= newest)
            {
                return;
            }
            Assert.True(DateTimeOffset.UtcNow < deadline, $"The province projection is at {position}, the store at {newest}, after 60 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>Every document, without the moment it was written: that is when, not what.</summary>
    private async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(fixture.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        foreach (var table in Tables)
        {
            await using var command = new NpgsqlCommand($"SELECT id, data::text FROM readiness.{table}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                documents[$"{table}/{reader.GetString(0)}"] = Timeless(JsonNode.Parse(reader.GetString(1))!).ToJsonString();
            }
        }
        return documents;
    }

    private static JsonNode Timeless(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                obj.Remove("updatedAt");
                foreach (var (_, child) in obj.ToList())
                {
                    if (child is not null) Timeless(child);
                }
                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null) Timeless(child);
                }
                break;
        }
        return node;
    }

    private async Task ExecuteAsSuperuserAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(fixture.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }

    private sealed class TrafficReport
    {
        public readonly List<(DateTimeOffset At, ICommand Command)> Accepted = [];
        public int Reads;
        public readonly List<DateTimeOffset> ReadAt = [];
        public readonly List<string> Failures = [];
    }

    /// <summary>Reports to the busy province and reads of its views, until stopped.</summary>
    /// <summary>What the busy province's views held before the traffic began: a view read later may hold more, never less.</summary>
    private sealed record WholeViews(int Districts, int Communes, int Units, IReadOnlyDictionary<string, long> CommuneVersions);

    private static async Task<WholeViews> WholeViewsAsync(HttpClient http, Province busy)
    {
        var province = (await http.GetFromJsonAsync<ProvinceReadinessView>(new Uri($"/api/provinces/{busy.Id}/readiness", UriKind.Relative), SiloFixture.Json))!;
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var commune in busy.Communes)
        {
            versions[commune] = (await http.GetFromJsonAsync<UnitReadinessView>(new Uri($"/api/units/{commune}", UriKind.Relative), SiloFixture.Json))!.Version;
        }
        return new WholeViews(province.Districts.Count, province.Districts.Sum(d => d.Communes.Count), province.Units.Total, versions);
    }

    /// <summary>Why a view read during the rebuild is not whole, or null when it is.</summary>
    private static string? NotWhole(string path, string body, WholeViews whole)
    {
        if (path.EndsWith("/readiness", StringComparison.Ordinal))
        {
            var province = System.Text.Json.JsonSerializer.Deserialize<ProvinceReadinessView>(body, SiloFixture.Json)!;
            var communes = province.Districts.Sum(d => d.Communes.Count);
            return province.Districts.Count == whole.Districts && communes >= whole.Communes && province.Units.Total >= whole.Units ? null
                : $"GET {path}: {province.Districts.Count} districts, {communes} communes, {province.Units.Total} units; whole, {whole.Districts}, {whole.Communes}, {whole.Units}";
        }
        var unit = System.Text.Json.JsonSerializer.Deserialize<UnitReadinessView>(body, SiloFixture.Json)!;
        return unit.Version >= whole.CommuneVersions[unit.Id] && unit.AuthorisedStrength == 12 ? null
            : $"GET {path}: version {unit.Version}, authorised {unit.AuthorisedStrength}; whole, version {whole.CommuneVersions[unit.Id]} and 12";
    }

    private static async Task<TrafficReport> TrafficAsync(ReadinessClient client, HttpClient http, Province busy, WholeViews whole, CancellationToken stop)
    {
        var report = new TrafficReport();
        var now = DateTimeOffset.UtcNow;
        async Task Writer(int lane)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                ICommand command = (i % 7) switch
                {
                    0 => new RegisterUnit(Id(), $"{busy.Id}/d{lane % 2}/n{lane}-{i}", "Xã mới", Echelon.Commune, null, 10, now.AddHours(-2)),
                    1 => new ReportDutyStaffing(Id(), busy.Posts[lane % busy.Posts.Count], 3 + (i % 2), "Đổi ca", now.AddMinutes(-30)),
                    _ => new RecordOutreachSession(Id(), busy.Communes[(lane * 7 + i) % busy.Communes.Count], "Luật", 50, now.AddHours(-1)),
                };
                try
                {
                    await client.SendAsync(command, CancellationToken.None);
                    lock (report) report.Accepted.Add((DateTimeOffset.UtcNow, command));
                }
                catch (Exception ex) when (ex is ReadinessApiException or HttpRequestException)
                {
                    lock (report) report.Failures.Add($"{command.GetType().Name}: {ex.Message}");
                }
            }
        }
        // Two readers: a unit's view waits for the daemon to reach the unit's newest write, and the
        // rebuild holds the daemon while it swaps, so a reader of units alone may see no answer inside
        // a short rebuild; the province's view is answered all the while.
        async Task Reader(bool units)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var path = units ? $"/api/units/{busy.Communes[i % busy.Communes.Count]}" : $"/api/provinces/{busy.Id}/readiness";
                using var response = await http.GetAsync(new Uri(path, UriKind.Relative), CancellationToken.None);
                // Not only an answer: the whole view, never an empty or half-built one.
                var problem = response.StatusCode != HttpStatusCode.OK ? $"GET {path}: {(int)response.StatusCode}"
                    : NotWhole(path, await response.Content.ReadAsStringAsync(CancellationToken.None), whole);
                lock (report)
                {
                    report.Reads++;
                    report.ReadAt.Add(DateTimeOffset.UtcNow);
                    if (problem is not null)
                    {
                        report.Failures.Add(problem);
                    }
                }
                // Paced under the silo's 200 requests a second per caller, which the writers share:
                // the province's view is answered from memory in a few milliseconds.
                await Task.Delay(20, CancellationToken.None);
            }
        }
        await Task.WhenAll(Writer(0), Writer(1), Writer(2), Reader(units: false), Reader(units: true));
        return report;
    }

    [Fact]
    public async Task A_rebuild_started_over_http_while_commands_arrive_ends_with_the_documents_a_quiet_rebuild_gives()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var seeding = Stopwatch.StartNew();
        var busy = await SeedAsync(districts: 2, communes: 8, reportsPerCommune: 250);
        var quiet = await SeedAsync(districts: 2, communes: 6, reportsPerCommune: 250);
        seeding.Stop();
        await CaughtUpAsync();
        var before = await SnapshotAsync();

        // Damage the quiet province's views, as a projection bug would: the rebuild must repair them.
        var damagedPart = StreamKeys.RosterPartOf(quiet.Communes[0]);
        await ExecuteAsSuperuserAsync("UPDATE readiness.mt_doc_provinceroster SET data = jsonb_set(data, '{units}', '{}'::jsonb) WHERE id = @id", ("id", damagedPart));
        await ExecuteAsSuperuserAsync("DELETE FROM readiness.mt_doc_provinceroster WHERE id = @id", ("id", quiet.Id));
        var damaged = await SnapshotAsync();
        Assert.NotEqual(before[$"mt_doc_provinceroster/{damagedPart}"], damaged[$"mt_doc_provinceroster/{damagedPart}"]);
        Assert.False(damaged.ContainsKey($"mt_doc_provinceroster/{quiet.Id}"));

        using var http = fixture.Host.AdminClient();
        var client = new ReadinessClient(http);
        using var stopTraffic = new CancellationTokenSource();
        var whole = await WholeViewsAsync(http, busy);
        Assert.Equal((2, 16), (whole.Districts, whole.Communes));
        var traffic = TrafficAsync(client, http, busy, whole, stopTraffic.Token);
        await Task.Delay(200, cancellationToken);

        var started = await client.StartRebuildAsync(ReadinessClient.AllProjections, cancellationToken);
        Assert.Equal(RebuildState.Running, started.State);
        Assert.Equal(Projections.Order(), started.Projections.Order());
        var seen = new List<RebuildStatus>();
        var final = await client.WaitForRebuildAsync(started.Id, new InlineProgress(seen.Add), TimeSpan.FromMilliseconds(20), cancellationToken);
        await Task.Delay(200, cancellationToken);
        await stopTraffic.CancelAsync();
        var load = await traffic;

        Assert.True(final.State == RebuildState.Succeeded, final.Error);
        Assert.Equal("done", final.Phase);
        Assert.True(final.TotalEvents > 6_000, $"Only {final.TotalEvents} events to replay.");
        Assert.True(final.EventsProcessed >= final.TotalEvents, $"{final.EventsProcessed} of {final.TotalEvents} events processed.");
        // A part per district and one per province's own streams, for both provinces at least.
        Assert.True(final.DocumentsWritten >= 2 * (1 + 2), $"Only {final.DocumentsWritten} roster parts written.");
        Assert.NotNull(final.FinishedAt);
        Assert.Empty(load.Failures);
        var during = load.Accepted.Count(a => a.At > final.StartedAt && a.At < final.FinishedAt);
        Assert.True(during > 0, $"No command was accepted while the rebuild ran ({final.ElapsedSeconds} s); {load.Accepted.Count} in all.");
        Assert.True(load.Reads > 0);
        Assert.True(load.ReadAt.Any(a => a > final.StartedAt && a < final.FinishedAt), $"No view was read while the rebuild ran; {load.Reads} reads in all.");

        await CaughtUpAsync();
        var rebuilt = await SnapshotAsync();

        // What the rebuild repaired, and what it left alone, in the province nobody wrote to.
        foreach (var (key, value) in before.Where(b => b.Key.Contains(quiet.Id, StringComparison.Ordinal)))
        {
            Assert.True(rebuilt.TryGetValue(key, out var now), $"{key} is missing after the rebuild.");
            Assert.Equal(value, now);
        }
        // Every document the busy province had is still there, and the new units have theirs.
        Assert.All(before.Keys, key => Assert.Contains(key, rebuilt.Keys));
        var registered = load.Accepted.Select(a => a.Command).OfType<RegisterUnit>().ToList();
        Assert.NotEmpty(registered);
        Assert.All(registered, r => Assert.Contains($"\"{r.UnitId}\"", rebuilt[$"mt_doc_provinceroster/{StreamKeys.RosterPartOf(r.UnitId)}"], StringComparison.Ordinal));
        // The bar had something to draw: progress only ever went forward, up to the final status.
        Assert.NotEmpty(seen);
        Assert.Equal(final, seen[^1]);
        Assert.All(seen.Zip(seen.Skip(1)), pair => Assert.True(pair.Second.EventsProcessed >= pair.First.EventsProcessed));

        // The reference: Marten's own rebuild from zero, now that nothing is being written.
        var store = fixture.Host.Services.GetRequiredService<IDocumentStore>();
        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            foreach (var projection in Projections)
            {
                await daemon.RebuildProjectionAsync(projection, TimeSpan.FromMinutes(1), cancellationToken);
            }
        }
        var reference = await SnapshotAsync();
        Assert.Equal(reference.Keys.Order(), rebuilt.Keys.Order());
        Assert.All(reference, pair => Assert.Equal(pair.Value, rebuilt[pair.Key]));

        // A quiet rebuild, for the figure alone.
        var quietRun = await client.WaitForRebuildAsync((await client.StartRebuildAsync(null, cancellationToken)).Id, cancellationToken: cancellationToken);
        Assert.Equal(RebuildState.Succeeded, quietRun.State);
        var roster = await client.WaitForRebuildAsync((await client.StartRebuildAsync("province-roster", cancellationToken)).Id, cancellationToken: cancellationToken);
        Assert.Equal(RebuildState.Succeeded, roster.State);
        var again = await SnapshotAsync();
        Assert.Equal(reference.Keys.Order(), again.Keys.Order());
        Assert.All(reference, pair => Assert.Equal(pair.Value, again[pair.Key]));

        var underLoad = string.Create(
            CultureInfo.InvariantCulture, $"{final.EventsProcessed} events in {final.ElapsedSeconds:0.000} s = {final.EventsPerSecond:0} events/s");
        var figures = string.Create(CultureInfo.InvariantCulture, $"""
            projection rebuild through POST /api/admin/projections/rebuild (every projection), {final.TotalEvents} events:
              while 3 writers and 2 readers ran: {underLoad} ({during} commands accepted meanwhile, {load.Reads} reads, no failures)
              quiet: {quietRun.EventsProcessed} events in {quietRun.ElapsedSeconds:0.000} s = {quietRun.EventsPerSecond:0} events/s
              province-roster alone, quiet: {roster.EventsProcessed} events in {roster.ElapsedSeconds:0.000} s = {roster.EventsPerSecond:0} events/s
              (seeding those events through the grains took {seeding.Elapsed.TotalSeconds:0.0} s)
            """);
        Directory.CreateDirectory(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults"));
        await File.WriteAllTextAsync(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "rebuild-rate.txt"), figures + "\n", cancellationToken);
        TestContext.Current.SendDiagnosticMessage(figures);
    }

    [Fact]
    public async Task A_second_rebuild_while_one_runs_is_409_and_an_unknown_projection_is_404()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var province = await SeedAsync(districts: 1, communes: 2, reportsPerCommune: 5);
        await CaughtUpAsync();
        using var http = fixture.Host.AdminClient();
        var client = new ReadinessClient(http);

        using (var unknown = await http.PostAsync(new Uri("/api/admin/projections/no-such-view/rebuild", UriKind.Relative), null, cancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
            var problem = await unknown.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
            foreach (var name in Projections)
            {
                Assert.Contains(name, problem!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            }
        }
        Assert.Equal(Projections.Order(), (await client.GetRebuildableProjectionsAsync(cancellationToken)).Order());

        // Hold the roster's progress row: the rebuild waits on it while it writes, so it is surely still running.
        await using (var holder = new NpgsqlConnection(fixture.Database.SuperuserConnectionString))
        {
            await holder.OpenAsync(cancellationToken);
            await using var hold = await holder.BeginTransactionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand("SELECT name FROM readiness.mt_event_progression WHERE name = 'province-roster:All' FOR UPDATE", holder, hold))
            {
                Assert.NotNull(await command.ExecuteScalarAsync(cancellationToken));
            }

            var first = await client.StartRebuildAsync("province-roster", cancellationToken);
            var conflict = await Assert.ThrowsAsync<ReadinessApiException>(() => client.StartRebuildAsync(null, cancellationToken));
            Assert.Equal(409, conflict.StatusCode);
            Assert.Equal(first.Id, conflict.Problem.Extensions!["runningJobId"].GetString());
            // It reads every event of the store first (other tests of the class leave many), then waits on the held row.
            var waiting = await client.GetRebuildAsync(first.Id, cancellationToken);
            for (var polls = 0; waiting.Phase != "writing views" && waiting.State == RebuildState.Running && polls < 300; polls++)
            {
                await Task.Delay(100, cancellationToken);
                waiting = await client.GetRebuildAsync(first.Id, cancellationToken);
            }
            Assert.Equal(RebuildState.Running, waiting.State);
            Assert.Equal("writing views", waiting.Phase);
            await hold.RollbackAsync(cancellationToken);

            var done = await client.WaitForRebuildAsync(first.Id, cancellationToken: cancellationToken);
            Assert.True(done.State == RebuildState.Succeeded, done.Error);
            Assert.Equal("province-roster", Assert.Single(done.Projections));
        }

        // Another silo rebuilding holds the cluster-wide lock.
        await using (var otherSilo = new NpgsqlConnection(fixture.Database.SuperuserConnectionString))
        {
            await otherSilo.OpenAsync(cancellationToken);
            // The rebuild's cluster-wide lock, taken here to stand for another silo. Given back at the end
            // of the block: a pooled connection is only reset when next used, so the session's lock would
            // outlive it and refuse the other test's rebuild when it runs after this one.
            await using var rebuilding = await AdvisoryLock.AcquireAsync(otherSilo, AdvisoryLockKey.Rebuild, cancellationToken);
            var elsewhere = await Assert.ThrowsAsync<ReadinessApiException>(() => client.StartRebuildAsync("province-roster", cancellationToken));
            Assert.Equal(409, elsewhere.StatusCode);
            Assert.Contains("Another silo", elsewhere.Problem.Detail, StringComparison.Ordinal);
        }

        var unknownJob = await Assert.ThrowsAsync<ReadinessApiException>(() => client.GetRebuildAsync("no-such-job", cancellationToken));
        Assert.Equal(404, unknownJob.StatusCode);
    }

    private sealed class InlineProgress(Action<RebuildStatus> report) : IProgress<RebuildStatus>
    {
        public void Report(RebuildStatus value) => report(value);
    }
}
