using Marten;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Silo.Api;

/// <summary>
/// Queries read the projected documents and never wake a grain. Levels are computed at the moment
/// of the request, because the training and duty areas look back over a window ending now.
/// </summary>
internal static class ViewRoutes
{
    public static void MapViewRoutes(this IEndpointRouteBuilder routes)
    {
        var views = routes.MapGroup("/api").WithTags("Views");

        views.MapGet("/provinces/{provinceId}/readiness", async (string provinceId, IQuerySession session, ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken) =>
                await Roster(session, provinceId, cancellationToken) is { } roster
                    ? Results.Ok(roster.ToView(policy, clock.UtcNow))
                    : UnknownProvince(provinceId))
            .WithName("GetProvinceReadiness")
            .WithSummary("The province's readiness: districts with their communes, units per level, units below R2 and why, posts not manned, open alerts, exercises under way.")
            .WithDescription("Built by an asynchronous projection; 'sequence' is the last event it reflects, 'updatedAt' when it was projected, 'ratedAt' the moment the levels were computed for.")
            .Produces<ProvinceReadinessView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/provinces/{provinceId}/districts/{district}", async (string provinceId, string district, IQuerySession session, ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken) =>
            {
                if (await Roster(session, provinceId, cancellationToken) is not { } roster)
                {
                    return UnknownProvince(provinceId);
                }
                return roster.DistrictView($"{provinceId}/{district}", policy, clock.UtcNow) is { } view
                    ? Results.Ok(view)
                    : Problems.NotFound("Unknown district.", $"Province '{provinceId}' has no district '{district}' (use the last level of the district's id, such as 'ba-be').");
            })
            .WithName("GetDistrictReadiness")
            .WithSummary("One district: its communes, unit counts per level, units below R2 and why, posts not manned.")
            .Produces<DistrictReadinessView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/provinces/{provinceId}/summary/{year:int}", async (string provinceId, int year, IQuerySession session, CancellationToken cancellationToken) =>
                await Roster(session, provinceId, cancellationToken) is { } roster
                    ? Results.Ok(roster.Summary(year))
                    : UnknownProvince(provinceId))
            .WithName("GetYearSummary")
            .WithSummary("The year's figures, computed from the events that happened in it: exercises by level and grade, conscription, education, outreach, party cells, awards, duty coverage.")
            .Produces<YearSummary>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/provinces/{provinceId}/units", async (string provinceId, string? parent, IQuerySession session, ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken) =>
            {
                if (await Roster(session, provinceId, cancellationToken) is not { } roster)
                {
                    return UnknownProvince(provinceId);
                }
                return Results.Ok(roster.Children(parent ?? provinceId, policy, clock.UtcNow));
            })
            .WithName("ListUnits")
            .WithSummary("The units directly under a unit of the province (?parent=bac-kan/ba-be), each with its level and which area set it.")
            .Produces<IReadOnlyList<UnitSummary>>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        // Ids are paths, so these routes take the rest of the URL; '%2F'-encoded slashes work too.
        views.MapGet("/units/{**unitId}", async (string unitId, IQuerySession session, ReadinessPolicy policy, ReadinessClock clock, CancellationToken cancellationToken) =>
            {
                var id = Uri.UnescapeDataString(unitId).Trim('/');
                if (UnitPath.Problem(id) is { } problem)
                {
                    return Problems.Invalid(problem);
                }
                var unit = await session.LoadAsync<UnitRecord>(id, cancellationToken);
                if (unit is null)
                {
                    return Problems.NotFound("Unknown unit.", $"No unit '{id}' has been registered.");
                }
                var posts = await session.Query<DutyPostRecord>().Where(p => p.OwnerUnitId == id).ToListAsync(cancellationToken);
                return Results.Ok(ReadinessRating.View(unit, posts, policy, clock.UtcNow));
            })
            .WithName("GetUnit")
            .WithSummary("One unit's readiness: its figures, each area's level with what it measured and the events it rests on, and the overall level.")
            .Produces<UnitReadinessView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/exercises/{**exerciseId}", async (string exerciseId, IQuerySession session, CancellationToken cancellationToken) =>
            {
                var id = Uri.UnescapeDataString(exerciseId).Trim('/');
                return await session.LoadAsync<ExerciseRecord>(StreamKeys.Exercise(id), cancellationToken) is { } exercise
                    ? Results.Ok(exercise)
                    : Problems.NotFound("Unknown exercise.", $"No exercise '{id}' has been planned.");
            })
            .WithName("GetExercise")
            .WithSummary("One exercise: level, kind, host, participants, schedule, status and grade.")
            .Produces<ExerciseRecord>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        views.MapGet("/duty-posts/{**postId}", async (string postId, IQuerySession session, CancellationToken cancellationToken) =>
            {
                var id = Uri.UnescapeDataString(postId).Trim('/');
                return await session.LoadAsync<DutyPostRecord>(StreamKeys.DutyPost(id), cancellationToken) is { } post
                    ? Results.Ok(post)
                    : Problems.NotFound("Unknown duty post.", $"No duty post '{id}' has been established.");
            })
            .WithName("GetDutyPost")
            .WithSummary("One duty post: the shift on, staff present against required, manning periods, open incidents, open alert.")
            .Produces<DutyPostRecord>()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static Task<ProvinceRoster?> Roster(IQuerySession session, string provinceId, CancellationToken cancellationToken) =>
        session.LoadAsync<ProvinceRoster>(provinceId, cancellationToken);

    private static IResult UnknownProvince(string provinceId) =>
        Problems.NotFound("Unknown province.", $"No province '{provinceId}' has been registered (the demo province is 'bac-kan').");
}
