using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
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
        // docs/operations.md names what ready waits for: Orleans membership, PostgreSQL, the databases beside the
        // main one, schema and demo (one check, "startup"), the projections, and the audit's alarms. The silo's own registrations must be exactly those.
        string[] named = ["orleans", "postgresql", "province-databases", "startup", "projections", "audit-alarms"];
        var registered = silo.Host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations
            .Where(r => r.Tags.Contains("ready")).Select(r => r.Name).ToList();
        Assert.Equal(named.Order(), registered.Order());

        using var response = await Http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString());
        Assert.Equal(registered.Order(), checks.Keys.Order());
        Assert.All(checks, c => Assert.True(c.Value == "Healthy", $"{c.Key} is {c.Value}"));
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_every_public_route()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var documented = document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => HttpMethods.Contains(o.Name)).Select(o => $"{o.Name.ToUpperInvariant()} {p.Name}"))
            .ToHashSet(StringComparer.Ordinal);

        // What the silo actually serves, from its own endpoint table: every route that is not hidden
        // from the description on purpose (health, metrics, the dashboard's files) must be in the document.
        var endpoints = silo.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var served = endpoints
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription != true)
            .Where(e => e.RoutePattern.RawText is { } raw && raw.TrimStart('/').StartsWith("api/", StringComparison.Ordinal) ||
                e.RoutePattern.RawText?.Contains(".well-known", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {OpenApiPath(e.RoutePattern.RawText!)}"))
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(served.Count > 40, $"only {served.Count} routes found on the silo");
        var undocumented = served.Except(documented).Order().ToList();
        var unserved = documented.Except(served).Order().ToList();
        Assert.True(undocumented.Count == 0, "served but not in the document: " + string.Join(", ", undocumented));
        Assert.True(unserved.Count == 0, "in the document but not served: " + string.Join(", ", unserved));

        // And every route the table in docs/api.md names is served, the /api ones documented.
        var table = await File.ReadAllLinesAsync(Path.Combine(PostgresCluster.RepositoryRoot, "docs", "api.md"));
        var promised = table.Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => Regex.Matches(l.Split(" | ")[0], @"(GET|POST|PUT|DELETE) (/[^`\[?\s]+)").Select(m => (Method: m.Groups[1].Value, Path: m.Groups[2].Value)))
            .ToList();
        Assert.True(promised.Count >= 24, $"only {promised.Count} routes read from docs/api.md");
        var all = endpoints.SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} {OpenApiPath(e.RoutePattern.RawText ?? "")}")).ToList();
        foreach (var (method, path) in promised)
        {
            // The table writes one placeholder where the silo has a route per command, and may name a parameter differently.
            var pattern = new Regex("^" + method + " " + Regex.Replace(Regex.Escape(path), @"\\\{[^/]+?}", @"(\{[^}/]+}|[a-z-]+)") + "$");
            Assert.True(all.Any(pattern.IsMatch), $"docs/api.md names {method} {path}, which the silo does not serve");
            if (path.StartsWith("/api/", StringComparison.Ordinal))
            {
                Assert.True(documented.Any(pattern.IsMatch), $"docs/api.md names {method} {path}, which the OpenAPI document does not list");
            }
        }
    }

    private static readonly HashSet<string> HttpMethods = new(["get", "post", "put", "delete", "patch"], StringComparer.Ordinal);

    /// <summary>A route template as the OpenAPI document writes it: no catch-all stars, constraints, defaults or trailing slash.</summary>
    private static string OpenApiPath(string template) =>
        "/" + Regex.Replace(template.Trim('/'), @"\{\*{0,2}([^}:=?]+)[^}]*\}", "{$1}");

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
