namespace Readiness.Silo.Security;

/// <summary>
/// The public half of a signing key, as RFC 7517/7518 name its members, and the one thing it signs
/// (<c>purpose</c>, a member of our own: <c>readiness-tree-head/v1</c> or <c>readiness-upward-report/v1</c>),
/// so a checker takes a key for its purpose only; never a private key. <c>status</c>, also ours, is absent for the
/// key that signs now, <c>next</c> for one published ahead of signing, and <c>retired</c> for one kept for checking
/// what it signed; a checker never takes a signature by a <c>next</c> key.
/// </summary>
public sealed record PublicJwk(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg, string? Purpose = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Status = null);

/// <summary>An RFC 7517 JWK Set.</summary>
public sealed record PublicJwkSet(IReadOnlyList<PublicJwk> Keys);

/// <summary>
/// A purpose whose signatures another party checks (upward reports, and any added later) publishes
/// its keys here; bearer tokens are checked by the silo alone and never appear.
/// </summary>
public interface IPublishesKeys
{
    IEnumerable<PublicJwk> PublicKeys { get; }
}

internal static class PublicKeyRoutes
{
    public const string Path = "/.well-known/jwks.json";

    public static void MapPublicKeyRoutes(this IEndpointRouteBuilder routes) =>
        routes.MapGet(Path, (IEnumerable<IPublishesKeys> publishers, HttpContext http) =>
            {
                // Verifiers may cache the set for a while; one that meets an unknown kid fetches it again.
                http.Response.Headers.CacheControl = "public, max-age=300";
                return Results.Json(new PublicJwkSet([.. publishers.SelectMany(p => p.PublicKeys)]), contentType: "application/jwk-set+json");
            })
            .AllowAnonymous()
            .WithTags("Keys")
            .WithName("GetPublicKeys")
            .WithSummary("The public keys (JWK Set) that upward reports are signed with, by key id (ES256, P-256); anonymous, so the echelon above can check a report's signature.")
            .Produces<PublicJwkSet>(StatusCodes.Status200OK, "application/jwk-set+json");
}
