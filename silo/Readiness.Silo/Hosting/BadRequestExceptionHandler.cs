using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Turns a body that cannot be read (malformed JSON, a wrong type, an unknown enum name) into a
/// 400 problem document that says what to fix, instead of a bare 400 or a 500.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }
        var detail = badRequest.InnerException is JsonException json
            ? $"The request body is not valid JSON for this route: {json.Message}"
            : badRequest.Message;
        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = badRequest.StatusCode,
                Title = "The request could not be read.",
                Detail = detail,
            },
        });
    }
}
