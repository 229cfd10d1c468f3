using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>What an auditor relies on: who recorded what and when, and that nobody changed it since.</summary>
public class AuditTests(SiloFixture silo)
{
    private static readonly DateTimeOffset LongAgo = new(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(7));

    private HttpClient Http => silo.Http;

    [Fact]
    public async Task An_event_records_who_sent_it_when_it_happened_when_it_was_recorded_and_for_which_command()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: LongAgo);
        var happened = DateTimeOffset.Parse("2025-03-04T09:30:00+07:00", System.Globalization.CultureInfo.InvariantCulture);
        var commandId = SiloFixture.NewId();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/commands/enlist-recruits")
        {
            Content = JsonContent.Create(new EnlistRecruits(commandId, tree.CommuneId, 7, 2025, happened), options: SiloFixture.Json),
        };
        request.Headers.Add("X-Correlation-Id", "region-batch-42");
        var before = DateTimeOffset.UtcNow;
        (await Http.SendAsync(request)).EnsureSuccessStatusCode();

        var page = await History($"/api/history?unit={tree.CommuneId}&kind=RecruitsEnlisted");

        var entry = Assert.Single(page.Events);
        Assert.Equal("RecruitsEnlisted", entry.Kind);
        Assert.Equal(happened, entry.OccurredAt);
        Assert.InRange(entry.RecordedAt, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal("test", entry.RecordedBy);
        Assert.Equal(commandId, entry.CommandId);
        Assert.Equal("region-batch-42", entry.CorrelationId);
        // This silo exports no traces, so no span appended it; a traced silo names its decision (TelemetryTests).
        Assert.Null(entry.CausationId);
        Assert.Matches("^[0-9a-f]{64}$", entry.Hash);
        Assert.Equal(7, entry.Data.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Without_a_correlation_id_an_event_is_correlated_by_the_trace_its_request_came_in()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: LongAgo);
        var commandId = SiloFixture.NewId();
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/commands/record-outreach-session")
        {
            Content = JsonContent.Create(new RecordOutreachSession(commandId, tree.CommuneId, "Luật", 30), options: SiloFixture.Json),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        (await Http.SendAsync(request)).EnsureSuccessStatusCode();

        var page = await History($"/api/history?unit={tree.CommuneId}&kind=OutreachSessionHeld");

        Assert.Equal(traceId, Assert.Single(page.Events, e => e.CommandId == commandId).CorrelationId);
    }

    [Fact]
    public async Task The_demo_was_recorded_by_the_system()
    {
        var page = await History("/api/history?unit=bac-kan&limit=1");

        Assert.Equal("system:demo", Assert.Single(page.Events).RecordedBy);
    }

    [Fact]
    public async Task History_pages_follow_each_other_without_gap_or_overlap()
    {
        var tree = await silo.NewProvinceAsync();
        for (var n = 0; n < 5; n++)
        {
            await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, $"Buổi {n}", 10 + n, DateTimeOffset.UtcNow.AddDays(-n - 1)));
        }

        var seen = new List<HistoryEntry>();
        var next = $"/api/provinces/{tree.ProvinceId}/history?limit=3";
        var pages = 0;
        while (next is not null)
        {
            var page = await History(next);
            Assert.InRange(page.Events.Count, 1, 3);
            seen.AddRange(page.Events);
            next = page.Next;
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(8, seen.Count);
        Assert.Equal(seen.Select(e => e.Sequence).Order(), seen.Select(e => e.Sequence));
        Assert.Equal(8, seen.Select(e => e.EventId).Distinct().Count());
        Assert.All(seen, e => Assert.StartsWith(tree.ProvinceId, e.Stream, StringComparison.Ordinal));
    }

    [Fact]
    public async Task History_is_narrowed_by_district_kind_and_when_it_happened()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: LongAgo);
        var otherDistrict = $"{tree.ProvinceId}/district-b";
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), otherDistrict, "Other district", Echelon.District, null, 5, LongAgo));
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Tháng 1", 30,
            DateTimeOffset.Parse("2025-01-10T08:00:00+07:00", System.Globalization.CultureInfo.InvariantCulture)));
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Tháng 6", 40,
            DateTimeOffset.Parse("2025-06-10T08:00:00+07:00", System.Globalization.CultureInfo.InvariantCulture)));
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), otherDistrict, "Khác", 50,
            DateTimeOffset.Parse("2025-06-11T08:00:00+07:00", System.Globalization.CultureInfo.InvariantCulture)));

        var district = await History($"/api/provinces/{tree.ProvinceId}/history?district=district-a&kind=OutreachSessionHeld");
        var june = await History($"/api/provinces/{tree.ProvinceId}/history?kind=OutreachSessionHeld&from=2025-06-01T00:00:00%2B07:00&to=2025-07-01T00:00:00%2B07:00");

        Assert.Equal([30, 40], district.Events.Select(e => e.Data.GetProperty("attendances").GetInt32()));
        Assert.Equal([40, 50], june.Events.Select(e => e.Data.GetProperty("attendances").GetInt32()));
    }

    [Theory]
    [InlineData("/api/history?unit=bac-kan&limit=0", "limit")]
    [InlineData("/api/history?unit=bac-kan&limit=100000", "limit")]
    [InlineData("/api/history?unit=bac-kan&kind=RecruitsDeserted", "Unknown event kind")]
    [InlineData("/api/history?unit=Bac_Kan", "not a valid unit id")]
    [InlineData("/api/history", "exactly one actor")]
    [InlineData("/api/provinces/bac-kan/history?from=yesterday", "from")]
    public async Task A_bad_history_query_is_refused_with_a_problem(string path, string detail)
    {
        using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detail, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_province_verifies_intact()
    {
        var report = await Verify("area=bac-kan");

        Assert.True(report.Intact, report.FirstBreak?.ToString());
        Assert.Equal(await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_streams WHERE id = 'bac-kan' OR id LIKE 'bac-kan/%' " +
            "OR id LIKE 'exercise:bac-kan/%' OR id LIKE 'post:bac-kan/%'"), report.StreamsChecked);
        Assert.True(report.EventsChecked > 6000, $"{report.EventsChecked} events checked");
        Assert.Null(report.FirstBreak);
    }

    [Fact]
    public async Task Chain_heads_are_the_hash_of_each_streams_last_event()
    {
        var tree = await silo.NewProvinceAsync();
        var last = await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Cuối", 12, DateTimeOffset.UtcNow.AddHours(-1)));

        var heads = await Http.GetFromJsonAsync<List<ChainHead>>(new Uri($"/api/provinces/{tree.ProvinceId}/chain-heads", UriKind.Relative), SiloFixture.Json);
        var history = await History($"/api/history?unit={tree.CommuneId}");

        Assert.Equal(3, heads!.Count);
        var head = Assert.Single(heads, h => h.Stream == tree.CommuneId);
        Assert.Equal(last.Version, head.Version);
        Assert.Equal(history.Events[^1].Hash, head.Hash);
    }

    private async Task<HistoryPage> History(string path) =>
        (await Http.GetFromJsonAsync<HistoryPage>(new Uri(path, UriKind.Relative), SiloFixture.Json))!;

    private async Task<VerifyReport> Verify(string query) =>
        (await Http.GetFromJsonAsync<VerifyReport>(new Uri($"/api/audit/verify?{query}", UriKind.Relative), SiloFixture.Json))!;
}
