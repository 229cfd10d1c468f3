using System.ComponentModel.DataAnnotations;

namespace Readiness.Silo.Region;

/// <summary>
/// The region role (<c>Readiness:Region</c>): the same silo, on a database of its own, receiving the
/// provinces' upward reports at <c>POST /api/region/reports</c>, witnessing their logs and answering
/// <c>GET /api/region/provinces</c> from what it received. Off unless <see cref="Enabled"/>.
/// </summary>
public sealed class RegionOptions
{
    public const string Section = "Readiness:Region";

    public bool Enabled { get; set; }

    /// <summary>The region's name, as every head it cosigns names its witness.</summary>
    [Required]
    public string Name { get; set; } = "region";

    /// <summary>
    /// A file holding the PEM private key (P-256) the region cosigns the provinces' heads with; a key of its
    /// own, published in its JWK Set for <c>readiness-cosigned-head/v1</c>. A Development silo makes one.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The same key inline; set this or <see cref="SigningKeyFile"/>, not both.</summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>
    /// How many refused reports of one province (and of the unregistered, together) are stored one by one
    /// per <see cref="RefusalWindowSeconds"/>; the rest are answered and raise the alarm alike, but are only
    /// counted, the count stored when the window closes or with the next event stored. Bounds what an
    /// anonymous flood of forged deliveries adds to the region's store.
    /// </summary>
    [Range(1, 10_000)]
    public int RefusalsStoredPerWindow { get; set; } = 10;

    [Range(1, 86_400)]
    public int RefusalWindowSeconds { get; set; } = 600;

    /// <summary>Every province the region trusts, with its pinned keys.</summary>
    public List<TrustedProvince> Provinces { get; set; } = [];
}

/// <summary>One province the region takes reports from.</summary>
public sealed class TrustedProvince
{
    [Required]
    public string Id { get; set; } = string.Empty;

    /// <summary>How often the province reports; silent longer than this, it is shown stale.</summary>
    [Range(1, 31 * 86_400)]
    public int IntervalSeconds { get; set; } = 3600;

    /// <summary>
    /// A JWK Set file pinned for the province: a copy of its <c>/.well-known/jwks.json</c> taken when it was
    /// registered, each key with its <c>purpose</c>. Read at start; the region never fetches keys by itself.
    /// </summary>
    public string? KeysFile { get; set; }

    /// <summary>Keys pinned inline, beside or instead of <see cref="KeysFile"/>: while a key rotates both are listed; a removed key is no longer listed.</summary>
    public List<PinnedKey> Keys { get; set; } = [];
}

/// <summary>A pinned public key, as a JWK (ES256, P-256) with the one purpose it signs.</summary>
public sealed class PinnedKey
{
    public string Kty { get; set; } = "EC";
    public string Crv { get; set; } = "P-256";

    [Required]
    public string Kid { get; set; } = string.Empty;

    [Required]
    public string X { get; set; } = string.Empty;

    [Required]
    public string Y { get; set; } = string.Empty;

    [Required]
    public string Purpose { get; set; } = string.Empty;
}
