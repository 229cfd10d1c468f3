using Marten;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Silo.Api;

/// <summary>Queries read the projected views; they never wake a grain.</summary>
internal static class ViewRoutes
{
    public static void MapViewRoutes(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/provinces/{provinceId}/readiness", async (string provinceId, IQuerySession session, ReadinessPolicy policy, CancellationToken cancellationToken) =>
            {
                var roster = await session.LoadAsync<ProvinceRoster>(provinceId, cancellationToken);
                return roster is null
                    ? Problems.NotFound("Unknown province.", $"No province '{provinceId}' has been registered (the demo province is 'bac-kan').")
                    : Results.Ok(roster.ToView(policy));
            })
            .WithTags("Views")
            .WithName("GetProvinceReadiness")
            .WithSummary("The province's readiness: its districts, each with its communes and unit counts per level.")
            .WithDescription("Built by an asynchronous projection; 'sequence' is the last event it reflects and 'updatedAt' when it was computed.")
            .Produces<ProvinceReadinessView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        // The id is a path, so the route takes the rest of the URL; '%2F'-encoded slashes work too.
        routes.MapGet("/api/units/{**unitId}", async (string unitId, IQuerySession session, CancellationToken cancellationToken) =>
            {
                var id = Uri.UnescapeDataString(unitId).Trim('/');
                if (UnitPath.Problem(id) is { } problem)
                {
                    return Problems.Invalid(problem);
                }
                var view = await session.LoadAsync<UnitReadinessView>(id, cancellationToken);
                return view is null
                    ? Problems.NotFound("Unknown unit.", $"No unit '{id}' has been registered.")
                    : Results.Ok(view);
            })
            .WithTags("Views")
            .WithName("GetUnit")
            .WithSummary("One unit's readiness view: strength against authorisation and the level it sets.")
            .Produces<UnitReadinessView>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }
}
