using Readiness.Abstractions;
using Readiness.Domain;

namespace Readiness.Silo.Region;

/// <summary>A province the region takes reports from: registered in configuration, or through the admin route.</summary>
public sealed record TrustedProvinceNow(string Id, int IntervalSeconds, ProvinceTrust Trust, bool Configured);

/// <summary>
/// Every province the region trusts now: those of its configuration, read at start, and those its
/// administrators registered, folded from the region's own events by <see cref="IRegionRegistryGrain"/>
/// and asked each time, so that a registration or a key pinned reaches every silo of the region at once.
/// </summary>
public sealed class RegionProvinces(RegionWitness witness, IGrainFactory grains)
{
    private IRegionRegistryGrain Registry => grains.GetGrain<IRegionRegistryGrain>(IRegionRegistryGrain.Key);

    public async Task<IReadOnlyList<TrustedProvinceNow>> AllAsync()
    {
        if (!witness.Enabled)
        {
            return [];
        }
        var registered = await Registry.Registrations();
        return [.. witness.Provinces.Select(id => Configured(id)!)
            .Concat(registered.Provinces.Where(r => witness.TrustOf(r.ProvinceId) is null).Select(Registered))
            .OrderBy(p => p.Id, StringComparer.Ordinal)];
    }

    /// <summary>The province, or null when the region does not take its reports.</summary>
    public async Task<TrustedProvinceNow?> OfAsync(string provinceId)
    {
        if (!witness.Enabled)
        {
            return null;
        }
        if (Configured(provinceId) is { } configured)
        {
            return configured;
        }
        return await Registry.Of(provinceId) is { } registration ? Registered(registration) : null;
    }

    private TrustedProvinceNow? Configured(string id) =>
        witness.TrustOf(id) is { } trust ? new(id, witness.IntervalSecondsOf(id), trust, Configured: true) : null;

    private static TrustedProvinceNow Registered(RegionRegistration r) =>
        new(r.ProvinceId, r.IntervalSeconds, new ProvinceTrust(r.ProvinceId, r.Keys, TimeSpan.FromSeconds(r.IntervalSeconds)), Configured: false);
}
