using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The year-end report of the demo province reproduces the real 2024 report, and each figure leads to its events.</summary>
public class YearReportTests(SiloFixture silo)
{
    private ReadinessClient Client => new(silo.Http);

    [Fact]
    public async Task The_2024_report_of_bac_kan_has_the_real_reports_figures()
    {
        await silo.WaitForProjectionsAsync();
        var report = await Client.GetYearReportAsync("bac-kan", 2024);
        var total = report.Total.Figures;

        Assert.Equal("vi", report.Language);
        Assert.Equal(587, total["outreach.sessions"].Value);
        Assert.Equal(52_318, total["outreach.attendances"].Value);
        Assert.Equal(8_946, total["education.pupilsAndStudents"].Value);
        Assert.Equal(108, total["partyCells.active"].Value);
        Assert.Equal(108, total["communes.registered"].Value);
        Assert.Equal(5, total["awards.meritCertificateProvincialCommittee.collective"].Value);
        Assert.Equal(10, total["awards.meritCertificateProvincialCommittee.individual"].Value);
        Assert.Equal(20, total["awards.commendationCertificateProvinceCommand.collective"].Value);
        Assert.Equal(42, total["awards.commendationCertificateProvinceCommand.individual"].Value);
        Assert.Equal(20, total["awards.advancedUnit.collective"].Value);
        Assert.Equal(44, total["awards.grassrootsEmulationSoldier.individual"].Value);
        Assert.Equal(131, total["awards.advancedSoldier.individual"].Value);
        Assert.Equal(["Quyết thắng"], report.Movements);
        Assert.Equal(1.0, total["duty.combatReadiness.coverage"].Value);
        Assert.Equal(1.0, total["duty.searchAndRescue.coverage"].Value);
        Assert.Equal(0, total["duty.combatReadiness.overdue"].Value);
        Assert.Equal(total["exercises.district.planned"].Value, total["exercises.district.excellent"].Value);
        Assert.Equal(total["exercises.commune.planned"].Value, total["exercises.commune.excellent"].Value);
        Assert.True(total["exercises.commune.excellent"].Value > 0);
        Assert.Equal(total["conscription.quota"].Value, total["conscription.handedOver"].Value);

        Assert.Equal(8, report.Districts.Count);
        Assert.Equal(10, report.Districts.Single(d => d.UnitId == "bac-kan/pac-nam").Figures["communes.registered"].Value);
        Assert.Equal(8, report.Districts.Single(d => d.UnitId == "bac-kan/thanh-pho-bac-kan").Figures["partyCells.active"].Value);
        // Districts and the province command add up to the province.
        foreach (var key in total.Keys.Where(k => !k.EndsWith(".coverage", StringComparison.Ordinal)))
        {
            Assert.Equal(total[key].Value, report.ProvinceCommand.Figures[key].Value + report.Districts.Sum(d => d.Figures[key].Value));
        }

        Assert.Equal(
            [
                "Duy trì nghiêm túc chế độ trực sẵn sàng chiến đấu, trực cứu hộ, cứu nạn suốt cả năm.",
                "Giáo dục quốc phòng và an ninh cho 8.946 học sinh, sinh viên.",
                "Tổ chức 587 buổi tuyên truyền kiến thức quốc phòng, an ninh với 52.318 lượt người nghe.",
                "108 chi bộ quân sự hoạt động (108 Ban CHQS cấp xã).",
                "Bằng khen của Chủ tịch UBND tỉnh: 5 tập thể, 10 cá nhân.",
                "Giấy khen của Bộ CHQS tỉnh: 20 tập thể, 42 cá nhân.",
            ],
            report.Findings.Select(f => f.Text).Where(t => t.StartsWith("Duy trì", StringComparison.Ordinal) || t.StartsWith("Giáo dục", StringComparison.Ordinal)
                || t.StartsWith("Tổ chức", StringComparison.Ordinal) || t.StartsWith("108", StringComparison.Ordinal) || t.StartsWith("Bằng khen", StringComparison.Ordinal)
                || t.StartsWith("Giấy khen", StringComparison.Ordinal)));
        Assert.StartsWith("Hoàn thành toàn bộ diễn tập cấp huyện", report.Findings.Single(f => f.Key == "exercises").Text, StringComparison.Ordinal);
        Assert.StartsWith("Hoàn thành 100 % chỉ tiêu tuyển quân", report.Findings.Single(f => f.Key == "conscription").Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_figures_event_ids_are_events_of_the_right_kind_and_year_in_the_store()
    {
        await silo.WaitForProjectionsAsync();
        var report = await Client.GetYearReportAsync("bac-kan", 2024);

        await AssertEvents(report.Total.Figures["outreach.sessions"], 587, "outreach_session_held", occurredIn2024: true);
        await AssertEvents(report.Total.Figures["awards.advancedSoldier.individual"], 131, "award_conferred", occurredIn2024: true);
        await AssertEvents(report.Total.Figures["education.pupilsAndStudents"], 17, "defence_education_delivered", occurredIn2024: true);
        // Party cells rest on the events that established them, in earlier years.
        await AssertEvents(report.Total.Figures["partyCells.active"], 108, "party_cell_established", occurredIn2024: false);

        var attendances = await silo.Database.ScalarAsync(
            "SELECT sum((data->>'attendances')::bigint) FROM readiness.mt_events WHERE id = ANY(@ids)",
            ("ids", report.Total.Figures["outreach.attendances"].Events.ToArray()));
        Assert.Equal(52_318, attendances);
        var baBe = report.Districts.Single(d => d.UnitId == "bac-kan/ba-be").Figures["outreach.sessions"];
        Assert.Equal(0, await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE id = ANY(@ids) AND stream_id NOT LIKE 'bac-kan/ba-be/%'", ("ids", baBe.Events.ToArray())));
    }

    private async Task AssertEvents(ReportFigure figure, int count, string type, bool occurredIn2024)
    {
        Assert.Equal(count, figure.Events.Count);
        Assert.Equal(count, figure.Events.Distinct().Count());
        var ids = figure.Events.ToArray();
        Assert.Equal(count, await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE id = ANY(@ids) AND type = @type", ("ids", ids), ("type", type)));
        var inYear = await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE id = ANY(@ids) AND (data->>'occurredAt')::timestamptz >= '2024-01-01T00:00:00+07' " +
                "AND (data->>'occurredAt')::timestamptz < '2025-01-01T00:00:00+07'",
            ("ids", ids));
        Assert.Equal(occurredIn2024 ? count : 0, inYear);
    }

    [Fact]
    public async Task The_evidence_route_returns_the_events_behind_a_districts_figure()
    {
        await silo.WaitForProjectionsAsync();
        var report = await Client.GetYearReportAsync("bac-kan", 2024);
        var figure = report.Districts.Single(d => d.UnitId == "bac-kan/na-ri").Figures["awards.advancedSoldier.individual"];

        var events = await Client.GetYearReportEventsAsync("bac-kan", 2024, "awards.advancedSoldier.individual", "bac-kan/na-ri");

        Assert.Equal(figure.Events, events.Select(e => e.Id));
        Assert.All(events, e =>
        {
            Assert.Equal("AwardConferred", e.Type);
            Assert.StartsWith("bac-kan/na-ri", e.StreamKey, StringComparison.Ordinal);
        });
        using var missing = await silo.Http.GetAsync(new Uri("/api/provinces/bac-kan/reports/2024/events?figure=no.such", UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
    }

    [Fact]
    public async Task English_gives_the_same_figures_in_English()
    {
        await silo.WaitForProjectionsAsync();
        var vi = await Client.GetYearReportAsync("bac-kan", 2024, "vi");
        var en = await Client.GetYearReportAsync("bac-kan", 2024, "en");

        Assert.Equal("en", en.Language);
        Assert.Equal(vi.Total.Figures.Keys.Order(), en.Total.Figures.Keys.Order());
        Assert.All(vi.Total.Figures.Keys, k => Assert.Equal(vi.Total.Figures[k].Value, en.Total.Figures[k].Value));
        Assert.Equal("Year-end local-defence report 2024 — Bộ CHQS tỉnh Bắc Kạn", en.Title);
        Assert.Contains("587 outreach sessions on defence and security knowledge, with 52,318 attendances.", en.Findings.Select(f => f.Text));
        Assert.Contains("Combat-readiness duty and search-and-rescue duty were maintained strictly all year.", en.Findings.Select(f => f.Text));
    }

    [Theory]
    [InlineData("vi", "Báo cáo tổng kết công tác quốc phòng địa phương năm 2024", "Toàn tỉnh", "52.318", "Bằng khen của Chủ tịch UBND tỉnh")]
    [InlineData("en", "Year-end local-defence report 2024", "Province total", "52,318", "Certificates of merit from the provincial People&#39;s Committee")]
    public async Task The_html_report_is_a_printable_document_with_district_tables_and_its_basis(string lang, string title, string total, string attendances, string award)
    {
        await silo.WaitForProjectionsAsync();
        using var response = await silo.Http.GetAsync(new Uri($"/api/provinces/bac-kan/reports/2024?format=html&lang={lang}", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains($"<html lang=\"{lang}\">", html, StringComparison.Ordinal);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        Assert.Contains(title, html, StringComparison.Ordinal);
        Assert.Contains(total, html, StringComparison.Ordinal);
        Assert.Contains(attendances, html, StringComparison.Ordinal);
        Assert.Contains(award, html, StringComparison.Ordinal);
        // Each district has a row in each district table: 8 sections (duty … awards).
        Assert.Equal(8, Regex.Count(html, "<td>Ban CHQS huyện Pác Nặm</td>"));
        Assert.Contains("/api/provinces/bac-kan/reports/2024/events?figure=outreach.sessions&amp;unit=bac-kan%2Fba-be", html, StringComparison.Ordinal);
        Assert.Contains("data-events=\"587\"", html, StringComparison.Ordinal);
        Assert.Matches("<footer>[^<]*<p>[^<]*(sự kiện số|event sequence) \\d+", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Asking_for_html_in_the_accept_header_gives_html()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/provinces/bac-kan/reports/2024", UriKind.Relative));
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await silo.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Names_from_reports_are_escaped_in_the_html()
    {
        var at = new DateTimeOffset(2023, 5, 10, 9, 0, 0, TimeSpan.FromHours(7));
        var province = $"t{Guid.NewGuid():N}"[..12];
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh <b>thử</b>", Echelon.Province, null, 10, at.AddYears(-1)));
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), $"{province}/d", "Huyện <script>alert(1)</script> & \"Đông\"", Echelon.District, null, 10, at.AddYears(-1)));
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), $"{province}/d", "Luật", 12, at));

        var html = await silo.Http.GetStringAsync(new Uri($"/api/provinces/{province}/reports/2023?format=html", UriKind.Relative));

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>thử", html, StringComparison.Ordinal);
        Assert.Contains("Huyện &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Đông&quot;", html, StringComparison.Ordinal);
        Assert.Contains("Tỉnh &lt;b&gt;thử&lt;/b&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_small_province_is_reported_the_moment_its_events_are_stored()
    {
        var at = new DateTimeOffset(2023, 5, 10, 9, 0, 0, TimeSpan.FromHours(7));
        var tree = await silo.NewProvinceAsync(registeredAt: at.AddYears(-1));
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 40, at));
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 35, at.AddYears(1)));
        await silo.AcceptAsync(new ConferAward(SiloFixture.NewId(), tree.CommuneId, AwardKind.AdvancedUnit, RecipientKind.Collective, "Xã", "Quyết thắng", 2023, at));

        // No waiting for the projection: the report reads the events themselves.
        var report = await Client.GetYearReportAsync(tree.ProvinceId, 2023);

        Assert.Equal(1, report.Total.Figures["outreach.sessions"].Value);
        Assert.Equal(40, report.Districts.Single().Figures["outreach.attendances"].Value);
        Assert.Equal(1, report.Total.Figures["awards.advancedUnit.collective"].Value);
        Assert.Equal(0, report.Total.Figures["awards.advancedSoldier.individual"].Value);
    }

    [Theory]
    [InlineData("/api/provinces/khong-co/reports/2024", HttpStatusCode.NotFound, "khong-co")]
    [InlineData("/api/provinces/bac-kan/reports/20x4", HttpStatusCode.BadRequest, "20x4")]
    [InlineData("/api/provinces/bac-kan/reports/1800", HttpStatusCode.BadRequest, "1945")]
    [InlineData("/api/provinces/bac-kan/reports/9999", HttpStatusCode.BadRequest, "9999")]
    [InlineData("/api/provinces/bac-kan/reports/2024?lang=fr", HttpStatusCode.BadRequest, "'vi'")]
    [InlineData("/api/provinces/bac-kan/reports/2024?format=pdf", HttpStatusCode.BadRequest, "'html'")]
    public async Task Bad_requests_get_a_problem_that_says_what_to_fix(string path, HttpStatusCode status, string detailMentions)
    {
        using var response = await silo.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ApiProblem>(SiloFixture.Json);
        Assert.Contains(detailMentions, problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_reports_an_unknown_province_as_a_404_problem()
    {
        var ex = await Assert.ThrowsAsync<ReadinessApiException>(() => Client.GetYearReportAsync("khong-co", 2024));

        Assert.Equal(404, ex.StatusCode);
    }
}
