using System.Globalization;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Grains.Structure;
using Readiness.Silo.Audit;
using Readiness.Silo.Http;
using Readiness.Silo.Security;

namespace Readiness.Silo.Api;

/// <summary>
/// Levels over time, from the events: each point is the view of its moment (the same fold as
/// <c>?asOf=</c>), rated at that moment, so a trend never disagrees with the views it summarises.
/// </summary>
internal static class TrendRoutes
{
    /// <summary>A year by day, with room for a leap year and both ends.</summary>
    public const int MaxPoints = 367;

    public static void MapTrendRoutes(this IEndpointRouteBuilder routes)
    {
        var trends = routes.MapGroup("/api").WithTags("Views").RequireAuthorization(Policies.View);

        trends.MapGet("/provinces/{provinceId}/trend", GetProvinceTrend)
            .Reads(ResourceScope.Province)
            .WithName("GetProvinceTrend")
            .WithSummary("The province's levels over time: at each step from 'from' to 'to', its level, its units per level and each area's levels, as the view of that moment rates them.")
            .WithDescription(Description)
            .Produces<ReadinessTrend>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        trends.MapGet("/provinces/{provinceId}/districts/{district}/trend", GetDistrictTrend)
            .Reads(ResourceScope.District)
            .WithName("GetDistrictTrend")
            .WithSummary("One district's levels over time, as for the province.")
            .WithDescription(Description)
            .Produces<ReadinessTrend>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        trends.MapGet("/trends/{**unitId}", GetUnitTrend)
            .Reads(ResourceScope.Actor("unitId"))
            .WithName("GetUnitTrend")
            .WithSummary("Any unit's levels over time, with everything under it: a commune, a militia platoon, a district or the province by its id.")
            .WithDescription(Description)
            .Produces<ReadinessTrend>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static Task<IResult> GetProvinceTrend(string provinceId, string? from, string? to, string? step, ChainOfCommandCache chain, PastViews past,
        ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken) =>
        Trend(provinceId, from, to, step, chain, past, policy, clock, cancellationToken);

    private static Task<IResult> GetDistrictTrend(string provinceId, string district, string? from, string? to, string? step,
        ChainOfCommandCache chain, PastViews past, ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken) =>
        Trend($"{provinceId}/{district}", from, to, step, chain, past, policy, clock, cancellationToken);

    private static Task<IResult> GetUnitTrend(string unitId, string? from, string? to, string? step, ChainOfCommandCache chain, PastViews past,
        ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken)
    {
        var id = Uri.UnescapeDataString(unitId).Trim('/');
        return UnitPath.Problem(id) is { } problem
            ? Task.FromResult(Problems.Invalid(problem))
            : Trend(id, from, to, step, chain, past, policy, clock, cancellationToken);
    }

    private static readonly string Description =
        "?from= and ?to= are moments (ISO 8601; without an offset, UTC); ?step= is day, week (the default) or month. " +
        "Without 'to', now; without 'from', 26 steps before 'to' (30 for days, 12 for months). " +
        $"At most {MaxPoints} points; 'to' may not be in the future. A point before the unit existed has no level and no units.";

    /// <summary>
    /// Each point counts what stood under the unit at that moment, by the chain of command then: a
    /// trend across a reorganisation shows the unit's subtree before it and after it.
    /// </summary>
    private static async Task<IResult> Trend(string scopeId, string? from, string? to, string? step, ChainOfCommandCache chain, PastViews past,
        ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        if (Problem(from, to, step, now, out var moments, out var start, out var end, out var stepKind) is { } problem)
        {
            return Problems.Invalid(problem);
        }
        // A trend reads the past of every unit under the scope: the tree must hold each registered before the request.
        var tree = await chain.RefreshAsync(force: true, cancellationToken);
        if (tree.Unit(scopeId) is not { } unit)
        {
            return Problems.NotFound("Unknown unit.", $"No unit '{scopeId}' has been registered.");
        }
        // The province the unit stood in at each point, arranged then; none before the unit existed or after it was dissolved.
        var arrangements = moments.Select(at => tree.ProvinceAt(scopeId, at) is { } province && unit.ExistsAt(at) ? RosterArrangement.Of(tree, province, at) : null).ToList();
        var homes = arrangements.OfType<RosterArrangement>().SelectMany(a => a.Homes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var rosters = moments.Select(_ => new List<ProvinceRoster>()).ToList();
        foreach (var home in homes)
        {
            var point = 0;
            await foreach (var (_, then) in past.ProvinceAtEachAsync(home, moments, cancellationToken))
            {
                rosters[point++].Add(then);
            }
        }
        var points = new List<TrendPoint>(moments.Count);
        for (var i = 0; i < moments.Count; i++)
        {
            var at = moments[i];
            points.Add(arrangements[i] is { } arrangement
                ? ProvinceRoster.Arrange(arrangement, rosters[i]).TrendPoint(scopeId, policy, at) ?? new TrendPoint(at, null, LevelCounts.None, [])
                : new TrendPoint(at, null, LevelCounts.None, []));
        }
        var name = unit.LastAt(end)?.Name ?? unit.Periods[^1].Name;
        return Results.Ok(new ReadinessTrend(scopeId, name, start, end, stepKind, points));
    }

    /// <summary>Why the range cannot be drawn, or null with its moments, oldest first.</summary>
    internal static string? Problem(string? from, string? to, string? step, DateTimeOffset now,
        out List<DateTimeOffset> moments, out DateTimeOffset start, out DateTimeOffset end, out TrendStep stepKind)
    {
        moments = [];
        start = end = now;
        stepKind = TrendStep.Week;
        if (step is not null && (int.TryParse(step, out _) || !Enum.TryParse(step, ignoreCase: true, out stepKind) || !Enum.IsDefined(stepKind)))
        {
            return $"step '{step}' is not day, week or month.";
        }
        if (to is not null && !TryMoment(to, out end))
        {
            return $"to '{to}' is not a moment, such as 2024-06-30T00:00:00+07:00.";
        }
        if (end > now)
        {
            return $"to ({end:O}) is in the future; a trend ends at the latest now.";
        }
        if (from is not null && !TryMoment(from, out start))
        {
            return $"from '{from}' is not a moment, such as 2024-01-01T00:00:00+07:00.";
        }
        if (from is null)
        {
            start = Advance(end, stepKind, stepKind switch { TrendStep.Day => -30, TrendStep.Month => -12, _ => -26 });
        }
        if (start > end)
        {
            return $"from ({start:O}) is after to ({end:O}).";
        }
        if (start < CommandTime.Earliest)
        {
            return $"from ({start:O}) is before {CommandTime.FirstYear}, the first year the system records.";
        }
        for (var (at, n) = (start, 0); at <= end; at = Advance(start, stepKind, ++n))
        {
            if (moments.Count == MaxPoints)
            {
                moments = [];
                return $"That is more than {MaxPoints} points; take a longer step or a shorter range.";
            }
            moments.Add(at);
        }
        return null;
    }

    // From the start each time, so that a month step from the 31st keeps to the month's end rather than drifting.
    private static DateTimeOffset Advance(DateTimeOffset start, TrendStep step, int steps) => step switch
    {
        TrendStep.Day => start.AddDays(steps),
        TrendStep.Month => start.AddMonths(steps),
        _ => start.AddDays(7 * steps),
    };

    // A moment without an offset is read as UTC, as ?asOf= is.
    private static bool TryMoment(string text, out DateTimeOffset moment) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out moment);
}
