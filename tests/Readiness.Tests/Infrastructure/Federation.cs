using System.Globalization;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Silo.Security;

namespace Readiness.Tests.Infrastructure;

/// <summary>A province the region trusts: the public halves of its report key and its head key, and how often it reports.</summary>
public sealed record TrustedProvince(string Id, PublicJwk ReportKey, PublicJwk HeadKey, int IntervalSeconds);

/// <summary>
/// The settings of both ends of an upward report, for tests that run a province's silo reporting to a region's
/// silo on loopback: what each end pins of the other is the part a test gets wrong most easily.
/// </summary>
public static class Federation
{
    /// <summary>A province reporting every <paramref name="intervalSeconds"/> to the region on <paramref name="regionPort"/>, retrying every second.</summary>
    public static Dictionary<string, string> ProvinceReportingTo(int regionPort, string witnessKeysFile, int intervalSeconds) => new()
    {
        ["Readiness:UpwardReports:Endpoints:0:Name"] = "quan-khu",
        ["Readiness:UpwardReports:Endpoints:0:WitnessKeysFile"] = witnessKeysFile,
        ["Readiness:UpwardReports:Endpoints:0:Url"] = $"http://127.0.0.1:{regionPort}/api/region/reports",
        ["Readiness:UpwardReports:PollSeconds"] = "1",
        ["Readiness:UpwardReports:MaxBackoffSeconds"] = "1",
        ["Readiness:UpwardReports:IntervalSeconds"] = intervalSeconds.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Writes the public half of <paramref name="regionKeyPem"/> to <paramref name="file"/> as the region's cosigning key the province pins.</summary>
    public static void PinWitnessKey(string file, string regionKeyPem)
    {
        using var key = Es256Key.FromPem(regionKeyPem, "witness");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, JsonSerializer.Serialize(new PublicJwkSet([key.PublicKey with { Purpose = CosignedHead.SignedPurpose }]), SiloFixture.Json));
    }

    /// <summary>The keys of a province silo started by <see cref="SiloHost"/>, as the region pins them.</summary>
    public static TrustedProvince SiloHostProvince(string id, int intervalSeconds) =>
        new(id, Es256Key.FromPem(SiloHost.ReportKeyPem, "r").PublicKey, Es256Key.FromPem(SiloHost.HeadKeyPem, "h").PublicKey, intervalSeconds);

    /// <summary>A region signing with <paramref name="regionKeyPem"/> that trusts <paramref name="provinces"/>, each key pinned for its purpose.</summary>
    public static Dictionary<string, string> Region(string regionKeyPem, IReadOnlyList<TrustedProvince> provinces)
    {
        var settings = new Dictionary<string, string>
        {
            ["Readiness:Region:Enabled"] = "true",
            ["Readiness:Region:Name"] = "quan-khu-thu",
            ["Readiness:Region:SigningKeyPem"] = regionKeyPem,
        };
        for (var i = 0; i < provinces.Count; i++)
        {
            var province = provinces[i];
            settings[$"Readiness:Region:Provinces:{i}:Id"] = province.Id;
            settings[$"Readiness:Region:Provinces:{i}:IntervalSeconds"] = province.IntervalSeconds.ToString(CultureInfo.InvariantCulture);
            var keys = new[] { province.ReportKey with { Purpose = UpwardReport.SignedPurpose }, province.HeadKey with { Purpose = TreeHeadText.Purpose } };
            for (var k = 0; k < keys.Length; k++)
            {
                settings[$"Readiness:Region:Provinces:{i}:Keys:{k}:Kid"] = keys[k].Kid;
                settings[$"Readiness:Region:Provinces:{i}:Keys:{k}:X"] = keys[k].X;
                settings[$"Readiness:Region:Provinces:{i}:Keys:{k}:Y"] = keys[k].Y;
                settings[$"Readiness:Region:Provinces:{i}:Keys:{k}:Purpose"] = keys[k].Purpose!;
            }
        }
        return settings;
    }
}
