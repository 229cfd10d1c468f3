using Marten;
using Microsoft.Extensions.Options;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Structure;

namespace Readiness.Silo.Security;

internal static class TokenRoutes
{
    public static void MapTokenRoutes(this IEndpointRouteBuilder routes)
    {
        var tokens = routes.MapGroup("/api/admin/tokens").WithTags("Admin").RequireAuthorization(Policies.Administer).Reads(ResourceScope.CallersOwn);

        tokens.MapPost(string.Empty, MintToken)
            .WithName("MintToken")
            .WithSummary("Mints a bearer token for a subject with scopes and roles (reporter, viewer, auditor, admin), within the caller's own scopes and roles; "
                + "the caller is named in it as its minter ('act').")
            .Produces<MintedToken>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        tokens.MapDelete("/{tokenId}", RevokeToken)
            .WithName("RevokeToken")
            .WithSummary("Revokes a minted token by its id, and every token minted with it, and those minted with them: every request carrying one is refused from then on, "
                + "and a live stream opened with one ends (on other silos of the cluster within two seconds).")
            .Produces<RevokedToken>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> MintToken(TokenRequest request, HttpContext http, TokenIssuer issuer, IDocumentStore store, IOptions<AuthOptions> options,
        TimeProvider clock, ChainOfCommandCache chain, CancellationToken cancellationToken)
    {
        var problems = TokenRequestRules.Problems(request, options.Value.MaxTokenHours);
        if (request.Hours > 0 && request.Hours <= options.Value.MaxTokenHours
            && ExpiresAt(http.User) is { } minterExpires && clock.GetUtcNow().AddHours(request.Hours) > minterExpires)
        {
            // Otherwise a short-lived administrator's token could hand out access that outlives it by a month.
            var left = Math.Max(0, Math.Floor((minterExpires - clock.GetUtcNow()).TotalHours * 100) / 100);
            problems.Add($"hours is at most {left.ToString(System.Globalization.CultureInfo.InvariantCulture)}: "
                + $"a token may not outlive the token that mints it, and yours expires at {minterExpires:yyyy-MM-ddTHH:mm:ssZ}.");
        }
        if (problems.Count > 0)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The token request is not valid.", detail: string.Join(" ", problems));
        }
        // An administrator hands out no more than it holds: no wider scope, no role it lacks.
        var tree = await chain.GetAsync(cancellationToken);
        var beyond = request.Scopes!.Where(s => !Covers(http, tree, s, clock.GetUtcNow())).ToList();
        if (beyond.Count > 0)
        {
            return ResourceScopes.Forbidden(http, $"Your token does not cover {string.Join(", ", beyond)}; you can only mint tokens within your own scopes.");
        }
        var notHeld = request.Roles!.Where(r => !http.User.IsInRole(r)).Distinct().ToList();
        if (notHeld.Count > 0)
        {
            return ResourceScopes.Forbidden(http, $"Your token does not hold the role {string.Join(", ", notHeld)}; you can only grant roles you hold.");
        }
        var minter = http.User.Name();
        var minted = issuer.Mint(request, mintedBy: minter);
        await using (var session = store.LightweightSession())
        {
            session.Store(new IssuedToken
            {
                Id = minted.TokenId, Subject = request.Subject, Scopes = [.. request.Scopes!], Roles = [.. request.Roles!.Distinct()],
                MintedBy = minter, MintedByTokenId = http.User.FindFirst(TokenIssuer.TokenIdClaim)?.Value,
                IssuedAt = minted.ExpiresAt.AddHours(-request.Hours), ExpiresAt = minted.ExpiresAt,
            });
            await session.SaveChangesAsync(cancellationToken);
        }
        return Results.Ok(minted);
    }

    private static async Task<IResult> RevokeToken(string tokenId, HttpContext http, TokenRevocations revocations, IDocumentStore store, ChainOfCommandCache chain,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        // Ids are 32 hex digits; anything else was never minted here and is not worth a query.
        if (tokenId.Length != 32 || !tokenId.All(char.IsAsciiHexDigit) || await session.LoadAsync<IssuedToken>(tokenId, cancellationToken) is not { } token)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown token.",
                detail: $"No token '{tokenId}' was minted through this API; its id is the 'tokenId' the minting answered (the token's 'jti').");
        }
        // Whoever could have minted it may revoke it: the token's scopes must all be within the caller's.
        var tree = await chain.GetAsync(cancellationToken);
        if (token.Scopes.FirstOrDefault(s => !Covers(http, tree, s, clock.GetUtcNow())) is { } outside)
        {
            return ResourceScopes.Forbidden(http, $"The token reaches '{outside}', which your token does not cover; only an administrator over all its scopes may revoke it.");
        }
        var minted = await revocations.RevokeAsync(token, http.User.Name(), cancellationToken);
        return Results.Ok(new RevokedToken(token.Id, token.Subject, token.RevokedAt!.Value, token.RevokedBy!, minted));
    }

    private static DateTimeOffset? ExpiresAt(System.Security.Claims.ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst("exp")?.Value, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    private static bool Covers(HttpContext http, ChainOfCommand tree, string scope, DateTimeOffset at) =>
        scope == Access.Everywhere ? Access.CoversEverything(http.User.Scopes()) : http.User.Covers(tree, scope, at);
}

/// <summary>What a revocation recorded.</summary>
/// <param name="TokenId">The revoked token's id.</param>
/// <param name="Subject">Whom it was for.</param>
/// <param name="RevokedAt">When it was revoked.</param>
/// <param name="RevokedBy">Who revoked it.</param>
/// <param name="AlsoRevoked">The ids of the tokens minted with it, directly or through others, revoked with it.</param>
public sealed record RevokedToken(string TokenId, string Subject, DateTimeOffset RevokedAt, string RevokedBy, IReadOnlyList<string> AlsoRevoked);
