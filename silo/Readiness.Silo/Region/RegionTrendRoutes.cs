using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Silo.Http;
using Readiness.Silo.Security;

namespace Readiness.Silo.Region;

/// <summary>The region's trend: each registered province's accepted reports over a time, from the region's own events.</summary>
internal static class RegionTrendRoutes
{
    private static readonly TimeSpan DefaultSpan = TimeSpan.FromDays(30);
    private static readonly TimeSpan LongestSpan = TimeSpan.FromDays(2 * 366);

    public static void MapRegionTrendRoutes(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/region/trend", GetRegionTrend)
            .RequireAuthorization(Policies.View)
            .Reads(ResourceScope.CallersOwn)
            .WithTags("Region")
            .WithName("GetRegionTrend")
            .WithSummary("On a silo in the region role, each registered province the caller's token names, with the reports the region accepted from it "
                + "that were made between 'from' and 'to' (the last 30 days by default, two years at most): when each was made and received, its level, units per level and number.")
            .Produces<IReadOnlyList<RegionProvinceTrend>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> GetRegionTrend(HttpContext http, DateTimeOffset? from, DateTimeOffset? to, RegionWitness witness, RegionProvinces registered, RegionHistory history,
        ReadinessClock clock, CancellationToken cancellationToken)
    {
        if (!witness.Enabled)
        {
            return Problems.NotFound("Not a region.", "This silo is not in the region role (Readiness:Region:Enabled); a province's own trend is /api/provinces/{provinceId}/trend.");
        }
        var end = to ?? clock.UtcNow;
        var start = from ?? end - DefaultSpan;
        if (start > end || end - start > LongestSpan)
        {
            return Problems.Invalid($"'from' must come before 'to', at most {LongestSpan.TotalDays:F0} days before it.");
        }
        var scopes = http.User.Scopes();
        var trends = new List<RegionProvinceTrend>();
        foreach (var id in (await registered.AllAsync()).Select(p => p.Id).Where(id => Access.CoversEverything(scopes) || Access.Covers(scopes, id)))
        {
            var accepted = await history.AcceptedAsync(id, start, end, cancellationToken);
            trends.Add(new RegionProvinceTrend(id, accepted.LastOrDefault()?.ProvinceName,
                [.. accepted.Select(a => new RegionTrendPoint(a.GeneratedAt, a.OccurredAt, a.Level, a.Units, a.ReportSequence))]));
        }
        return Results.Ok(trends);
    }
}
