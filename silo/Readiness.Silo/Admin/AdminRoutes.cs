using Readiness.Contracts.Http;
using Readiness.Store;
using Readiness.Silo.Http;
using Readiness.Silo.Security;

namespace Readiness.Silo.Admin;

internal static class AdminRoutes
{
    /// <summary>The group every administrative route hangs from, so that one policy can protect them all.</summary>
    public const string Prefix = "/api/admin";

    public static IServiceCollection AddProjectionRebuilds(this IServiceCollection services) => services
        .AddSingleton<ProjectionRebuilder>()
        .AddSingleton<RebuildJobs>();

    /// <summary>
    /// Maps the admin routes and returns their group: authentication does not exist yet, and when
    /// it does the group takes its RequireAuthorization in one place.
    /// </summary>
    public static RouteGroupBuilder MapAdminRoutes(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup(Prefix).WithTags("Admin").RequireAuthorization(Policies.Administer).Reads(ResourceScope.Everything);

        admin.MapGet("/projections", ListRebuildableProjections)
            .WithName("ListRebuildableProjections")
            .WithSummary("The projections that can be rebuilt, by name.")
            .Produces<IReadOnlyList<string>>();

        admin.MapPost("/projections/rebuild", RebuildAllProjections)
            .WithName("RebuildAllProjections")
            .WithSummary("Rebuilds every projection from the events in the background, while the silo keeps serving; 202 with the job to follow. " + DatabaseDescription)
            .Produces<RebuildStatus>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status409Conflict);

        admin.MapPost("/projections/{name}/rebuild", RebuildProjection)
            .WithName("RebuildProjection")
            .WithSummary("Rebuilds one projection from the events in the background, while the silo keeps serving; 202 with the job to follow. " + DatabaseDescription)
            .Produces<RebuildStatus>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        admin.MapGet("/rebuilds", ListRebuilds)
            .WithName("ListRebuilds")
            .WithSummary("The rebuilds this silo ran recently, newest first.")
            .Produces<IReadOnlyList<RebuildStatus>>();

        admin.MapGet("/rebuilds/{jobId}", GetRebuild)
            .WithName("GetRebuild")
            .WithSummary("A rebuild's state, events processed against the store's high-water mark, events per second, and its error if it failed.")
            .Produces<RebuildStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        return admin;
    }

    private static IResult ListRebuildableProjections(RebuildJobs jobs) => Results.Ok(jobs.Names);

    private static Task<IResult> RebuildAllProjections(string? database, ProvinceDatabases databases, RebuildJobs jobs, CancellationToken cancellationToken) =>
        Start(jobs, jobs.Names, database, databases, cancellationToken);

    private static Task<IResult> RebuildProjection(string name, string? database, ProvinceDatabases databases, RebuildJobs jobs, CancellationToken cancellationToken) =>
        jobs.Names.Contains(name, StringComparer.Ordinal)
            ? Start(jobs, [name], database, databases, cancellationToken)
            : Task.FromResult(Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown projection.",
                detail: $"No projection is named '{name}'. The projections are: {string.Join(", ", jobs.Names)}; or POST {Prefix}/projections/rebuild for all.",
                extensions: new Dictionary<string, object?> { ["projections"] = jobs.Names }));

    private static IResult ListRebuilds(RebuildJobs jobs) => Results.Ok(jobs.Recent().Select(j => j.Status()).ToList());

    private static IResult GetRebuild(string jobId, RebuildJobs jobs) =>
        jobs.Find(jobId) is { } job
            ? Results.Ok(job.Status())
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown rebuild.",
                detail: $"This silo has no rebuild '{jobId}'; GET {Prefix}/rebuilds lists the recent ones.");

    private const string DatabaseDescription = "With provinces spread over several databases, each is rebuilt in turn; ?database= names one.";

    private static async Task<IResult> Start(RebuildJobs jobs, IReadOnlyList<string> names, string? database, ProvinceDatabases databases, CancellationToken cancellationToken)
    {
        if (Problems.Databases(databases, database, out var unknown) is not { } chosen)
        {
            return unknown!;
        }
        var job = await jobs.TryStartAsync(names, cancellationToken, database is null ? null : chosen);
        if (job is null)
        {
            var running = jobs.Recent().FirstOrDefault(j => j.Outcome is null);
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "A rebuild is already running.",
                detail: running is null
                    ? "Another silo of the cluster is rebuilding; wait for it to finish and try again."
                    : $"Rebuild {running.Id} ({string.Join(", ", running.Projections)}) is running; "
                        + $"follow it at {Prefix}/rebuilds/{running.Id} and try again when it has finished.",
                extensions: new Dictionary<string, object?> { ["runningJobId"] = running?.Id });
        }
        return Results.Accepted($"{Prefix}/rebuilds/{job.Id}", job.Status());
    }
}
