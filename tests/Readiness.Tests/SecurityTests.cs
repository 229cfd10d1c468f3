using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>Nothing is reached without a token; a token reaches only its scopes, and only for its roles.</summary>
public class SecurityTests(SiloFixture silo)
{
    public static TheoryData<string, string> WrongRoles => new()
    {
        { Access.Viewer, "/api/commands/record-outreach-session" },
        { Access.Auditor, "/api/commands/record-outreach-session" },
        { Access.Reporter, "/api/provinces/{p}/history" },
        { Access.Viewer, "/api/audit/verify?area={p}" },
        { Access.Viewer, "/api/export?area={p}" },
        { Access.Auditor, "/api/admin/projections" },
        { Access.Reporter, "/api/admin/tokens" },
    };

    [Theory]
    [MemberData(nameof(WrongRoles))]
    public async Task A_role_reaches_only_its_own_kind_of_work(string role, string route)
    {
        var tree = await silo.NewProvinceAsync();
        using var http = silo.Host.ClientWith(silo.Host.Token([tree.ProvinceId], [role]));
        var path = route.Replace("{p}", tree.ProvinceId, StringComparison.Ordinal);
        var before = await EventsOf(tree.ProvinceId);

        using var response = path.StartsWith("/api/commands/", StringComparison.Ordinal) || path.EndsWith("/tokens", StringComparison.Ordinal)
            ? await http.PostAsJsonAsync(path, new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10), SiloFixture.Json)
            : await http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, await EventsOf(tree.ProvinceId));
    }

    [Fact]
    public async Task A_reporter_submits_for_its_own_subtree_and_is_named_in_the_history()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        using var district = silo.Host.ClientWith(silo.Host.Token([tree.DistrictId], [Access.Reporter, Access.Viewer]));

        using var own = await district.PostAsJsonAsync("/api/commands/record-outreach-session", new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10), SiloFixture.Json);
        using var parent = await district.PostAsJsonAsync("/api/commands/record-outreach-session", new RecordOutreachSession(SiloFixture.NewId(), tree.ProvinceId, "Luật", 10), SiloFixture.Json);
        using var province = await district.GetAsync(new Uri($"/api/provinces/{tree.ProvinceId}/readiness", UriKind.Relative));
        using var itsDistrict = await district.GetAsync(new Uri($"/api/provinces/{tree.ProvinceId}/districts/district-a", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, parent.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, province.StatusCode);
        Assert.Equal(HttpStatusCode.OK, itsDistrict.StatusCode);
        var history = await silo.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?unit={tree.CommuneId}&kind=OutreachSessionHeld", UriKind.Relative), SiloFixture.Json);
        Assert.Equal("test", Assert.Single(history!.Events).RecordedBy);
    }

    [Fact]
    public async Task A_region_sees_the_provinces_it_holds_and_a_province_sees_only_itself()
    {
        var first = await silo.NewProvinceAsync();
        var second = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        using var region = silo.Host.ClientWith(silo.Host.Token([first.ProvinceId, second.ProvinceId], [Access.Viewer]));
        using var province = silo.Host.ClientWith(silo.Host.Token([first.ProvinceId], [Access.Viewer]));

        var regionSees = await region.GetFromJsonAsync<List<ProvinceAtAGlance>>(new Uri("/api/region/provinces", UriKind.Relative), SiloFixture.Json);
        var provinceSees = await province.GetFromJsonAsync<List<ProvinceAtAGlance>>(new Uri("/api/region/provinces", UriKind.Relative), SiloFixture.Json);
        using var drill = await region.GetAsync(new Uri($"/api/provinces/{second.ProvinceId}/readiness", UriKind.Relative));
        using var other = await province.GetAsync(new Uri($"/api/provinces/{second.ProvinceId}/readiness", UriKind.Relative));

        Assert.Equal(new[] { first.ProvinceId, second.ProvinceId }.Order(StringComparer.Ordinal), regionSees!.Select(p => p.Id).Order(StringComparer.Ordinal));
        Assert.Equal(3, regionSees![0].Units.Total);
        Assert.Equal([first.ProvinceId], provinceSees!.Select(p => p.Id));
        Assert.Equal(HttpStatusCode.OK, drill.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
    }

    [Fact]
    public async Task A_command_reaching_a_grain_outside_its_callers_scope_is_refused_there_too()
    {
        var tree = await silo.NewProvinceAsync();
        var before = await EventsOf(tree.ProvinceId);

        Readiness.Grains.Actors.CallerContext.SetReporter(["bac-kan"], mayReport: true);
        var foreign = await silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId).Execute(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10));
        Readiness.Grains.Actors.CallerContext.SetReporter([tree.DistrictId], mayReport: false);
        var noRole = await silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId).Execute(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10));
        Readiness.Grains.Actors.CallerContext.SetReporter([tree.DistrictId], mayReport: true);
        var own = await silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId).Execute(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10));

        Assert.Equal(RejectionKind.Forbidden, foreign.Rejection?.Kind);
        Assert.Equal(RejectionKind.Forbidden, noRole.Rejection?.Kind);
        Assert.True(own.Accepted, own.Rejection?.Message);
        Assert.Equal(before + 1, await EventsOf(tree.ProvinceId));
    }

    [Fact]
    public async Task A_forged_or_expired_token_is_refused()
    {
        var issuer = silo.Host.Services.GetRequiredService<TokenIssuer>();
        var forger = new TokenIssuer(TokenIssuer.KeyFrom("not-the-silos-key-but-just-as-long-0123456789"), new AuthOptions(), TimeProvider.System);
        var forged = forger.Mint(new TokenRequest("mallory", [Access.Everywhere], Access.Roles)).Token;
        var expired = issuer.Mint(new TokenRequest("late", [Access.Everywhere], Access.Roles, Hours: 1), notBefore: DateTimeOffset.UtcNow.AddHours(-2)).Token;
        var tampered = silo.Host.Token(["bac-kan"], [Access.Viewer])[..^2] + "AA";

        foreach (var token in new[] { forged, expired, tampered, "not-a-token" })
        {
            using var http = silo.Host.ClientWith(token);
            using var response = await http.GetAsync(new Uri("/api/provinces/bac-kan/readiness", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task An_administrator_mints_tokens_within_its_own_scope_only()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        using var admin = silo.Host.ClientWith(silo.Host.Token([tree.ProvinceId], [Access.Admin, Access.Viewer]));

        using var minted = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("ba-be-viewer", [tree.DistrictId], [Access.Viewer], 1), SiloFixture.Json);
        using var roleNotHeld = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("ba-be-reporter", [tree.DistrictId], [Access.Reporter], 1), SiloFixture.Json);
        using var beyond = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("thief", ["bac-kan"], [Access.Viewer], 1), SiloFixture.Json);
        using var nonsense = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("x", [tree.DistrictId], ["emperor"], 1), SiloFixture.Json);

        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, beyond.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, roleNotHeld.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nonsense.StatusCode);
        var token = (await minted.Content.ReadFromJsonAsync<MintedToken>(SiloFixture.Json))!.Token;
        using var viewer = silo.Host.ClientWith(token);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(new Uri($"/api/provinces/{tree.ProvinceId}/districts/district-a", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync(new Uri($"/api/provinces/{tree.ProvinceId}/readiness", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_before_it_is_read()
    {
        // Expect: 100-continue lets the client hear the refusal before it sends the body, as a careful client would;
        // without it the server may close the connection while the client is still writing.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/commands/record-outreach-session")
        {
            Content = new StringContent($$"""{"commandId":"x","unitId":"bac-kan","topic":"{{new string('a', 2 * 1024 * 1024)}}","attendances":1}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        using var response = await silo.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_revoked_token_is_refused_on_its_next_request_and_only_an_administrator_over_its_scopes_may_revoke_it()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        using var admin = silo.Host.ClientWith(silo.Host.Token([tree.ProvinceId], [Access.Admin, Access.Viewer]));
        using var otherAdmin = silo.Host.ClientWith(silo.Host.Token([tree.DistrictId + "b"], [Access.Admin, Access.Viewer]));
        using var minted = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("to-revoke", [tree.DistrictId], [Access.Viewer], 1), SiloFixture.Json);
        var token = (await minted.Content.ReadFromJsonAsync<MintedToken>(SiloFixture.Json))!;
        using var viewer = silo.Host.ClientWith(token.Token);
        var district = new Uri($"/api/provinces/{tree.ProvinceId}/districts/district-a", UriKind.Relative);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(district)).StatusCode);

        using var foreign = await otherAdmin.DeleteAsync(new Uri($"/api/admin/tokens/{token.TokenId}", UriKind.Relative));
        using var unknown = await admin.DeleteAsync(new Uri("/api/admin/tokens/no-such-token", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(district)).StatusCode);
        using var revoked = await admin.DeleteAsync(new Uri($"/api/admin/tokens/{token.TokenId}", UriKind.Relative));
        using var after = await viewer.GetAsync(district);

        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_minter_is_named_in_the_token_and_in_the_events_its_holder_records()
    {
        var tree = await silo.NewProvinceAsync();
        using var admin = silo.Host.ClientWith(silo.Host.Token([tree.ProvinceId], [Access.Admin, Access.Reporter], subject: "province-admin"));
        using var minted = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("commune-clerk", [tree.CommuneId], [Access.Reporter], 1), SiloFixture.Json);
        var token = (await minted.Content.ReadFromJsonAsync<MintedToken>(SiloFixture.Json))!;
        var payload = System.Text.Json.JsonDocument.Parse(Base64UrlDecode(token.Token.Split('.')[1])).RootElement;
        using var clerk = silo.Host.ClientWith(token.Token);

        using var recorded = await clerk.PostAsJsonAsync("/api/commands/record-outreach-session", new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10), SiloFixture.Json);

        Assert.Equal("province-admin", payload.GetProperty("act").GetProperty("sub").GetString());
        Assert.Equal(token.TokenId, payload.GetProperty("jti").GetString());
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        var history = await silo.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?unit={tree.CommuneId}&kind=OutreachSessionHeld", UriKind.Relative), SiloFixture.Json);
        var entry = Assert.Single(history!.Events);
        Assert.Equal("commune-clerk", entry.RecordedBy);
        Assert.Equal("province-admin", entry.TokenMintedBy);
    }

    [Fact]
    public async Task A_token_in_the_address_is_taken_nowhere_not_even_by_the_live_stream()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        var token = Uri.EscapeDataString(silo.Host.Token([tree.ProvinceId], [Access.Viewer]));
        using var anonymous = silo.Host.ClientWith(null);

        using var view = await anonymous.GetAsync(new Uri($"/api/provinces/{tree.ProvinceId}/readiness?access_token={token}", UriKind.Relative));
        using var live = await anonymous.GetAsync(new Uri($"/api/provinces/{tree.ProvinceId}/live?access_token={token}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, view.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, live.StatusCode);
    }

    [Fact]
    public async Task Views_of_the_past_need_the_auditor_role()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        using var viewer = silo.Host.ClientWith(silo.Host.Token([tree.ProvinceId], [Access.Viewer]));
        using var auditor = silo.Host.ClientWith(silo.Host.Token([tree.ProvinceId], [Access.Auditor]));
        var asOf = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O", System.Globalization.CultureInfo.InvariantCulture));

        foreach (var path in new[] { $"/api/provinces/{tree.ProvinceId}/readiness", $"/api/units/{tree.CommuneId}" })
        {
            using var now = await viewer.GetAsync(new Uri(path, UriKind.Relative));
            using var pastByViewer = await viewer.GetAsync(new Uri($"{path}?asOf={asOf}", UriKind.Relative));
            using var knownByViewer = await viewer.GetAsync(new Uri($"{path}?knownAt={asOf}", UriKind.Relative));
            using var pastByAuditor = await auditor.GetAsync(new Uri($"{path}?asOf={asOf}", UriKind.Relative));

            Assert.Equal(HttpStatusCode.OK, now.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, pastByViewer.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, knownByViewer.StatusCode);
            Assert.Equal(HttpStatusCode.OK, pastByAuditor.StatusCode);
        }
    }

    [Fact]
    public async Task Metrics_need_a_token_over_every_province()
    {
        using var anonymous = silo.Host.ClientWith(null);
        using var province = silo.Host.ClientWith(silo.Host.Token(["bac-kan"], [Access.Viewer]));

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await province.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        Assert.Contains("readiness_", await silo.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme_on_every_route_that_needs_it_and_integers_as_integers()
    {
        using var anonymous = silo.Host.ClientWith(null);
        var document = System.Text.Json.Nodes.JsonNode.Parse(await anonymous.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;

        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["bearer"]!["scheme"]);
        var unsecured = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                // Keys are public, and a province's report to the region is admitted by its signature with a pinned key, not by a token.
                var needsToken = !path.StartsWith("/.well-known/", StringComparison.Ordinal) && path != "/api/region/reports";
                var declared = operation!["security"]?.AsArray().Any(r => r!.AsObject().ContainsKey("bearer")) == true;
                if (needsToken != declared)
                {
                    unsecured.Add($"{method} {path}");
                }
            }
        }
        Assert.Empty(unsecured);
        var text = document.ToJsonString();
        Assert.DoesNotContain("\u0022string\u0022,\u0022integer", text, StringComparison.Ordinal);
        var attendances = document["components"]!["schemas"]!["RecordOutreachSession"]!["properties"]!["attendances"]!;
        Assert.Equal("integer", (string?)attendances["type"]);
        Assert.Null(attendances["pattern"]);
    }

    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData("Staging", null, false)]
    [InlineData("Production", true, true)]
    [InlineData("Development", false, false)]
    public void The_demo_province_loads_only_in_Development_unless_a_setting_says_otherwise(string environment, bool? setting, bool loads)
    {
        var options = new ConfigurationBuilder()
            .AddInMemoryCollection(setting is null ? [] : [new("Readiness:Demo:Enabled", setting.Value ? "true" : "false")])
            .Build().GetSection("Readiness").Get<Readiness.Silo.Hosting.ReadinessOptions>() ?? new Readiness.Silo.Hosting.ReadinessOptions();
        var host = new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = environment };

        Assert.Equal(loads, options.Demo.EnabledIn(host));
    }

    private static byte[] Base64UrlDecode(string text) => Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/').PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));

    private Task<long> EventsOf(string provinceId) =>
        silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE stream_id = @p OR stream_id LIKE @sub OR stream_id LIKE @x OR stream_id LIKE @post",
            ("p", provinceId), ("sub", provinceId + "/%"), ("x", "exercise:" + provinceId + "/%"), ("post", "post:" + provinceId + "/%"));
}
