namespace Readiness.Contracts;

/// <summary>
/// Who may do what where. A principal holds scopes (unit ids: a military region's provinces, a
/// province, a district, a commune; <see cref="Everywhere"/> for the national operators) and roles.
/// A scope covers its unit and everything under it, never its parent or its siblings.
/// </summary>
public static class Access
{
    public const string Everywhere = "*";

    /// <summary>Submits reports (commands) for its own subtree.</summary>
    public const string Reporter = "reporter";

    /// <summary>Reads the readiness views of its subtree.</summary>
    public const string Viewer = "viewer";

    /// <summary>Reads history, verifies chains, exports.</summary>
    public const string Auditor = "auditor";

    /// <summary>Rebuilds projections, imports, mints tokens, configures.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> Roles = [Reporter, Viewer, Auditor, Admin];

    /// <summary>True when one of <paramref name="scopes"/> is <paramref name="area"/> or above it.</summary>
    public static bool Covers(IEnumerable<string> scopes, string area) =>
        scopes.Any(scope => scope == Everywhere
            || area == scope
            || (area.Length > scope.Length && area.StartsWith(scope, StringComparison.Ordinal) && area[scope.Length] == '/'));

    /// <summary>True when one of the scopes covers every stream, which whole-store operations need.</summary>
    public static bool CoversEverything(IEnumerable<string> scopes) => scopes.Contains(Everywhere, StringComparer.Ordinal);
}
