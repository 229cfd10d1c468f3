using System.ComponentModel.DataAnnotations;

namespace Readiness.Silo.Security;

/// <summary>How callers prove who they are (<c>Readiness:Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Readiness:Auth";

    /// <summary>
    /// The HMAC-SHA256 key that signs and checks bearer tokens, at least 32 bytes of text. Required
    /// outside Development; in Development a key is made once and kept in <see cref="DevelopmentKeyFile"/>.
    /// </summary>
    public string? SigningKey { get; set; }

    [Required]
    public string Issuer { get; set; } = "readiness";

    [Required]
    public string Audience { get; set; } = "readiness-api";

    /// <summary>Where Development keeps its generated key, and beside it the printed token.</summary>
    public string DevelopmentKeyFile { get; set; } = ".local/dev-signing-key";

    /// <summary>The echelons above whose own tokens are accepted for reading, each within what is granted it here.</summary>
    public List<TrustedEchelon> Echelons { get; set; } = [];

    /// <summary>The longest a minted token may live.</summary>
    [Range(1, 24 * 366)]
    public int MaxTokenHours { get; set; } = 24 * 30;
}

/// <summary>How many requests one caller may make (<c>Readiness:RateLimit</c>); a caller is its token's subject, else its address.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Readiness:RateLimit";

    [Range(1, 1_000_000)]
    public int PermitsPerSecond { get; set; } = 200;

    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 400;

    /// <summary>The largest request body accepted, except by the import route.</summary>
    [Range(1024, int.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}
