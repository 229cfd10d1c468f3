using System.Security.Claims;
using Readiness.Domain;

namespace Readiness.Silo.Security;

internal static class Principals
{
    public static IReadOnlyList<string> Scopes(this ClaimsPrincipal user) =>
        [.. user.FindAll(TokenIssuer.ScopeClaim).Select(c => c.Value)];

    /// <summary>Whether the caller's scopes cover <paramref name="area"/> at <paramref name="at"/>, by the chain of command then.</summary>
    public static bool Covers(this ClaimsPrincipal user, ChainOfCommand tree, string area, DateTimeOffset at) => tree.Covers(user.Scopes(), area, at);

    public static string Name(this ClaimsPrincipal user) => user.FindFirst(TokenIssuer.SubjectClaim)?.Value ?? "anonymous";
}

/// <summary>The authorisation policies, one per kind of work.</summary>
internal static class Policies
{
    public const string View = "view";
    public const string Report = "report";
    public const string Audit = "audit";
    public const string Administer = "administer";
}
