using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Readiness.Silo.Security;

/// <summary>A token request: who, where (scopes) and what (roles), for how long.</summary>
public sealed record TokenRequest(string Subject, IReadOnlyList<string> Scopes, IReadOnlyList<string> Roles, double Hours = 8);

/// <summary>The minted token and when it expires.</summary>
public sealed record MintedToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>Signs bearer tokens with the silo's key; the same key checks them.</summary>
public sealed class TokenIssuer(SymmetricSecurityKey key, AuthOptions options, TimeProvider clock)
{
    public const string ScopeClaim = "scope";
    public const string RoleClaim = "role";
    public const string SubjectClaim = "sub";

    public SymmetricSecurityKey Key { get; } = key;

    public MintedToken Mint(TokenRequest request, DateTimeOffset? notBefore = null)
    {
        var from = notBefore ?? clock.GetUtcNow();
        var expires = from.AddHours(request.Hours);
        var claims = new List<Claim> { new(SubjectClaim, request.Subject) };
        claims.AddRange(request.Scopes.Select(s => new Claim(ScopeClaim, s)));
        claims.AddRange(request.Roles.Select(r => new Claim(RoleClaim, r)));
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = from.UtcDateTime,
            NotBefore = from.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
        return new MintedToken(token, expires);
    }

    public static SymmetricSecurityKey KeyFrom(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return bytes.Length >= 32
            ? new SymmetricSecurityKey(bytes)
            : throw new InvalidOperationException($"{AuthOptions.Section}:SigningKey must be at least 32 bytes; it is {bytes.Length}.");
    }
}
