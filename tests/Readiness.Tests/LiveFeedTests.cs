using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The province's Server-Sent Events stream: how soon a change arrives, and what a reconnecting client gets.</summary>
public class LiveFeedTests(SiloFixture silo)
{
    private sealed record LiveEvent(long Id, ProvinceReadinessView View);

    /// <summary>Reads 'province' events from the stream until the callback says stop or the deadline passes.</summary>
    private async Task ReadStream(string provinceId, long? lastEventId, Func<LiveEvent, bool> onEvent, TimeSpan patience)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/provinces/{provinceId}/live");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } id)
        {
            request.Headers.Add("Last-Event-ID", id.ToString(CultureInfo.InvariantCulture));
        }
        using var deadline = new CancellationTokenSource(patience);
        using var response = await silo.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        long eventId = 0;
        try
        {
            while (await reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    eventId = long.Parse(line[4..], CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    using var data = JsonDocument.Parse(line[6..]);
                    var view = data.RootElement.GetProperty("view").Deserialize<ProvinceReadinessView>(SiloFixture.Json)!;
                    if (!onEvent(new LiveEvent(eventId, view)))
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            // Out of patience: the caller's assertions say what was missing.
        }
    }

    private static int CommuneStrength(ProvinceReadinessView view) =>
        view.Districts.SelectMany(d => d.Communes).SingleOrDefault()?.ActualStrength ?? -1;

    [Fact]
    public async Task A_reported_change_reaches_the_stream_within_a_second_at_p99_with_8_callers_sending_at_once()
    {
        // Eight callers, each on a commune of its own, each sending its next report as soon as the last is
        // acknowledged: the group commit batches them, the daemon folds them together, the feed redraws.
        const int callers = 8;
        const int perCaller = 150;
        var tree = await silo.NewProvinceAsync(communeAuthorised: 500);
        var communes = new List<string> { tree.CommuneId };
        for (var c = 2; c <= callers; c++)
        {
            var commune = $"{tree.DistrictId}/commune-{c}";
            await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), commune, $"Test commune {c}", Echelon.Commune, null, 500, DateTimeOffset.UtcNow.AddYears(-1)));
            communes.Add(commune);
        }
        await silo.EventuallyAsync<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness",
            v => communes.All(c => StrengthOf(v, c) == 0));
        // [caller, k]: when the caller's k-th report was acknowledged, and when the stream first showed it.
        var acknowledged = new long[callers, perCaller + 1];
        var arrived = new long[callers, perCaller + 1];
        var seen = new int[callers];
        var clock = Stopwatch.StartNew();

        var listening = ReadStream(tree.ProvinceId, null, e =>
        {
            var now = clock.ElapsedTicks;
            for (var c = 0; c < callers; c++)
            {
                var strength = Math.Min(StrengthOf(e.View, communes[c]), perCaller);
                for (var k = seen[c] + 1; k <= strength; k++)
                {
                    arrived[c, k] = now;
                }
                seen[c] = Math.Max(seen[c], strength);
            }
            return seen.Any(s => s < perCaller);
        }, TimeSpan.FromSeconds(60));
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            for (var k = 1; k <= perCaller; k++)
            {
                await silo.AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), communes[c], ForceType.MilitiaSelfDefence, 1));
                acknowledged[c, k] = clock.ElapsedTicks;
            }
        })));
        var sendingTook = clock.Elapsed;
        await listening;

        Assert.All(seen, s => Assert.Equal(perCaller, s));
        var lags = (from c in Enumerable.Range(0, callers)
                    from k in Enumerable.Range(1, perCaller)
                    select Math.Max(0, arrived[c, k] - acknowledged[c, k]) * 1000.0 / Stopwatch.Frequency).Order().ToList();
        var p50 = lags[lags.Count / 2];
        var p99 = lags[(int)Math.Ceiling(lags.Count * 0.99) - 1];
        var report = string.Create(CultureInfo.InvariantCulture,
            $"SSE lag from acknowledgement to the stream, {callers} callers x {perCaller} commands sent in {sendingTook.TotalSeconds:F1} s: p50 {p50:F0} ms, p99 {p99:F0} ms, max {lags[^1]:F0} ms");
        TestContext.Current.SendDiagnosticMessage(report);
        Directory.CreateDirectory(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults"));
        await File.WriteAllTextAsync(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "live-lag.txt"), report + "\n");
        // The promise in the name. The daemon polls every 50 ms and the feed every 100 ms, so a second leaves
        // room for the load without hiding a feed that fell back to seconds (a 1.5 s feed poll fails it).
        Assert.True(p99 < 1_000, report);
    }

    private static int StrengthOf(ProvinceReadinessView view, string communeId) =>
        view.Districts.SelectMany(d => d.Communes).SingleOrDefault(c => c.Id == communeId)?.ActualStrength ?? -1;

    [Fact]
    public async Task A_sequence_number_left_behind_by_a_rolled_back_append_holds_the_views_back_less_than_a_second()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.EventuallyAsync<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness", v => CommuneStrength(v) == 0);
        var held = new List<double>();
        for (var round = 1; round <= 3; round++)
        {
            await silo.Database.LeaveSequenceHoleAsync();
            await silo.AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), tree.CommuneId, ForceType.MilitiaSelfDefence, 1));
            var clock = Stopwatch.StartNew();
            await silo.EventuallyAsync<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness", v => CommuneStrength(v) == round, TimeSpan.FromSeconds(10));
            held.Add(clock.Elapsed.TotalMilliseconds);
        }
        var report = string.Create(CultureInfo.InvariantCulture, $"time from acknowledgement to the view, past a sequence gap: {string.Join(", ", held.Select(ms => $"{ms:F0} ms"))}");
        TestContext.Current.SendDiagnosticMessage(report);
        // Marten's default waits 3 s before it passes a gap; the store waits a tenth of a second, and
        // only once PostgreSQL shows no transaction alive that could still fill it.
        Assert.True(held.Max() < 1_000, report);
    }

    [Fact]
    public async Task A_client_that_reconnects_with_Last_Event_ID_misses_nothing()
    {
        var tree = await silo.NewProvinceAsync();
        var first = await silo.EventuallyAsync<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness", v => CommuneStrength(v) == 0);
        long lastId = 0;
        await ReadStream(tree.ProvinceId, null, e => { lastId = e.Id; return e.Id < first.Sequence; }, TimeSpan.FromSeconds(10));
        Assert.Equal(first.Sequence, lastId);

        // Away: three reports arrive and are projected.
        foreach (var count in new[] { 2, 3, 4 })
        {
            await silo.AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), tree.CommuneId, ForceType.Standing, count));
        }
        var now = await silo.EventuallyAsync<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness", v => CommuneStrength(v) == 9);

        LiveEvent? resumed = null;
        await ReadStream(tree.ProvinceId, lastId, e => { resumed = e; return false; }, TimeSpan.FromSeconds(10));

        Assert.NotNull(resumed);
        // The feed names a view by the last event that changed it, which the document's sequence may have
        // passed by an event that changed nothing shown (seen once in a full run: 6,920 against 6,921).
        Assert.InRange(resumed.Id, lastId + 1, now.Sequence);
        Assert.Equal(9, CommuneStrength(resumed.View));
    }

    [Fact]
    public async Task A_stream_for_an_unknown_province_is_a_404_problem()
    {
        using var response = await silo.Http.GetAsync(new Uri("/api/provinces/atlantis/live", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("atlantis", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_projection_lag_endpoint_reports_the_province_projection_caught_up()
    {
        var lag = await silo.EventuallyAsync<List<JsonElement>>("/api/projections",
            l => l.Count == 1 && l[0].GetProperty("lagEvents").GetInt64() == 0, TimeSpan.FromSeconds(30));

        Assert.Equal("province-roster", lag[0].GetProperty("projection").GetString());
        Assert.True(lag[0].GetProperty("position").GetInt64() > 6_000);
    }
}
