using Readiness.Store;
using Readiness.Contracts;

namespace Readiness.Silo.Http;

/// <summary>RFC 7807 problem documents for the API's refusals.</summary>
internal static class Problems
{
    public static IResult For(Rejection rejection, string streamId, string commandId) => Results.Problem(
        statusCode: rejection.Kind switch
        {
            RejectionKind.NotFound => StatusCodes.Status404NotFound,
            RejectionKind.Conflict => StatusCodes.Status409Conflict,
            RejectionKind.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status400BadRequest,
        },
        title: rejection.Kind switch
        {
            RejectionKind.NotFound => "Not found.",
            RejectionKind.Conflict => "The command contradicts what already happened.",
            RejectionKind.Forbidden => "Outside your scope.",
            _ => "The command is not valid.",
        },
        detail: rejection.Message,
        extensions: new Dictionary<string, object?> { ["streamId"] = streamId, ["commandId"] = commandId });

    public static IResult Invalid(string detail) => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: "The command is not valid.", detail: detail);

    public static IResult NotFound(string title, string detail) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    /// <summary>
    /// The databases a whole-store route works on (<c>?database=</c>): the one named, or every one when
    /// none is; null with a 404 naming the databases when the name is not one of them.
    /// </summary>
    public static IReadOnlyList<ProvinceDatabase>? Databases(ProvinceDatabases databases, string? name, out IResult? problem)
    {
        problem = null;
        if (name is null)
        {
            return databases.All;
        }
        if (databases.Named(name) is { } database)
        {
            return [database];
        }
        problem = Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown database.",
            detail: $"No database is named '{name}'. The databases are: {string.Join(", ", databases.All.Select(d => d.Name))}.",
            extensions: new Dictionary<string, object?> { ["databases"] = databases.All.Select(d => d.Name).ToArray() });
        return null;
    }
}
