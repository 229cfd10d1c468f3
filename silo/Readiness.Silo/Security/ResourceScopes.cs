using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Structure;

namespace Readiness.Silo.Security;

/// <summary>
/// Refuses a request about a part of the command tree the caller holds no scope for. Each route
/// declares what it reads (<see cref="ResourceScope"/>); every area that declaration resolves from the
/// route values and query must be covered by the token, by the chain of command at the moment the
/// request is about (<c>?asOf=</c>, else now). A route that needs a token and declares nothing is
/// refused, so a new route cannot slip past by being forgotten.
/// </summary>
internal static class ResourceScopes
{
    /// <summary>Views of the past answer what the command centre knew and when: auditors' work (docs/security.md).</summary>
    private static readonly string[] PastParameters = ["asOf", "knownAt"];

    public static IApplicationBuilder UseResourceScopes(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (await RefusalAsync(http) is { } refusal)
        {
            await refusal.ExecuteAsync(http);
            return;
        }
        await next(http);
    });

    private static async Task<IResult?> RefusalAsync(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint is null || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return null;
        }
        if (endpoint.Metadata.GetMetadata<ResourceScope>() is not { } scope)
        {
            return Forbidden(http, "This route declares no resources it reads, so it is refused to everyone.");
        }
        if (PastParameters.Any(p => http.Request.Query.ContainsKey(p)) && !http.User.IsInRole(Access.Auditor)
            && endpoint.Metadata.GetMetadata<PastOpenToViewers>() is null)
        {
            return Forbidden(http, "Views of the past (asOf, knownAt) need the auditor role; without them the view is as of now.");
        }
        if (scope.CheckedByHandler)
        {
            return null;
        }
        var resolution = scope.Resolve(http.Request);
        if (resolution.Problem is { } problem)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: problem);
        }
        var scopes = http.User.Scopes();
        if (resolution.Areas is null)
        {
            return Access.CoversEverything(scopes) ? null : Forbidden(http, "This covers every province; it needs a token scoped to '*'.");
        }
        if (resolution.Areas.Count == 0 || Access.CoversEverything(scopes))
        {
            return null;
        }
        var tree = await http.RequestServices.GetRequiredService<ChainOfCommandCache>().GetAsync(http.RequestAborted);
        var at = MomentOf(http);
        return resolution.Areas.FirstOrDefault(area => !tree.Covers(scopes, area, at)) is { } outside
            ? Forbidden(http, $"Your token's scopes ({string.Join(", ", scopes)}) do not cover '{outside}'"
                + (http.Request.Query.ContainsKey("asOf") ? $" as of {at:O}." : "."))
            : null;
    }

    /// <summary>The moment a request is about: its <c>asOf</c> when it names one, else now; a malformed one is the route's to refuse.</summary>
    private static DateTimeOffset MomentOf(HttpContext http) =>
        http.Request.Query["asOf"].ToString() is { Length: > 0 } asOf
            && DateTimeOffset.TryParse(asOf, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : http.RequestServices.GetRequiredService<ReadinessClock>().UtcNow;

    internal static IResult Forbidden(HttpContext http, string detail) => Results.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Outside your scope.", detail: detail,
        extensions: new Dictionary<string, object?> { ["principal"] = http.User.Name() });
}
