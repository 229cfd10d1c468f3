using Marten;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Store;
using Readiness.Grains.Structure;
using Readiness.Silo.Security;

namespace Readiness.Silo.Api;

/// <summary>The military region's view: every province its token holds a scope for, side by side.</summary>
internal static class RegionRoutes
{
    public static void MapRegionRoutes(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/region/provinces", GetRegionProvinces)
            .RequireAuthorization(Policies.View)
            .WithTags("Views")
            .Reads(ResourceScope.CallersOwn)
            .WithName("GetRegionProvinces")
            .WithSummary("The provinces the caller's token holds a scope for, side by side: level, units per level, units below R2, posts not manned, alerts, exercises under way. "
                + "Drill into each with /api/provinces/{provinceId}/readiness.")
            .Produces<IReadOnlyList<ProvinceAtAGlance>>();

    private static async Task<IResult> GetRegionProvinces(HttpContext http, ProvinceDatabases databases, ChainOfCommandCache chain, ReadinessPolicy policy,
        ReadinessClock clock, CancellationToken cancellationToken)
    {
        var scopes = http.User.Scopes();
        var now = clock.UtcNow;
        // Asked rarely, by the region: checked against the store each time, so a province registered a moment ago is in it.
        var tree = await chain.RefreshAsync(force: true, cancellationToken);
        // Only whole provinces standing now: a district's token has its district view, not a province's;
        // a dissolved province's token reads its history, not its successor's present.
        var provinces = tree.ProvincesAt(now).Where(p => Access.CoversEverything(scopes) || tree.Covers(scopes, p, now)).ToList();
        IReadOnlyList<RosterArrangement> arrangements = [.. provinces.Select(p => chain.Arranged(tree, p, now)).OfType<RosterArrangement>()];
        var homes = arrangements.SelectMany(a => a.Homes).Distinct(StringComparer.Ordinal).ToList();
        // Each home roster from the database it lives in, so the region spans every database.
        var rosters = homes.Count == 0 ? [] : await databases.ProvinceRostersAsync(homes, cancellationToken);
        return Results.Ok(Arrangements.ArrangeEach(arrangements, rosters)
            .Select(r => r.ToView(policy, now))
            .Select(v => new ProvinceAtAGlance(v.Id, v.Name, v.Level, v.Units, v.Districts.Count, v.BelowR2.Count,
                v.PostsNotManned.Count, v.OpenAlerts.Count, v.ExercisesUnderWay.Count, v.Sequence, v.UpdatedAt))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList());
    }
}
