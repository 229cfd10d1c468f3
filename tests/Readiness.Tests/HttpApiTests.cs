using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The public routes as another system calls them.</summary>
public class HttpApiTests(SiloFixture silo)
{
    private HttpClient Http => silo.Http;

    [Fact]
    public async Task Ready_reports_each_dependency_once_everything_is_up()
    {
        using var response = await Http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"orleans\"", body, StringComparison.Ordinal);
        Assert.Contains("\"postgresql\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_public_route()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/provinces/{provinceId}/readiness", paths);
        Assert.Contains("/api/units/{unitId}", paths);
        Assert.Contains("/api/commands/register-unit", paths);
        Assert.Contains("/api/commands/enlist-recruits", paths);
    }

    [Fact]
    public async Task The_demo_province_shows_8_districts_and_108_communes()
    {
        await silo.WaitForProjectionsAsync();
        var view = await silo.EventuallyAsync<ProvinceReadinessView>("/api/provinces/bac-kan/readiness", _ => true);

        Assert.Equal("Bộ CHQS tỉnh Bắc Kạn", view.Name);
        Assert.Equal(8, view.Districts.Count);
        Assert.Equal(108, view.Districts.Sum(d => d.Communes.Count));
        Assert.Contains(view.Districts, d => d.Id == "bac-kan/pac-nam" && d.Communes.Count == 10);
        Assert.Equal(233, view.Units.Total);
        Assert.NotEqual(default, view.UpdatedAt);
    }

    [Fact]
    public async Task A_unit_is_found_by_its_path_id()
    {
        var unit = await Http.GetFromJsonAsync<UnitReadinessView>(new Uri("/api/units/bac-kan/ba-be/cho-ra", UriKind.Relative), SiloFixture.Json);

        Assert.Equal("Ban CHQS thị trấn Chợ Rã", unit!.Name);
        Assert.Equal(Echelon.Commune, unit.Echelon);
        Assert.Equal("bac-kan/ba-be", unit.ParentId);
    }

    [Fact]
    public async Task An_unknown_unit_is_a_404_problem_that_names_it()
    {
        using var response = await Http.GetAsync(new Uri("/api/units/bac-kan/ba-be/atlantis", UriKind.Relative));

        await AssertProblem(response, HttpStatusCode.NotFound, "bac-kan/ba-be/atlantis");
    }

    [Fact]
    public async Task Commands_are_applied_once_per_command_id()
    {
        var tree = await silo.NewProvinceAsync();
        var request = new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 5, 2024);

        using var first = await Http.PostAsJsonAsync("/api/commands/enlist-recruits", request, SiloFixture.Json);
        using var retry = await Http.PostAsJsonAsync("/api/commands/enlist-recruits", request, SiloFixture.Json);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var firstBody = await first.Content.ReadFromJsonAsync<CommandAccepted>(SiloFixture.Json);
        var retryBody = await retry.Content.ReadFromJsonAsync<CommandAccepted>(SiloFixture.Json);
        Assert.False(firstBody!.AlreadyApplied);
        Assert.True(retryBody!.AlreadyApplied);
        Assert.Equal(firstBody.Version, retryBody.Version);
        Assert.Equal(2, await silo.Database.CountEventsAsync(tree.CommuneId));
    }

    [Fact]
    public async Task Registering_a_unit_answers_201_with_its_location()
    {
        var tree = await silo.NewProvinceAsync();
        var unitId = $"{tree.CommuneId}/militia-platoon";

        using var response = await Http.PostAsJsonAsync("/api/commands/register-unit",
            new RegisterUnit(SiloFixture.NewId(), unitId, "Trung đội dân quân cơ động", Echelon.ForceUnit, null, 30), SiloFixture.Json);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/units/{unitId}", response.Headers.Location?.OriginalString);
        var view = await Http.GetFromJsonAsync<UnitReadinessView>(response.Headers.Location, SiloFixture.Json);
        Assert.Equal(30, view!.AuthorisedStrength);
        Assert.Equal(ReadinessLevel.R4, view.Level);
    }

    [Theory]
    [InlineData("""{"commandId":"c","unitId":"{commune}","count":0,"cohortYear":2024}""", HttpStatusCode.BadRequest, "at least 1")]
    [InlineData("""{"commandId":"c","unitId":"{commune}","count":-4,"cohortYear":2024}""", HttpStatusCode.BadRequest, "at least 1")]
    [InlineData("""{"commandId":"c","unitId":"{commune}","count":2,"cohortYear":2024,"occurredAt":"2099-01-01T00:00:00Z"}""", HttpStatusCode.BadRequest, "future")]
    [InlineData("""{"commandId":"c","unitId":"{commune}/ghost","count":2,"cohortYear":2024}""", HttpStatusCode.NotFound, "not registered")]
    [InlineData("""{"commandId":"c","unitId":"Not A Unit","count":2,"cohortYear":2024}""", HttpStatusCode.BadRequest, "not a valid unit id")]
    [InlineData("""{"unitId":"{commune}","count":2,"cohortYear":2024}""", HttpStatusCode.BadRequest, "commandId")]
    [InlineData("""{"commandId":"c","unitId":"{commune}","count":"many"}""", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("""{"commandId":"c","unitId":"{commune}",""", HttpStatusCode.BadRequest, "not valid JSON")]
    public async Task Bad_commands_get_a_problem_document_and_append_nothing(string body, HttpStatusCode status, string hint)
    {
        var tree = await silo.NewProvinceAsync();
        // Tampering tests delete events, so the count of events is not the newest sequence.
        var before = await silo.Database.ScalarAsync("SELECT coalesce(max(seq_id), 0) FROM readiness.mt_events");

        using var response = await Http.PostAsync(new Uri("/api/commands/enlist-recruits", UriKind.Relative),
            new StringContent(body.Replace("{commune}", tree.CommuneId, StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        await AssertProblem(response, status, hint);
        Assert.Equal(1, await silo.Database.CountEventsAsync(tree.CommuneId));
        Assert.Equal(0, await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE seq_id > @before AND stream_id LIKE @tree", ("before", before), ("tree", tree.ProvinceId + "%")));
    }

    private static async Task AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains(detailContains, problem.RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
