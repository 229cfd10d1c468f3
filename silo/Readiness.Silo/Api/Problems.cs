using Readiness.Contracts;

namespace Readiness.Silo.Api;

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
}
