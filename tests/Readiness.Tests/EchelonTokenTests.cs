using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Readiness.Abstractions;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A province that trusts its military region to read one province of its store, as viewer, with the region's own key.</summary>
public sealed class EchelonTrustingSilo() : OwnSilo("echelon", new Dictionary<string, string>
{
    ["Readiness:Auth:Echelons:0:Issuer"] = EchelonTrustingSilo.Region,
    ["Readiness:Auth:Echelons:0:PublicKeyPem"] = RegionKey.ExportSubjectPublicKeyInfoPem(),
    ["Readiness:Auth:Echelons:0:Scopes:0"] = Granted,
})
{
    public const string Region = "quan-khu-1";
    public const string Granted = "ech-tn";
    public const string Other = "ech-cb";

    /// <summary>The region's own signing key; the province holds only its public half.</summary>
    public static readonly ECDsa RegionKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
}

/// <summary>
/// Drill-down by the echelon above: the region reads a province with a token it signs itself, and the
/// province grants that token no more than it configured — reading, within the units it named.
/// </summary>
public class EchelonTokenTests(EchelonTrustingSilo fixture) : IClassFixture<EchelonTrustingSilo>
{
    [Fact]
    public async Task A_regions_own_token_reads_the_province_granted_it_and_no_other()
    {
        await RegisterProvincesAsync();
        using var region = Client(Token([EchelonTrustingSilo.Granted], [Access.Viewer]));

        Assert.Equal(HttpStatusCode.OK, (await region.GetAsync(new Uri($"/api/provinces/{EchelonTrustingSilo.Granted}/readiness", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await region.GetAsync(new Uri($"/api/provinces/{EchelonTrustingSilo.Other}/readiness", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await region.GetAsync(new Uri($"/api/provinces/{EchelonTrustingSilo.Granted}/units", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task A_regions_token_asking_for_everything_gets_only_reading_within_what_the_province_granted()
    {
        await RegisterProvincesAsync();
        using var region = Client(Token([Access.Everywhere], Access.Roles));

        Assert.Equal(HttpStatusCode.OK, (await region.GetAsync(new Uri($"/api/provinces/{EchelonTrustingSilo.Granted}/readiness", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await region.GetAsync(new Uri($"/api/provinces/{EchelonTrustingSilo.Other}/readiness", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await region.GetAsync(new Uri($"/api/audit/verify?area={EchelonTrustingSilo.Granted}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await region.GetAsync(new Uri("/api/admin/tokens", UriKind.Relative))).StatusCode);
        var report = await region.PostAsJsonAsync(new Uri("/api/commands/record-outreach-session", UriKind.Relative),
            new RecordOutreachSession(SiloFixture.NewId(), EchelonTrustingSilo.Granted, "Không được", 10, DateTimeOffset.UtcNow), SiloFixture.Json);
        Assert.Equal(HttpStatusCode.Forbidden, report.StatusCode);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_for_the_region_or_by_the_regions_key_for_the_province_is_refused()
    {
        await RegisterProvincesAsync();
        using var impostor = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var forged = Client(EchelonToken.Mint(impostor, EchelonTrustingSilo.Region, "readiness-api", "impostor", [EchelonTrustingSilo.Granted], [Access.Viewer], TimeSpan.FromMinutes(5)));
        using var asProvince = Client(EchelonToken.Mint(EchelonTrustingSilo.RegionKey, "readiness", "readiness-api", "region-as-province", [Access.Everywhere], Access.Roles, TimeSpan.FromMinutes(5)));
        using var elsewhere = Client(Token([EchelonTrustingSilo.Other], [Access.Viewer]));

        var path = new Uri($"/api/provinces/{EchelonTrustingSilo.Granted}/readiness", UriKind.Relative);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asProvince.GetAsync(path)).StatusCode);
        var refused = await elsewhere.GetAsync(new Uri($"/api/provinces/{EchelonTrustingSilo.Other}/readiness", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains($"within {EchelonTrustingSilo.Granted}", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("admin", "ech-tn", "never reports or administers")]
    [InlineData("reporter", "ech-tn", "never reports or administers")]
    [InlineData("viewer", "*", "never granted '*'")]
    public void An_echelon_granted_reporting_or_everything_makes_the_silo_refuse_to_start_naming_it(string role, string scope, string problem)
    {
        var auth = new Silo.Security.AuthOptions
        {
            Echelons = [new() { Issuer = EchelonTrustingSilo.Region, PublicKeyPem = EchelonTrustingSilo.RegionKey.ExportSubjectPublicKeyInfoPem(), Scopes = [scope], Roles = [role] }],
        };

        var refused = Assert.Throws<InvalidOperationException>(() => new Silo.Security.EchelonTokens(auth));

        Assert.Contains(EchelonTrustingSilo.Region, refused.Message, StringComparison.Ordinal);
        Assert.Contains(problem, refused.Message, StringComparison.Ordinal);
    }

    private static string Token(IEnumerable<string> scopes, IEnumerable<string> roles) =>
        EchelonToken.Mint(EchelonTrustingSilo.RegionKey, EchelonTrustingSilo.Region, "readiness-api", "truc-ban-quan-khu", scopes, roles, TimeSpan.FromMinutes(5));

    private HttpClient Client(string token) => fixture.Host.ClientWith(token);

    private async Task RegisterProvincesAsync()
    {
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        foreach (var province in new[] { EchelonTrustingSilo.Granted, EchelonTrustingSilo.Other })
        {
            var result = await fixture.Host.Grains.GetGrain<IUnitGrain>(province)
                .Execute(new RegisterUnit($"register-{province}", province, "Tỉnh thử", Echelon.Province, null, 100, at));
            Assert.True(result.Accepted, result.Rejection?.Message);
        }
        // A province's view answers once the daemon has projected it; until then it is 404 to everyone.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        foreach (var province in new[] { EchelonTrustingSilo.Granted, EchelonTrustingSilo.Other })
        {
            while ((await fixture.Http.GetAsync(new Uri($"/api/provinces/{province}/readiness", UriKind.Relative))).StatusCode != HttpStatusCode.OK)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, $"{province} was not projected within 30 s");
                await Task.Delay(100);
            }
        }
    }
}
