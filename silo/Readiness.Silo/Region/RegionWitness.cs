using System.Text;
using System.Text.Json.Nodes;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Silo.Security;

namespace Readiness.Silo.Region;

/// <summary>
/// The region role's trust and signature: the provinces it takes reports from, each with its pinned keys as
/// one JWK Set, and the key it cosigns their heads with. Read once at start, so a key file that is missing
/// or holds no key stops the silo before it takes a report.
/// </summary>
public sealed class RegionWitness : IPublishesKeys
{
    /// <summary>Where a Development silo keeps the cosigning key it made: beside its token key.</summary>
    public const string DevelopmentKeyFileName = "dev-witness-key.pem";

    private readonly Es256Key? key;
    private readonly Dictionary<string, (ProvinceTrust Trust, int IntervalSeconds)> provinces;

    private RegionWitness(RegionOptions options, Es256Key? key, Dictionary<string, (ProvinceTrust, int)> provinces)
    {
        Enabled = options.Enabled;
        Name = options.Name;
        RefusalsStoredPerWindow = options.RefusalsStoredPerWindow;
        RefusalWindowSeconds = options.RefusalWindowSeconds;
        this.key = key;
        this.provinces = provinces;
    }

    public bool Enabled { get; }

    public string Name { get; }

    public int RefusalsStoredPerWindow { get; }

    public int RefusalWindowSeconds { get; }

    /// <summary>The ids of the provinces registered in configuration, in order (those registered through the route: <see cref="RegionProvinces"/>).</summary>
    public IReadOnlyList<string> Provinces => [.. provinces.Keys.Order(StringComparer.Ordinal)];

    public IEnumerable<PublicJwk> PublicKeys => key is null ? [] : [key.PublicKey with { Purpose = CosignedHead.SignedPurpose }];

    /// <summary>The trust given to a province, or null when it is not registered.</summary>
    public ProvinceTrust? TrustOf(string provinceId) => provinces.TryGetValue(provinceId, out var found) ? found.Trust : null;

    public int IntervalSecondsOf(string provinceId) => provinces.TryGetValue(provinceId, out var found) ? found.IntervalSeconds : 0;

    /// <summary>The region's signature over a head it witnessed for a province.</summary>
    public CosignedHead Cosign(string provinceId, TreeHead head, DateTimeOffset witnessedAt)
    {
        var signing = key ?? throw new InvalidOperationException("This silo is not a region: it cosigns no head.");
        var log = head.Log ?? string.Empty;
        var payload = CosignedHead.Payload(provinceId, log, head.Size, head.Root, head.MadeAt, Name, witnessedAt);
        return new CosignedHead(provinceId, log, head.Size, head.Root, head.MadeAt, Name, witnessedAt, signing.KeyId, signing.SignDetached(Encoding.UTF8.GetBytes(payload)));
    }

    public static RegionWitness Load(IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(RegionOptions.Section).Get<RegionOptions>() ?? new RegionOptions();
        if (!options.Enabled)
        {
            return new RegionWitness(options, null, []);
        }
        var key = SigningKeyFiles.Load(configuration, environment, RegionOptions.Section, "the heads the region cosigns", DevelopmentKeyFileName)
            ?? throw new InvalidOperationException($"{SigningKeyFiles.Named(RegionOptions.Section)}, the key the region cosigns the provinces' heads with, is not configured. "
                + "Only a Development silo makes its own.");
        var provinces = new Dictionary<string, (ProvinceTrust, int)>(StringComparer.Ordinal);
        foreach (var province in options.Provinces)
        {
            var keys = new JsonArray();
            if (!string.IsNullOrWhiteSpace(province.KeysFile))
            {
                var file = Path.GetFullPath(province.KeysFile);
                var set = File.Exists(file) ? JsonNode.Parse(File.ReadAllText(file))?["keys"]?.AsArray()
                    : throw new InvalidOperationException($"{RegionOptions.Section}: province {province.Id}'s KeysFile names {file}, which does not exist.");
                foreach (var each in set ?? [])
                {
                    keys.Add(each?.DeepClone());
                }
            }
            foreach (var pinned in province.Keys)
            {
                keys.Add(new JsonObject { ["kty"] = pinned.Kty, ["crv"] = pinned.Crv, ["kid"] = pinned.Kid, ["x"] = pinned.X, ["y"] = pinned.Y, ["purpose"] = pinned.Purpose });
            }
            if (!keys.Any(k => k?["purpose"]?.GetValue<string>() == UpwardReport.SignedPurpose))
            {
                throw new InvalidOperationException($"{RegionOptions.Section}: province {province.Id} has no key pinned for '{UpwardReport.SignedPurpose}': none of its reports could be checked.");
            }
            var jwks = new JsonObject { ["keys"] = keys }.ToJsonString();
            if (!provinces.TryAdd(province.Id, (new ProvinceTrust(province.Id, jwks, TimeSpan.FromSeconds(province.IntervalSeconds)), province.IntervalSeconds)))
            {
                throw new InvalidOperationException($"{RegionOptions.Section}: province {province.Id} is registered twice.");
            }
        }
        return new RegionWitness(options, key, provinces);
    }
}

public static class RegionExtensions
{
    /// <summary>The region's trust and cosigning key, read while the silo is configured.</summary>
    public static WebApplicationBuilder AddRegion(this WebApplicationBuilder builder)
    {
        var witness = RegionWitness.Load(builder.Configuration, builder.Environment);
        builder.Services.AddOptions<RegionOptions>().Bind(builder.Configuration.GetSection(RegionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(witness);
        builder.Services.AddSingleton<IPublishesKeys>(witness);
        builder.Services.AddSingleton<RegionHistory>();
        builder.Services.AddSingleton<RegionProvinces>();
        builder.Services.AddSingleton<ProvinceKeysFetcher>();
        return builder;
    }
}
