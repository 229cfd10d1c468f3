using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Silo.Security;

/// <summary>
/// The keys of the echelons this silo trusts, and what a token of theirs is granted here. A key checks
/// only its own issuer's tokens, and this silo's key only its own, so neither can sign for the other.
/// </summary>
public sealed class EchelonTokens
{
    private readonly Dictionary<string, (TrustedEchelon Echelon, ECDsaSecurityKey Key)> byIssuer = new(StringComparer.Ordinal);

    public EchelonTokens(AuthOptions auth)
    {
        foreach (var echelon in auth.Echelons)
        {
            if (Problem(echelon, auth.Issuer) is { } problem)
            {
                throw new InvalidOperationException($"{AuthOptions.Section}:Echelons, issuer '{echelon.Issuer}': {problem}");
            }
            var key = ECDsa.Create();
            key.ImportFromPem(echelon.PublicKeyPem ?? File.ReadAllText(echelon.PublicKeyFile!));
            if (key.KeySize != 256)
            {
                throw new InvalidOperationException($"{AuthOptions.Section}:Echelons, issuer '{echelon.Issuer}': the key must be P-256 (ES256); it has {key.KeySize} bits.");
            }
            byIssuer.Add(echelon.Issuer, (echelon, new ECDsaSecurityKey(key)));
        }
    }

    public IEnumerable<string> Issuers => byIssuer.Keys;

    public bool Trusts(string? issuer) => issuer is not null && byIssuer.ContainsKey(issuer);

    /// <summary>The key that checks <paramref name="issuer"/>'s tokens, if it is an echelon this silo trusts.</summary>
    public SecurityKey? KeyOf(string? issuer) => issuer is not null && byIssuer.TryGetValue(issuer, out var trusted) ? trusted.Key : null;

    /// <summary>
    /// The echelon's token as granted here: its roles cut to those granted, its scopes to the units the
    /// granted scopes cover in the chain of command now (<c>*</c> stands for all of them). Null, with the
    /// reason, when nothing is left.
    /// </summary>
    public (ClaimsPrincipal? Granted, string? Refusal) Grant(ClaimsPrincipal token, string issuer, ChainOfCommand tree, DateTimeOffset now)
    {
        var echelon = byIssuer[issuer].Echelon;
        var roles = token.FindAll(TokenIssuer.RoleClaim).Select(c => c.Value).Where(echelon.Granted.Contains).Distinct(StringComparer.Ordinal).ToList();
        var asked = token.FindAll(TokenIssuer.ScopeClaim).Select(c => c.Value).ToList();
        var scopes = asked.Contains(Access.Everywhere)
            ? echelon.Scopes
            : [.. asked.Where(scope => tree.Covers(echelon.Scopes, scope, now)).Distinct(StringComparer.Ordinal)];
        if (roles.Count == 0 || scopes.Count == 0)
        {
            return (null, $"A token of '{issuer}' may read here as {string.Join(" or ", echelon.Granted)} within {string.Join(", ", echelon.Scopes)}; " +
                $"this one asks for {(roles.Count == 0 ? "no such role" : "no such scope")}.");
        }
        var kept = token.Claims.Where(c => c.Type is not (TokenIssuer.RoleClaim or TokenIssuer.ScopeClaim))
            .Concat(roles.Select(r => new Claim(TokenIssuer.RoleClaim, r)))
            .Concat(scopes.Select(s => new Claim(TokenIssuer.ScopeClaim, s)));
        return (new ClaimsPrincipal(new ClaimsIdentity(kept, "Bearer", TokenIssuer.SubjectClaim, TokenIssuer.RoleClaim)), null);
    }

    private static string? Problem(TrustedEchelon echelon, string ownIssuer) =>
        string.IsNullOrWhiteSpace(echelon.Issuer) ? "an issuer is required."
        : echelon.Issuer == ownIssuer ? "the issuer is this silo's own; an echelon names itself."
        : (echelon.PublicKeyPem is null) == (echelon.PublicKeyFile is null) ? "set PublicKeyPem or PublicKeyFile, one of them."
        : echelon.Scopes.Count == 0 ? "name the units it may read (Scopes)."
        : echelon.Scopes.Contains(Access.Everywhere) ? "an echelon is never granted '*'; name the units it may read."
        : echelon.Roles.Any(r => !TrustedEchelon.GrantableRoles.Contains(r))
            ? $"its roles must be of {string.Join(", ", TrustedEchelon.GrantableRoles)}: an echelon reads here, it never reports or administers."
        : null;
}
