using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Contracts;
using Readiness.Domain;
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

        Readiness.Grains.Storage.AuditContext.SetReporter(["bac-kan"], mayReport: true);
        var foreign = await silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId).Execute(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10));
        Readiness.Grains.Storage.AuditContext.SetReporter([tree.DistrictId], mayReport: false);
        var noRole = await silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId).Execute(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10));
        Readiness.Grains.Storage.AuditContext.SetReporter([tree.DistrictId], mayReport: true);
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

    private Task<long> EventsOf(string provinceId) =>
        silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE stream_id = @p OR stream_id LIKE @sub OR stream_id LIKE @x OR stream_id LIKE @post",
            ("p", provinceId), ("sub", provinceId + "/%"), ("x", "exercise:" + provinceId + "/%"), ("post", "post:" + provinceId + "/%"));
}
