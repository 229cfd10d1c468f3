using Marten;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Store;
using Readiness.Grains.Structure;
using Readiness.Silo.Http;
using Readiness.Silo.Region;
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
                + "Drill into each with /api/provinces/{provinceId}/readiness. On a silo in the region role, every registered province as its received reports "
                + "show it instead (WitnessedProvince): the newest accepted report, the newest witnessed head, whether it is stale, and its alarm.")
            .Produces<IReadOnlyList<ProvinceAtAGlance>>();

    private static async Task<IResult> GetRegionProvinces(HttpContext http, ProvinceDatabases databases, ChainOfCommandCache chain, ReadinessPolicy policy,
        ReadinessClock clock, RegionWitness witness, RegionProvinces registered, RegionHistory history, IGrainFactory grains, DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var scopes = http.User.Scopes();
        if (witness.Enabled)
        {
            return Results.Ok(asOf is { } at
                ? await WitnessedAtAsync(await registered.AllAsync(), history, scopes, at, cancellationToken)
                : await WitnessedAsync(await registered.AllAsync(), grains, scopes));
        }
        if (asOf is not null)
        {
            return Problems.Invalid("asOf is answered by a silo in the region role, from the reports it received; on a province's silo, "
                + "ask each province's view with asOf (/api/provinces/{provinceId}/readiness?asOf=).");
        }
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

    /// <summary>
    /// The region's answer: every registered province the caller's scopes name (the region knows the provinces,
    /// not their units), from the reports it received. The store holds no chain of command to place them by.
    /// </summary>
    /// <summary>The region's answer as it stood at <paramref name="asOf"/>: each province folded from the reports received by then.</summary>
    private static async Task<List<WitnessedProvince>> WitnessedAtAsync(
        IReadOnlyList<TrustedProvinceNow> registered, RegionHistory history, IReadOnlyList<string> scopes, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var shown = registered.Where(p => Access.CoversEverything(scopes) || Access.Covers(scopes, p.Id)).ToList();
        var provinces = new List<WitnessedProvince>(shown.Count);
        foreach (var (id, interval, _, _) in shown)
        {
            var record = await history.AtAsync(id, asOf, cancellationToken);
            var last = record.Last;
            provinces.Add(new WitnessedProvince(id, last?.ProvinceName, last?.Level, last?.Units, last?.ReportSequence, last?.ReportId, last?.GeneratedAt,
                last?.OccurredAt, record.LastHead, record.HeadsWitnessed, record.Accepted, record.Refused, interval,
                RegionRules.Stale(record, TimeSpan.FromSeconds(interval), asOf), RegionRules.Alarm(record), last?.Missions));
        }
        return provinces;
    }

    private static async Task<List<WitnessedProvince>> WitnessedAsync(IReadOnlyList<TrustedProvinceNow> registered, IGrainFactory grains, IReadOnlyList<string> scopes)
    {
        var shown = registered.Where(p => Access.CoversEverything(scopes) || Access.Covers(scopes, p.Id)).ToDictionary(p => p.Id, p => p.IntervalSeconds, StringComparer.Ordinal);
        var statuses = await Task.WhenAll(shown.Select(p => grains.GetGrain<IRegionProvinceGrain>(p.Key).Status(p.Value)));
        return [.. statuses.Select(s => new WitnessedProvince(s.ProvinceId, s.Name, s.Level,
            s.Units is [var r1, var r2, var r3, var r4] ? new LevelCounts(r1, r2, r3, r4) : null,
            s.ReportSequence, s.ReportId, s.GeneratedAt, s.ReceivedAt, s.Head?.ToContract(), s.HeadsWitnessed, s.Accepted, s.Refused,
            shown[s.ProvinceId], s.Stale, s.Alarm, s.Missions))];
    }
}
