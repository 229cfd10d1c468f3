using System.Security.Claims;
using Readiness.Contracts;

namespace Readiness.Silo.Security;

internal static class Principals
{
    public static IReadOnlyList<string> Scopes(this ClaimsPrincipal user) =>
        [.. user.FindAll(TokenIssuer.ScopeClaim).Select(c => c.Value)];

    public static bool Covers(this ClaimsPrincipal user, string area) => Access.Covers(user.Scopes(), area);

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
