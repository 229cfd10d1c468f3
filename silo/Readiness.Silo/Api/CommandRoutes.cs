using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;

namespace Readiness.Silo.Api;

/// <summary>
/// Commands: each reports something that happened to a unit. The unit id travels in the body
/// because it is a path (<c>bac-kan/ba-be/cho-ra</c>) and reads badly inside a route.
/// </summary>
internal static class CommandRoutes
{
    public static void MapCommandRoutes(this IEndpointRouteBuilder routes)
    {
        var commands = routes.MapGroup("/api/commands").WithTags("Commands");

        commands.MapPost("/register-unit", async (RegisterUnitRequest request, IGrainFactory grains) =>
            {
                if (Precheck(request.UnitId, request.CommandId) is { } problem)
                {
                    return problem;
                }
                var result = await grains.GetGrain<IUnitGrain>(request.UnitId).Register(new RegisterUnit(
                    request.CommandId, request.Name, request.Echelon, request.ParentId, request.AuthorisedStrength, request.OccurredAt));
                return Answer(result, created: !result.AlreadyApplied);
            })
            .WithName("RegisterUnit")
            .WithSummary("Register a unit under its parent.")
            .WithDescription("Appends UnitRegistered to the unit's stream. The parent (the id without its last level) must already be registered. Retrying with the same commandId returns the first result and appends nothing.")
            .Produces<CommandAccepted>(StatusCodes.Status201Created)
            .Produces<CommandAccepted>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        commands.MapPost("/enlist-recruits", async (EnlistRecruitsRequest request, IGrainFactory grains) =>
            {
                if (Precheck(request.UnitId, request.CommandId) is { } problem)
                {
                    return problem;
                }
                var result = await grains.GetGrain<IUnitGrain>(request.UnitId).EnlistRecruits(new EnlistRecruits(
                    request.CommandId, request.Count, request.CohortYear, request.OccurredAt));
                return Answer(result, created: false);
            })
            .WithName("EnlistRecruits")
            .WithSummary("Record recruits joining a unit.")
            .WithDescription("Appends RecruitsEnlisted to the unit's stream, raising its actual strength. Retrying with the same commandId returns the first result and appends nothing.")
            .Produces<CommandAccepted>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    // A malformed id must not even activate a grain.
    private static IResult? Precheck(string? unitId, string? commandId) =>
        UnitPath.Problem(unitId) is { } idProblem ? Problems.Invalid(idProblem)
        : string.IsNullOrWhiteSpace(commandId) ? Problems.Invalid("commandId is required: a unique id per command, reused only to retry that command.")
        : null;

    private static IResult Answer(CommandResult result, bool created)
    {
        if (result.Rejection is { } rejection)
        {
            return Problems.For(rejection, result.StreamId, result.CommandId);
        }
        var body = new CommandAccepted(result.CommandId, result.StreamId, result.Version, result.AlreadyApplied);
        return created ? Results.Created($"/api/units/{result.StreamId}", body) : Results.Ok(body);
    }
}
