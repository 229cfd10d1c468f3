using System.Text.Json;
using System.Text.Json.Serialization;

namespace Readiness.Client;

/// <summary>An RFC 7807 problem document as the API returns it.</summary>
/// <param name="Type">A URI naming the kind of problem.</param>
/// <param name="Title">A short summary of the kind of problem.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What went wrong with this request and what to fix.</param>
/// <param name="Instance">The request path that failed.</param>
public sealed record ApiProblem(string? Type, string? Title, int? Status, string? Detail, string? Instance)
{
    /// <summary>Further members of the document, such as <c>unitId</c> and <c>commandId</c>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extensions { get; init; }

    /// <summary>The first bad line of a refused import, counted from 1 (the document's <c>line</c>); null in other problems.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Line { get; init; }
}

/// <summary>The API refused a request; <see cref="Problem"/> says why.</summary>
public sealed class ReadinessApiException : Exception
{
    /// <summary>Creates the exception from a refused response.</summary>
    public ReadinessApiException(int statusCode, ApiProblem problem)
        : base($"{statusCode} {problem.Title}: {problem.Detail}")
    {
        StatusCode = statusCode;
        Problem = problem;
    }

    /// <summary>The HTTP status code (400 invalid, 404 unknown, 409 conflict, ...).</summary>
    public int StatusCode { get; }

    /// <summary>The problem document the API returned.</summary>
    public ApiProblem Problem { get; }

    /// <summary>
    /// How long the server asked the caller to wait (its <c>Retry-After</c>), as on a 429 past the
    /// per-caller rate limit or a 503; null when it did not say.
    /// </summary>
    public TimeSpan? RetryAfter { get; init; }
}
