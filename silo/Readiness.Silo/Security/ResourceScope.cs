using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Silo.Security;

/// <summary>
/// What one route reads or writes, declared on the route itself: the areas of the command tree a
/// request asks about, resolved from its route values and query. <see cref="ResourceScopes"/>
/// checks every one of them against the caller's scopes, and refuses any route that declares none.
/// </summary>
internal sealed class ResourceScope
{
    private readonly Func<HttpRequest, Resolution> resolve;

    private ResourceScope(string describes, Func<HttpRequest, Resolution> resolve)
    {
        Describes = describes;
        this.resolve = resolve;
    }

    /// <summary>In words, for the OpenAPI document and for refusals.</summary>
    public string Describes { get; }

    /// <summary>The route's handler checks the resource itself, because it is named in the body (commands) or by the token (minting).</summary>
    public bool CheckedByHandler { get; private init; }

    public Resolution Resolve(HttpRequest request) => resolve(request);

    /// <summary>The areas a request asks about; <c>null</c> when it asks about every province, which only a scope of '*' covers.</summary>
    internal readonly record struct Resolution(IReadOnlyList<string>? Areas, string? Problem = null)
    {
        public static readonly Resolution Everything = new(null);

        public static Resolution Of(params string[] areas) => new(areas);

        public static Resolution Invalid(string problem) => new([], problem);
    }

    /// <summary>The province named by the route, whatever else the query says.</summary>
    public static ResourceScope Province { get; } = new("the province in the route", request => Area(RouteText(request, "provinceId")));

    /// <summary>One district of the province, both named by the route.</summary>
    public static ResourceScope District { get; } = new("the district in the route",
        request => Area($"{RouteText(request, "provinceId")}/{RouteText(request, "district")}"));

    /// <summary>The province, or one of its districts when <c>?district=</c> names it.</summary>
    public static ResourceScope ProvinceOrDistrict { get; } = new("the province in the route, or its district named by ?district=",
        request => Query(request, "district") is { } district
            ? Area($"{RouteText(request, "provinceId")}/{district}")
            : Area(RouteText(request, "provinceId")));

    /// <summary>The unit <c>?parent=</c> names (the province when it is left out), which must be in the province of the route.</summary>
    public static ResourceScope ParentInProvince { get; } = new("the unit named by ?parent=, else the province in the route",
        request =>
        {
            var province = RouteText(request, "provinceId");
            if (Query(request, "parent") is not { } parent)
            {
                return Area(province);
            }
            return Access.Covers([province], parent)
                ? Area(parent)
                : Resolution.Invalid($"'{parent}' is not a unit of province '{province}': give an id under it, such as '{province}/ba-be'.");
        });

    /// <summary>The actor whose id is the rest of the route (a unit, or an exercise or duty post named by its owner's path).</summary>
    public static ResourceScope Actor(string routeValue) => new($"the actor in the route ({routeValue})",
        request => Area(Uri.UnescapeDataString(RouteText(request, routeValue)).Trim('/')));

    /// <summary>Every actor the query names by <paramref name="parameters"/>; with none named, everything.</summary>
    public static ResourceScope Named(params string[] parameters) => new($"the actors or areas named by ?{string.Join(", ?", parameters)}; all of them when none is",
        request =>
        {
            var areas = new List<string>();
            foreach (var name in parameters)
            {
                foreach (var value in request.Query[name].OfType<string>().Where(v => v.Length > 0))
                {
                    var id = name == "stream" ? StreamKeys.Parse(value).Id : value;
                    if (UnitPath.Problem(id) is { } problem)
                    {
                        return Resolution.Invalid($"{name}: {problem}");
                    }
                    areas.Add(id);
                }
            }
            return areas.Count == 0 ? Resolution.Everything : new Resolution(areas);
        });

    /// <summary>The whole store: rebuilds, imports, metrics, projection positions. Only a scope of '*' covers it.</summary>
    public static ResourceScope Everything { get; } = new("every province", _ => Resolution.Everything);

    /// <summary>No area at all: the route answers the same to every token that may ask (the command contracts).</summary>
    public static ResourceScope NoArea { get; } = new("no area (it answers the same to every token that may ask)", _ => Resolution.Of());

    /// <summary>The actor named in the command's body; the route checks it once the body is read, and the grain again.</summary>
    public static ResourceScope CommandBody { get; } = new("the actor named in the command's body", _ => Resolution.Of())
    {
        CheckedByHandler = true,
    };

    /// <summary>What the caller's own token covers: the route filters by it, or grants no more than it.</summary>
    public static ResourceScope CallersOwn { get; } = new("what the caller's own token covers", _ => Resolution.Of())
    {
        CheckedByHandler = true,
    };

    private static Resolution Area(string area) =>
        UnitPath.Problem(area) is { } problem ? Resolution.Invalid(problem) : Resolution.Of(area);

    private static string RouteText(HttpRequest request, string name) =>
        request.RouteValues.TryGetValue(name, out var value) && value is string text ? text : string.Empty;

    private static string? Query(HttpRequest request, string name) =>
        request.Query[name] is { Count: > 0 } values && values.ToString() is { Length: > 0 } value ? value : null;
}

/// <summary>Declaring a route's resources.</summary>
internal static class ResourceScopeExtensions
{
    public static TBuilder Reads<TBuilder>(this TBuilder builder, ResourceScope scope)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(scope);
}
