using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Structure;
using Readiness.Silo.Security;

namespace Readiness.Silo.Api;

/// <summary>The chain of command at a moment: who stood under whom, under which name, since and until when.</summary>
internal static class TreeRoutes
{
    public static void MapTreeRoutes(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/provinces/{provinceId}/tree", GetTree)
            .RequireAuthorization(Policies.View)
            .WithTags("Views")
            .Reads(ResourceScope.Province)
            // The shape of the command is what a viewer needs to read any view of the past by; the
            // figures of the past stay the auditors'.
            .WithMetadata(PastOpenToViewers.Instance)
            .WithName("GetChainOfCommand")
            .WithSummary("The province's chain of command at a moment (?asOf=, else now): each unit under it then with its name, echelon and parent, "
                + "the dates it held them and the order that gave them, its former names, and the units merged into it; "
                + "and the units whose history the province carries on.")
            .Produces<ChainOfCommandView>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

    private static async Task<IResult> GetTree(string provinceId, DateTimeOffset? asOf, ChainOfCommandCache chain, ReadinessClock clock, CancellationToken cancellationToken)
    {
        // The tree's own route answers with every unit registered before the request: checked against the store first (a count).
        var tree = await chain.RefreshAsync(force: true, cancellationToken);
        var at = asOf ?? clock.UtcNow;
        if (TreeViews.Of(tree, provinceId, at) is { } view)
        {
            return Results.Ok(view);
        }
        return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such command then.", detail: tree.Unit(provinceId) switch
        {
            null => $"No unit '{provinceId}' is registered.",
            { DissolvedAt: { } end } unit when at >= end =>
                $"'{provinceId}' was dissolved from {end:O} by order {unit.DissolvedBy}"
                + (unit.SuccessorId is { } successor ? $"; its successor is '{successor}'." : ".")
                + $" Ask with asOf before {end:O} for its tree.",
            var unit => $"'{provinceId}' was established at {unit.EstablishedAt:O}; ask with asOf on or after it.",
        });
    }
}
