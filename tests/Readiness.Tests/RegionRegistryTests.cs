using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Readiness.Contracts;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A region's silo with one province in its configuration and none registered otherwise, and a small
/// server standing for a province's <c>/.well-known/jwks.json</c>, whose keys a test changes.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public const string Configured = "tinh-cau-hinh";

    private readonly string regionKeyPem = Es256Key.NewPem();
    private readonly Dictionary<string, string> settings = [];
    private WebApplication? jwksServer;

    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Region { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>What the province's key server publishes now.</summary>
    public string Published { get; set; } = "{}";

    public Uri JwksUrl { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("registry");
        using var configuredKey = Es256Key.FromPem(Es256Key.NewPem(), "configured");
        settings["Readiness:Region:Enabled"] = "true";
        settings["Readiness:Region:SigningKeyPem"] = regionKeyPem;
        settings["Readiness:Region:Provinces:0:Id"] = Configured;
        settings["Readiness:Region:Provinces:0:Keys:0:Kid"] = configuredKey.KeyId;
        settings["Readiness:Region:Provinces:0:Keys:0:X"] = configuredKey.PublicKey.X;
        settings["Readiness:Region:Provinces:0:Keys:0:Y"] = configuredKey.PublicKey.Y;
        settings["Readiness:Region:Provinces:0:Keys:0:Purpose"] = UpwardReport.SignedPurpose;
        await StartRegionAsync();

        var port = LoopbackPorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        jwksServer = builder.Build();
        jwksServer.Urls.Add($"http://127.0.0.1:{port}");
        jwksServer.MapGet("/.well-known/jwks.json", () => Results.Text(Published, "application/json"));
        await jwksServer.StartAsync();
        JwksUrl = new Uri($"http://127.0.0.1:{port}/.well-known/jwks.json");
    }

    /// <summary>Stops the region's silo and starts it again on the same database: what it registered is read back from its events.</summary>
    public async Task RestartRegionAsync()
    {
        Admin.Dispose();
        await Region.DisposeAsync();
        await StartRegionAsync();
    }

    private async Task StartRegionAsync()
    {
        Region = new SiloHost(Database, loadDemo: false, settings: settings);
        Admin = await Region.StartAndWaitUntilReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Region.DisposeAsync();
        if (jwksServer is not null)
        {
            await jwksServer.DisposeAsync();
        }
        await Database.DisposeAsync();
    }
}

public class RegionRegistryTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    private static readonly Uri Provinces = new("/api/region/provinces", UriKind.Relative);
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_province_registered_through_the_route_has_its_reports_taken_its_keys_rotated_by_pinning_again_and_survives_a_restart()
    {
        var province = $"tinh-{Guid.NewGuid():N}"[..16];
        using var first = Es256Key.FromPem(Es256Key.NewPem(), "first report key");
        using var second = Es256Key.FromPem(Es256Key.NewPem(), "second report key");

        // Before it is registered, its reports are refused as from a province the region does not know.
        await AssertReportAsync(province, 1, first, HttpStatusCode.Forbidden, "is not registered with this region");

        // Registered by the address of its JWK Set: fetched once, now, and pinned.
        registry.Published = Jwks(first);
        using (var registered = await registry.Admin.PostAsJsonAsync(Provinces, new { provinceId = province, intervalSeconds = 600, keysUrl = registry.JwksUrl }, Cancel))
        {
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            var answer = await registered.Content.ReadFromJsonAsync<JsonElement>(SiloFixture.Json, Cancel);
            Assert.Equal(first.KeyId, answer.GetProperty("keys").GetProperty("keys")[0].GetProperty("kid").GetString());
            Assert.Equal($"/api/region/provinces/{province}/registration", registered.Headers.Location?.OriginalString);
        }
        // The registration reads back at its location, with the address its keys came from.
        var shown = await registry.Admin.GetFromJsonAsync<JsonElement>(new Uri($"/api/region/provinces/{province}/registration", UriKind.Relative), SiloFixture.Json, Cancel);
        Assert.Equal(600, shown.GetProperty("intervalSeconds").GetInt32());
        Assert.Equal(registry.JwksUrl.ToString(), shown.GetProperty("keysUrl").GetString());
        Assert.Equal(first.KeyId, shown.GetProperty("keys").GetProperty("keys")[0].GetProperty("kid").GetString());
        await AssertReportAsync(province, 1, first, HttpStatusCode.OK);
        Assert.Contains(province, await ListedAsync());

        // The province rotates its key: the region does not fetch the set again by itself, so the new key's report is refused ...
        registry.Published = Jwks(second);
        await AssertReportAsync(province, 2, second, HttpStatusCode.Forbidden, "which is not among the keys given");
        // ... until an administrator pins the set again, without a restart; the old key then no longer signs for it.
        using (var pinned = await registry.Admin.PutAsJsonAsync(new Uri($"/api/region/provinces/{province}/keys", UriKind.Relative), new { keysUrl = registry.JwksUrl }, Cancel))
        {
            Assert.Equal(HttpStatusCode.OK, pinned.StatusCode);
        }
        await AssertReportAsync(province, 3, second, HttpStatusCode.OK);
        await AssertReportAsync(province, 4, first, HttpStatusCode.Forbidden, "which is not among the keys given");

        // Recorded in the region's own store: a restart reads the registration and the keys pinned last back.
        Assert.Equal(1, await RecordedAsync(province, "province_registered"));
        Assert.Equal(1, await RecordedAsync(province, "province_keys_pinned"));
        await registry.RestartRegionAsync();
        Assert.Contains(province, await ListedAsync());
        await AssertReportAsync(province, 5, second, HttpStatusCode.OK);

        // Removed: its reports are refused again; what it reported stays.
        using (var removed = await registry.Admin.DeleteAsync(new Uri($"/api/region/provinces/{province}", UriKind.Relative), Cancel))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
        await AssertReportAsync(province, 6, second, HttpStatusCode.Forbidden, "is not registered with this region");
        Assert.DoesNotContain(province, await ListedAsync());
    }

    [Fact]
    public async Task A_registration_by_someone_not_the_regions_administrator_with_a_bad_field_or_keys_that_cannot_be_fetched_is_refused_saying_what_to_fix_and_records_nothing()
    {
        using var key = Es256Key.FromPem(Es256Key.NewPem(), "key");
        var keys = JsonDocument.Parse(Jwks(key)).RootElement;
        object Body(string id) => new { provinceId = id, intervalSeconds = 600, keys };

        // Not an administrator, or one over a single province: registering a trust anchor is the whole region's business.
        using (var viewer = registry.Region.ClientWith(registry.Region.Token([Access.Everywhere], [Access.Viewer, Access.Reporter, Access.Auditor])))
        {
            await AssertProblemAsync(await viewer.PostAsJsonAsync(Provinces, Body("tinh-a"), Cancel), HttpStatusCode.Forbidden, null);
        }
        using (var provinceAdmin = registry.Region.ClientWith(registry.Region.Token(["tinh-a"], [Access.Admin])))
        {
            await AssertProblemAsync(await provinceAdmin.PostAsJsonAsync(Provinces, Body("tinh-a"), Cancel), HttpStatusCode.Forbidden, null);
        }

        Task<HttpResponseMessage> Register(object body, CancellationToken cancellationToken) => registry.Admin.PostAsJsonAsync(Provinces, body, cancellationToken);
        await AssertProblemAsync(await Register(Body("Thái Nguyên"), Cancel), HttpStatusCode.BadRequest, "lower-case letters, digits and single hyphens");
        await AssertProblemAsync(await Register(Body("tinh-a/huyen-b"), Cancel), HttpStatusCode.BadRequest, "give the province's own id");
        await AssertProblemAsync(await Register(Body("unregistered"), Cancel), HttpStatusCode.BadRequest, "choose the province's own id");
        await AssertProblemAsync(await Register(new { provinceId = "tinh-a", intervalSeconds = 0, keys }, Cancel), HttpStatusCode.BadRequest, "intervalSeconds must be at least 1");
        // The one input rule holds for the keys' texts too: a right-to-left override in a key's id.
        var hidden = JsonDocument.Parse(Jwks(key).Replace(key.KeyId, key.KeyId + "\u202E", StringComparison.Ordinal)).RootElement;
        await AssertProblemAsync(await Register(new { provinceId = "tinh-a", keys = hidden }, Cancel), HttpStatusCode.BadRequest, "keys.keys[0].kid holds the invisible format character U+202E");
        var headOnly = JsonDocument.Parse(Jwks(key, "readiness-tree-head/v1")).RootElement;
        await AssertProblemAsync(await Register(new { provinceId = "tinh-a", keys = headOnly }, Cancel), HttpStatusCode.BadRequest, "has no key for 'readiness-upward-report/v1'");
        await AssertProblemAsync(await Register(new { provinceId = "tinh-a" }, Cancel), HttpStatusCode.BadRequest, "either inline as 'keys'");
        await AssertProblemAsync(await Register(new { provinceId = "tinh-a", keysUrl = "file:///etc/passwd" }, Cancel), HttpStatusCode.BadRequest, "absolute http or https address");

        // Keys by an address that answers nothing usable: a 502 naming the address and why, and nothing registered.
        var missing = new Uri(registry.JwksUrl, "/no-such-file.json");
        await AssertProblemAsync(await Register(new { provinceId = "tinh-a", keysUrl = missing }, Cancel), HttpStatusCode.BadGateway, $"from {missing} failed: it answered 404");
        registry.Published = "not a key set";
        await AssertProblemAsync(await Register(new { provinceId = "tinh-a", keysUrl = registry.JwksUrl }, Cancel), HttpStatusCode.BadGateway, "is not JSON");
        var closed = new Uri($"http://127.0.0.1:{LoopbackPorts.Next()}/.well-known/jwks.json");
        await AssertProblemAsync(await Register(new { provinceId = "tinh-a", keysUrl = closed }, Cancel), HttpStatusCode.BadGateway, $"from {closed} failed");

        // A province of the configuration is changed there, not through the route; one registered already is pinned again, not registered twice.
        await AssertProblemAsync(await Register(Body(RegistryFixture.Configured), Cancel), HttpStatusCode.Conflict, "registered in the region's configuration");
        await AssertProblemAsync(await registry.Admin.PutAsJsonAsync(new Uri("/api/region/provinces/tinh-a/keys", UriKind.Relative), new { keys }, Cancel),
            HttpStatusCode.NotFound, "is not registered through this route");
        await AssertProblemAsync(await registry.Admin.GetAsync(new Uri("/api/region/provinces/tinh-a/registration", UriKind.Relative), Cancel),
            HttpStatusCode.NotFound, "is not registered through this API");
        await AssertProblemAsync(await registry.Admin.GetAsync(new Uri($"/api/region/provinces/{RegistryFixture.Configured}/registration", UriKind.Relative), Cancel),
            HttpStatusCode.Conflict, "registered in the region's configuration");

        Assert.Equal(0, await RecordedAsync("tinh-a"));
        Assert.DoesNotContain("tinh-a", await ListedAsync());
    }

    private Task<long> RecordedAsync(string province, string? type = null) => registry.Database.ScalarAsync(
        "SELECT count(*) FROM readiness.mt_events WHERE stream_id = 'registry:provinces' AND data->>'provinceId' = @p AND (@t = '' OR type = @t)",
        ("p", province), ("t", type ?? string.Empty));

    private static string Jwks(Es256Key key, string purpose = UpwardReport.SignedPurpose) =>
        JsonSerializer.Serialize(new PublicJwkSet([key.PublicKey with { Purpose = purpose }]), SiloFixture.Json);

    private async Task<List<string>> ListedAsync() =>
        [.. (await registry.Admin.GetFromJsonAsync<List<WitnessedProvince>>(Provinces, SiloFixture.Json, Cancel))!.Select(p => p.Id)];

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? detail)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(Cancel);
            Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
            if (detail is not null)
            {
                Assert.Contains(detail, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }
    }

    private async Task AssertReportAsync(string province, long number, Es256Key key, HttpStatusCode status, string? reason = null)
    {
        var report = new UpwardReport($"{province}/routine/{number}", province, "Tỉnh đăng ký", "routine", DateTimeOffset.UtcNow, ReadinessLevel.R2,
            new LevelCounts(1, 1, 0, 0), [], 0, 0, number, "digest", [], null, Log: "readiness_dk", ReportSequence: number);
        var body = JsonSerializer.Serialize(report, SiloFixture.Json);
        using var anonymous = new HttpClient { BaseAddress = registry.Region.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/region/reports", UriKind.Relative))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Readiness-Signature", key.SignDetached(Encoding.UTF8.GetBytes(body)));
        using var response = await anonymous.SendAsync(request, Cancel);
        var answer = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(status == response.StatusCode, $"Report {number} of {province}: expected {(int)status}, got {(int)response.StatusCode}: {answer}");
        if (reason is not null)
        {
            Assert.Contains(reason, answer, StringComparison.Ordinal);
        }
    }
}
