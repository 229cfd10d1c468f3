using System.ComponentModel.DataAnnotations;

namespace Readiness.Silo.Security;

/// <summary>
/// An echelon above (a military region's system) whose own tokens this silo accepts for drill-down
/// (<c>Readiness:Auth:Echelons</c>). The echelon signs with its own ES256 key and names itself as the
/// issuer; this silo holds only the public half. What such a token may do is what the province grants
/// here, never more than the token claims: its roles are cut to <see cref="Granted"/> and its scopes to
/// the units <see cref="Scopes"/> cover.
/// </summary>
public sealed class TrustedEchelon
{
    /// <summary>The roles an echelon may be granted: reading, never reporting or administering.</summary>
    public static readonly IReadOnlyList<string> GrantableRoles = [Contracts.Access.Viewer, Contracts.Access.Auditor];

    /// <summary>The <c>iss</c> its tokens carry; never this silo's own issuer.</summary>
    [Required]
    public string Issuer { get; set; } = string.Empty;

    /// <summary>Its public key (PEM, P-256); or <see cref="PublicKeyFile"/>.</summary>
    public string? PublicKeyPem { get; set; }

    public string? PublicKeyFile { get; set; }

    /// <summary>What it may read: unit ids (this province, or parts of it); never <c>*</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The roles it may hold here, of <see cref="GrantableRoles"/> (configuration adds to a list, so none is set here).</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>The roles granted: <see cref="Roles"/>, or viewer when none are named.</summary>
    public IReadOnlyList<string> Granted => Roles.Count == 0 ? [Contracts.Access.Viewer] : Roles;
}
