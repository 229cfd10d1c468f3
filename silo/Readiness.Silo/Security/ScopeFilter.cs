using Readiness.Domain;

namespace Readiness.Silo.Security;

/// <summary>
/// Refuses a request about a part of the command tree the caller holds no scope for. The parts a
/// route asks about are read from its route values and query; a route that names none asks about
/// everything, which only a scope of <c>*</c> covers. Applied to whole route groups, so a new route
/// is covered without anyone remembering to.
/// </summary>
internal sealed class ScopeFilter : IEndpointFilter
{
    private static readonly string[] RouteIds = ["unitId", "exerciseId", "postId"];
    private static readonly string[] QueryIds = ["parent", "unit", "exercise", "post", "area"];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var scopes = http.User.Scopes();
        var areas = Areas(http).ToList();
        if (areas.Count == 0 && !Access.CoversEverything(scopes))
        {
            return Forbidden(http, "This covers every province; it needs a token scoped to '*'.");
        }
        foreach (var area in areas)
        {
            if (!Access.Covers(scopes, area))
            {
                return Forbidden(http, $"Your token's scopes ({string.Join(", ", scopes)}) do not cover '{area}'.");
            }
        }
        return await next(context);
    }

    internal static IResult Forbidden(HttpContext http, string detail) => Results.Problem(
        statusCode: StatusCodes.Status403Forbidden, title: "Outside your scope.", detail: detail,
        extensions: new Dictionary<string, object?> { ["principal"] = http.User.Name() });

    private static IEnumerable<string> Areas(HttpContext http)
    {
        var route = http.Request.RouteValues;
        if (route.TryGetValue("provinceId", out var province) && province is string provinceId)
        {
            yield return http.Request.Query["district"] is { Count: > 0 } district ? $"{provinceId}/{district}"
                : route.TryGetValue("district", out var d) && d is string routeDistrict ? $"{provinceId}/{routeDistrict}"
                : provinceId;
        }
        foreach (var name in RouteIds)
        {
            if (route.TryGetValue(name, out var value) && value is string id)
            {
                yield return Uri.UnescapeDataString(id).Trim('/');
            }
        }
        foreach (var name in QueryIds)
        {
            foreach (var id in http.Request.Query[name].OfType<string>())
            {
                yield return id;
            }
        }
        foreach (var stream in http.Request.Query["stream"].OfType<string>())
        {
            yield return StreamKeys.Parse(stream).Id;
        }
    }
}
