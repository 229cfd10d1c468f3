using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Turns a body that cannot be read (malformed JSON, a wrong type, an unknown enum name) into a
/// 400 problem document that says what to fix, instead of a bare 400 or a 500.
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }
        var detail = badRequest.InnerException switch
        {
            JsonException { InnerException: InvalidOperationException invalid } json when invalid.Message.Contains("UTF-16", StringComparison.Ordinal) =>
                $"{FieldOf(json)} holds an unpaired UTF-16 surrogate{CodePoint(invalid.Message)}; send it as valid Unicode text (an escape from \\uD800 to \\uDFFF stands only in a pair).",
            JsonException json => $"The request body is not valid JSON for this route: {json.Message}",
            _ => badRequest.Message,
        };
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

    // The same words as the text rule (CommandText), which never sees such a value: the JSON reader refuses it first.
    // The reader names the lone surrogate only when it is a low one; for a high one it names what follows.
    private static string CodePoint(string message) =>
        SurrogateValue().Match(message) is { Success: true } found ? $" (U+{found.Groups[1].Value.ToUpperInvariant()})" : "";

    [GeneratedRegex("0x(D[89A-Fa-f][0-9A-Fa-f]{2})\\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SurrogateValue();

    private static string FieldOf(JsonException json) =>
        json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "A text value of the body";
}
