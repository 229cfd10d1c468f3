using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Readiness.Silo.Security;

/// <summary>A token request: who, where (scopes) and what (roles), for how long.</summary>
public sealed record TokenRequest(string Subject, IReadOnlyList<string> Scopes, IReadOnlyList<string> Roles, double Hours = 8);

/// <summary>The minted token, its id (to revoke it by) and when it expires.</summary>
public sealed record MintedToken(string Token, DateTimeOffset ExpiresAt, string TokenId);

/// <summary>Signs bearer tokens with the silo's key; the same key checks them.</summary>
public sealed class TokenIssuer(SymmetricSecurityKey key, AuthOptions options, TimeProvider clock)
{
    public const string ScopeClaim = "scope";
    public const string RoleClaim = "role";
    public const string SubjectClaim = "sub";
    public const string TokenIdClaim = "jti";

    /// <summary>RFC 8693's actor claim: who minted the token on the subject's behalf.</summary>
    public const string ActorClaim = "act";

    public SymmetricSecurityKey Key { get; } = key;

    /// <summary>Mints a token; <paramref name="mintedBy"/> is the subject of the administrator who asked for it, if any.</summary>
    public MintedToken Mint(TokenRequest request, DateTimeOffset? notBefore = null, string? mintedBy = null)
    {
        var from = notBefore ?? clock.GetUtcNow();
        var expires = from.AddHours(request.Hours);
        var id = Guid.NewGuid().ToString("N");
        var claims = new List<Claim> { new(SubjectClaim, request.Subject), new(TokenIdClaim, id) };
        claims.AddRange(request.Scopes.Select(s => new Claim(ScopeClaim, s)));
        claims.AddRange(request.Roles.Select(r => new Claim(RoleClaim, r)));
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            Claims = mintedBy is null ? null : new Dictionary<string, object> { [ActorClaim] = new Dictionary<string, object> { [SubjectClaim] = mintedBy } },
            IssuedAt = from.UtcDateTime,
            NotBefore = from.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
        return new MintedToken(token, expires, id);
    }

    /// <summary>The subject of the administrator who minted the caller's token, from its <c>act</c> claim.</summary>
    public static string? MintedBy(ClaimsPrincipal user)
    {
        if (user.FindFirst(ActorClaim)?.Value is not { Length: > 0 } actor)
        {
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(actor);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(SubjectClaim, out var sub) && sub.ValueKind == JsonValueKind.String
                ? sub.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static SymmetricSecurityKey KeyFrom(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return bytes.Length >= 32
            ? new SymmetricSecurityKey(bytes)
            : throw new InvalidOperationException($"{AuthOptions.Section}:SigningKey must be at least 32 bytes; it is {bytes.Length}.");
    }
}
