using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Domain.Tests;

/// <summary>The region's own registry: what a registration, a pinned set and a removal record, and what each refuses.</summary>
public sealed class RegionRegistryRulesTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose() => key.Dispose();

    private string Set(string purpose = UpwardReport.SignedPurpose, string kid = "report-1", string? status = null, string extra = "")
    {
        var p = key.ExportParameters(false);
        var statusMember = status is null ? string.Empty : $",\"status\":\"{status}\"";
        var (x, y) = (Base64Url.EncodeToString(p.Q.X), Base64Url.EncodeToString(p.Q.Y));
        return $$"""{"keys":[{"kty":"EC","crv":"P-256","kid":{{JsonSerializer.Serialize(kid)}},"x":"{{x}}","y":"{{y}}","purpose":"{{purpose}}"{{statusMember}}{{extra}}}]}""";
    }

    [Fact]
    public void A_province_is_registered_once_its_keys_pinned_again_and_removed()
    {
        var registry = RegionRegistry.Empty;
        var registered = RegionRegistryRules.Register(registry, "thai-nguyen", 600, Set(extra: ",\"use\":\"sig\",\"note\":\"kept out\""), "https://tn.example/.well-known/jwks.json", Now);
        var @event = Assert.IsType<ProvinceRegistered>(Assert.Single(registered.Events));
        // Only what a key needs is kept.
        Assert.DoesNotContain("note", @event.Keys, StringComparison.Ordinal);
        registry = RegionRegistryRules.Evolve(registry, @event);
        Assert.Equal(RejectionKind.Conflict, RegionRegistryRules.Register(registry, "thai-nguyen", 600, Set(), null, Now).Rejection?.Kind);

        var pinned = Assert.IsType<ProvinceKeysPinned>(Assert.Single(RegionRegistryRules.PinKeys(registry, "thai-nguyen", Set(kid: "report-2"), null, Now.AddDays(1)).Events));
        registry = RegionRegistryRules.Evolve(registry, pinned);
        Assert.Contains("report-2", registry.Of("thai-nguyen")!.Keys, StringComparison.Ordinal);
        Assert.Equal(Now, registry.Of("thai-nguyen")!.RegisteredAt);

        registry = RegionRegistryRules.Evolve(registry, Assert.Single(RegionRegistryRules.Unregister(registry, "thai-nguyen", Now).Events));
        Assert.Null(registry.Of("thai-nguyen"));
        Assert.Equal(RejectionKind.NotFound, RegionRegistryRules.PinKeys(registry, "thai-nguyen", Set(), null, Now).Rejection?.Kind);
    }

    [Theory]
    [InlineData("Thái Nguyên", "lower-case letters")]
    [InlineData("thai-nguyen/dai-tu", "the province's own id")]
    [InlineData("unregistered", "choose the province's own id")]
    [InlineData("thai\u200Bnguyen", "U+200B")]
    public void A_province_id_that_is_not_one_level_of_the_chain_of_command_is_refused(string id, string says) =>
        Assert.Contains(says, RegionRegistryRules.IdProblem(id), StringComparison.Ordinal);

    [Fact]
    public void A_set_without_a_report_key_that_signs_now_or_with_a_hidden_character_or_another_curve_is_refused_naming_what_to_fix()
    {
        Assert.Contains("has no key for 'readiness-upward-report/v1'", RegionRegistryRules.Pinned(Set(purpose: "readiness-tree-head/v1"), "keys").Problem, StringComparison.Ordinal);
        Assert.Contains("has no key for 'readiness-upward-report/v1' that signs now", RegionRegistryRules.Pinned(Set(status: "next"), "keys").Problem, StringComparison.Ordinal);
        Assert.Contains("keys.keys[0].kid holds the control character U+0007", RegionRegistryRules.Pinned(Set(kid: "a\u0007"), "keys").Problem, StringComparison.Ordinal);
        Assert.Contains("crv 'P-256'", RegionRegistryRules.Pinned(Set().Replace("P-256", "P-384", StringComparison.Ordinal), "keys").Problem, StringComparison.Ordinal);
        Assert.Contains("is not JSON", RegionRegistryRules.Pinned("{", "keys").Problem, StringComparison.Ordinal);
        Assert.Null(RegionRegistryRules.Pinned(Set(), "keys").Problem);
    }
}
