using Microsoft.Extensions.Options;
using Readiness.Domain;

namespace Readiness.Silo.Security;

internal static class TokenRoutes
{
    public static void MapTokenRoutes(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/api/admin/tokens", (TokenRequest request, HttpContext http, TokenIssuer issuer, IOptions<AuthOptions> options) =>
            {
                var problems = new List<string>();
                if (string.IsNullOrWhiteSpace(request.Subject) || request.Subject.Length > 200)
                {
                    problems.Add("subject is 1 to 200 characters: who the token is for.");
                }
                else if (CommandText.Problem(request.Subject, "subject") is { } subjectProblem)
                {
                    problems.Add(subjectProblem);
                }
                if (request.Scopes is not { Count: > 0 } || request.Scopes.Any(s => s != Access.Everywhere && UnitPath.Problem(s) is not null))
                {
                    problems.Add("scopes lists one or more unit ids (such as 'bac-kan' or 'bac-kan/ba-be'), or '*'.");
                }
                if (request.Roles is not { Count: > 0 } || request.Roles.Any(r => !Access.Roles.Contains(r)))
                {
                    problems.Add($"roles lists one or more of: {string.Join(", ", Access.Roles)}.");
                }
                if (request.Hours <= 0 || request.Hours > options.Value.MaxTokenHours)
                {
                    problems.Add($"hours is more than 0 and at most {options.Value.MaxTokenHours}.");
                }
                if (problems.Count > 0)
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The token request is not valid.", detail: string.Join(" ", problems));
                }
                // An administrator hands out no more than it holds.
                var beyond = request.Scopes!.Where(s => s == Access.Everywhere ? !Access.CoversEverything(http.User.Scopes()) : !http.User.Covers(s)).ToList();
                return beyond.Count > 0
                    ? ScopeFilter.Forbidden(http, $"Your token does not cover {string.Join(", ", beyond)}; you can only mint tokens within your own scopes.")
                    : Results.Ok(issuer.Mint(request));
            })
            .RequireAuthorization(Policies.Administer)
            .WithTags("Admin")
            .WithName("MintToken")
            .WithSummary("Mints a bearer token for a subject with scopes and roles (reporter, viewer, auditor, admin), within the caller's own scopes.")
            .Produces<MintedToken>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
