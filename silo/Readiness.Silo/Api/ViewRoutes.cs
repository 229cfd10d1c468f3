using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Store;
using Readiness.Grains.Structure;
using Readiness.Silo.Audit;
using Readiness.Silo.Http;
using Readiness.Silo.Live;
using Readiness.Silo.Security;

namespace Readiness.Silo.Api;

/// <summary>
/// Queries read the projected documents and never wake a grain: a province's views compose its
/// roster's parts; a unit's, exercise's or duty post's view reads the one part that holds it, once
/// that part reflects the actor's latest event. Levels are computed at the moment of the request,
/// because the training and duty areas look back over a window ending now.
/// </summary>
internal static class ViewRoutes
{
    public static void MapViewRoutes(this IEndpointRouteBuilder routes)
    {
        var views = routes.MapGroup("/api").WithTags("Views").RequireAuthorization(Policies.View);

        views.MapGet("/provinces/{provinceId}/readiness", GetProvinceReadiness)
            .Reads(ResourceScope.Province)
            .WithName("GetProvinceReadiness")
            .WithSummary("The province's readiness: districts with their communes, units per level, units below R2 and why, posts not manned, open alerts, exercises under way.")
            .WithDescription("Built by an asynchronous projection; 'sequence' is the last event it reflects, 'updatedAt' when it was projected, "
                + "'ratedAt' the moment the levels were computed for. " + PastDescription)
            .Produces<ProvinceReadinessView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/provinces/{provinceId}/districts/{district}", GetDistrictReadiness)
            .Reads(ResourceScope.District)
            .WithName("GetDistrictReadiness")
            .WithSummary("One district: its communes, unit counts per level, units below R2 and why, posts not manned.")
            .WithDescription(PastDescription)
            .Produces<DistrictReadinessView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/provinces/{provinceId}/missions", GetProvinceMissions)
            .Reads(ResourceScope.Province)
            .WithName("GetProvinceMissions")
            .WithSummary("How many units are ready for each mission now (Yes, Qualified, No, not assessed), in the province and by district, and the answers the units' own figures contradict.")
            .WithDescription("Built from the province projection, like the readiness view; a flag needs the unit's levels, which are computed at the moment of the request.")
            .Produces<ProvinceMissionReadiness>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/provinces/{provinceId}/districts/{district}/missions", GetDistrictMissions)
            .Reads(ResourceScope.District)
            .WithName("GetDistrictMissions")
            .WithSummary("One district's units by mission and answer, and the answers their figures contradict.")
            .Produces<DistrictMissionReadiness>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/provinces/{provinceId}/summary/{year:int}", GetYearSummary)
            .Reads(ResourceScope.Province)
            .WithName("GetYearSummary")
            .WithSummary("The year's figures, computed from the events that happened in it: exercises by level and grade, conscription, education, outreach, party cells, awards, duty coverage.")
            .Produces<YearSummary>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/provinces/{provinceId}/units", ListUnits)
            .Reads(ResourceScope.ParentInProvince)
            .WithName("ListUnits")
            .WithSummary("The units directly under a unit of the province (?parent=bac-kan/ba-be), each with its level and which area set it.")
            .Produces<IReadOnlyList<UnitSummary>>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        // Ids are paths, so these routes take the rest of the URL; '%2F'-encoded slashes work too.
        views.MapGet("/units/{**unitId}", GetUnit)
            .Reads(ResourceScope.Actor("unitId"))
            .WithName("GetUnit")
            .WithSummary("One unit's readiness: its figures, each area's level with what it measured and the events it rests on, and the overall level.")
            .WithDescription(PastDescription)
            .Produces<UnitReadinessView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/exercises/{**exerciseId}", GetExercise)
            .Reads(ResourceScope.Actor("exerciseId"))
            .WithName("GetExercise")
            .WithSummary("One exercise: level, kind, host, participants, schedule, status and grade.")
            .WithDescription(PastDescription)
            .Produces<ExerciseView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/duty-posts/{**postId}", GetDutyPost)
            .Reads(ResourceScope.Actor("postId"))
            .WithName("GetDutyPost")
            .WithSummary("One duty post: the shift on, staff present against required, manning periods, open incidents, open alert.")
            .WithDescription(PastDescription)
            .Produces<DutyPostView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> GetProvinceReadiness(string provinceId, DateTimeOffset? asOf, DateTimeOffset? knownAt, LiveRosters rosters, PastViews past,
        ChainOfCommandCache chain, ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken)
    {
        var moment = new Moment(asOf, knownAt);
        if (moment.IsNow)
        {
            return await rosters.ViewAsync(provinceId, clock.UtcNow, cancellationToken) is { } now
                ? Results.Ok(now)
                : await UnknownProvince(chain, provinceId, moment, clock);
        }
        return await Roster(rosters, past, chain, provinceId, moment, clock, cancellationToken) is { } roster
            ? Results.Ok(roster.ToView(policy, moment.RatedAt(clock.UtcNow)))
            : await UnknownProvince(chain, provinceId, moment, clock);
    }

    private static async Task<IResult> GetDistrictReadiness(string provinceId, string district, DateTimeOffset? asOf, DateTimeOffset? knownAt, LiveRosters rosters, PastViews past,
        ChainOfCommandCache chain, ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken)
    {
        var moment = new Moment(asOf, knownAt);
        if (await Roster(rosters, past, chain, provinceId, moment, clock, cancellationToken) is not { } roster)
        {
            return await UnknownProvince(chain, provinceId, moment, clock);
        }
        return DistrictOf(roster, provinceId, district) is { } districtId && roster.DistrictView(districtId, policy, moment.RatedAt(clock.UtcNow)) is { } view
            ? Results.Ok(view)
            : UnknownDistrict(provinceId, district, moment);
    }

    private static async Task<IResult> GetProvinceMissions(string provinceId, LiveRosters rosters, ChainOfCommandCache chain, ReadinessPolicy policy, ReadinessClock clock,
        CancellationToken cancellationToken) =>
        await rosters.ProvinceAsync(provinceId, clock.UtcNow, cancellationToken) is { } roster
            ? Results.Ok(roster.MissionView(policy, clock.UtcNow))
            : await UnknownProvince(chain, provinceId, new Moment(null, null), clock);

    private static async Task<IResult> GetDistrictMissions(string provinceId, string district, LiveRosters rosters, ChainOfCommandCache chain, ReadinessPolicy policy,
        ReadinessClock clock, CancellationToken cancellationToken)
    {
        if (await rosters.ProvinceAsync(provinceId, clock.UtcNow, cancellationToken) is not { } roster)
        {
            return await UnknownProvince(chain, provinceId, new Moment(null, null), clock);
        }
        return DistrictOf(roster, provinceId, district) is { } districtId && roster.DistrictMissionView(districtId, policy, clock.UtcNow) is { } view
            ? Results.Ok(view)
            : UnknownDistrict(provinceId, district, new Moment(null, null));
    }

    private static async Task<IResult> GetYearSummary(string provinceId, int year, LiveRosters rosters, ChainOfCommandCache chain, ReadinessClock clock,
        CancellationToken cancellationToken)
    {
        if (CommandTime.ReportYearProblem(year, clock.UtcNow) is { } yearProblem)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: yearProblem);
        }
        var start = CommandTime.StartOfYear(year);
        return await rosters.YearAsync(provinceId, start, start.AddYears(1), cancellationToken) is { } roster
            ? Results.Ok(roster.Summary(year))
            : await UnknownProvince(chain, provinceId, new Moment(null, null), clock);
    }

    private static async Task<IResult> ListUnits(string provinceId, string? parent, LiveRosters rosters, ChainOfCommandCache chain, ReadinessPolicy policy,
        ReadinessClock clock, CancellationToken cancellationToken)
    {
        if (await rosters.ProvinceAsync(provinceId, clock.UtcNow, cancellationToken) is not { } roster)
        {
            return await UnknownProvince(chain, provinceId, new Moment(null, null), clock);
        }
        if (parent is not null && roster.Arrangement!.Place(parent) is null)
        {
            return Problems.NotFound("Unknown unit.", $"'{parent}' does not stand under province '{provinceId}' now; name a unit under it, or leave parent out.");
        }
        return Results.Ok(roster.Children(parent ?? provinceId, policy, clock.UtcNow));
    }

    /// <summary>
    /// The command directly under the province that the route's last level names: by its id under the
    /// province (<c>{provinceId}/{district}</c>), or, for a unit with an id of its own, by its id's last level.
    /// </summary>
    private static string? DistrictOf(ProvinceRoster roster, string provinceId, string district)
    {
        var level = roster.Arrangement!.Units.Values.Where(u => u.DistrictId == u.UnitId).Select(u => u.UnitId).ToList();
        return level.FirstOrDefault(id => id == $"{provinceId}/{district}")
            ?? level.SingleOrDefault(id => id.EndsWith("/" + district, StringComparison.Ordinal) || id == district);
    }

    private static IResult UnknownDistrict(string provinceId, string district, Moment moment) =>
        Problems.NotFound("Unknown district.", $"Province '{provinceId}' has no district or regional command '{district}' {(moment.IsNow ? "now" : When(moment))} "
            + "(use the last level of its id, such as 'ba-be'; GET /api/provinces/{provinceId}/tree lists them).");

    private static async Task<IResult> GetUnit(string unitId, DateTimeOffset? asOf, DateTimeOffset? knownAt, ProvinceDatabases databases, PastViews past,
        ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken)
    {
        var id = Uri.UnescapeDataString(unitId).Trim('/');
        if (UnitPath.Problem(id) is { } problem)
        {
            return Problems.Invalid(problem);
        }
        var moment = new Moment(asOf, knownAt);
        if (!moment.IsNow)
        {
            return (await past.UnitAsync(id, moment, cancellationToken)).UnitView(id, policy, moment.RatedAt(clock.UtcNow)) is { } then
                ? Results.Ok(then)
                : Problems.NotFound("Unknown unit.", $"No unit '{id}' had been registered {When(moment)}.");
        }
        await using var session = databases.QuerySession(StreamKeys.HomeOf(id));
        var part = await session.CaughtUpRosterPartAsync(StreamKeys.Unit(id), p => p.Units.GetValueOrDefault(id)?.Version, ReadYourWrites, cancellationToken);
        return part?.UnitView(id, policy, clock.UtcNow) is { } view
            ? Results.Ok(view)
            : Problems.NotFound("Unknown unit.", $"No unit '{id}' has been registered.");
    }

    private static async Task<IResult> GetExercise(string exerciseId, DateTimeOffset? asOf, DateTimeOffset? knownAt, ProvinceDatabases databases, PastViews past, CancellationToken cancellationToken)
    {
        var id = Uri.UnescapeDataString(exerciseId).Trim('/');
        if (UnitPath.Problem(id) is { } problem)
        {
            return Problems.Invalid(problem.Replace("unit id", "exercise id", StringComparison.Ordinal));
        }
        var moment = new Moment(asOf, knownAt);
        await using var session = databases.QuerySession(StreamKeys.HomeOf(id));
        var exercise = moment.IsNow
            ? (await session.CaughtUpRosterPartAsync(StreamKeys.Exercise(id), p => p.Exercises.GetValueOrDefault(id)?.Version, ReadYourWrites, cancellationToken))?.Exercises.GetValueOrDefault(id)
            : (await past.StreamAsync(StreamKeys.Exercise(id), moment, cancellationToken)).Exercises.GetValueOrDefault(id);
        return exercise is not null
            ? Results.Ok(exercise.ToView())
            : Problems.NotFound("Unknown exercise.", $"No exercise '{id}' had been planned {When(moment)}.");
    }

    private static async Task<IResult> GetDutyPost(string postId, DateTimeOffset? asOf, DateTimeOffset? knownAt, ProvinceDatabases databases, PastViews past, CancellationToken cancellationToken)
    {
        var id = Uri.UnescapeDataString(postId).Trim('/');
        if (UnitPath.Problem(id) is { } problem)
        {
            return Problems.Invalid(problem.Replace("unit id", "duty post id", StringComparison.Ordinal));
        }
        var moment = new Moment(asOf, knownAt);
        await using var session = databases.QuerySession(StreamKeys.HomeOf(id));
        var post = moment.IsNow
            ? (await session.CaughtUpRosterPartAsync(StreamKeys.DutyPost(id), p => p.Posts.GetValueOrDefault(id)?.Version, ReadYourWrites, cancellationToken))?.Posts.GetValueOrDefault(id)
            : (await past.StreamAsync(StreamKeys.DutyPost(id), moment, cancellationToken)).Posts.GetValueOrDefault(id);
        return post is not null
            ? Results.Ok(post.ToView())
            : Problems.NotFound("Unknown duty post.", $"No duty post '{id}' had been established {When(moment)}.");
    }

    /// <summary>How long one actor's view waits for the projection to reach the actor's latest event before answering with what it has.</summary>
    private static readonly TimeSpan ReadYourWrites = TimeSpan.FromSeconds(5);

    private const string PastDescription =
        "?asOf=T shows it as it was at T by when things happened; ?knownAt=K from only the events recorded by K (what the command centre could see then); both may be combined.";

    /// <summary>The province at the moment, arranged by the chain of command then, from the past of each roster its units are stored in.</summary>
    private static async Task<ProvinceRoster?> Roster(LiveRosters rosters, PastViews past, ChainOfCommandCache chain, string provinceId, Moment moment,
        ReadinessClock clock, CancellationToken cancellationToken)
    {
        if (moment.IsNow)
        {
            return await rosters.ProvinceAsync(provinceId, clock.UtcNow, cancellationToken);
        }
        Func<RosterArrangement, Task<IReadOnlyList<ProvinceRoster>>> homes = arrangement => past.HomesAsync(arrangement.Homes, moment, cancellationToken);
        return moment.KnownAt is { } knownAt
            ? await chain.ArrangeKnownAtAsync(provinceId, moment.RatedAt(clock.UtcNow), knownAt, homes, cancellationToken)
            : await chain.ArrangeAsync(provinceId, moment.RatedAt(clock.UtcNow), homes, cancellationToken);
    }

    private static string When(Moment moment) =>
        moment.IsNow ? "yet"
        : string.Join(" and ", new[]
            {
                moment.AsOf is { } asOf ? $"by {asOf:O}" : null,
                moment.KnownAt is { } knownAt ? $"in the record by {knownAt:O}" : null,
            }.OfType<string>());

    /// <summary>Why a province has no view at the moment: never registered, not yet, or dissolved by then (with its successor).</summary>
    private static async Task<IResult> UnknownProvince(ChainOfCommandCache chain, string provinceId, Moment moment, ReadinessClock clock)
    {
        var at = moment.RatedAt(clock.UtcNow);
        if ((await chain.GetAsync()).Unit(provinceId) is { DissolvedAt: { } end } dissolved && at >= end)
        {
            return Problems.NotFound("Dissolved province.", $"'{provinceId}' was dissolved from {end:O} by order {dissolved.DissolvedBy}"
                + (dissolved.SuccessorId is { } successor ? $"; its units and history are under '{successor}' now." : ".")
                + $" Its views before then are read with asOf (an auditor's token), its structure with GET /api/provinces/{provinceId}/tree?asOf=.");
        }
        return moment.IsNow
            ? Problems.NotFound("Unknown province.", $"No province '{provinceId}' has been registered (the demo provinces are 'bac-kan' and 'thai-nguyen').")
            : Problems.NotFound("Unknown province.", $"No province '{provinceId}' had been registered {When(moment)}.");
    }
}
