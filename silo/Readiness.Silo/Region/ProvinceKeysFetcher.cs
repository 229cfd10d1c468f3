using System.Text.Json;
using Readiness.Domain;
using Readiness.Silo.Http;

namespace Readiness.Silo.Region;

/// <summary>
/// The JWK Set an administrator pins for a province: given inline, or fetched once from the address given,
/// at the administrator's request and never again by itself. Either way it is read by
/// <see cref="RegionRegistryRules.Pinned"/>, which keeps only what a key needs and applies the one input rule.
/// </summary>
public sealed class ProvinceKeysFetcher : IDisposable
{
    /// <summary>A province's JWK Set holds a few keys; far more than this is not one.</summary>
    private const int MaxBytes = 64 * 1024;
    private const int MaxUrlLength = 2000;

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10), MaxResponseContentBufferSize = MaxBytes };

    /// <summary>The set as the region keeps it, or the problem to answer (400 for what the caller sent, 502 for what the address gave).</summary>
    public async Task<(string? Keys, IResult? Problem)> KeysAsync(JsonElement? keys, string? keysUrl, CancellationToken cancellationToken)
    {
        var inline = keys is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };
        if (inline == keysUrl is not null)
        {
            return (null, Problems.Invalid("Give the province's keys either inline as 'keys' (a JWK Set, as its /.well-known/jwks.json gives it) "
                + "or as 'keysUrl' (the address of that file, fetched once now), not both and not neither."));
        }
        if (inline)
        {
            var (pinned, problem) = RegionRegistryRules.Pinned(keys!.Value.GetRawText(), "keys");
            return problem is null ? (pinned, null) : (null, Problems.Invalid(problem));
        }
        if (CommandText.Problem(keysUrl, "keysUrl") is { } text)
        {
            return (null, Problems.Invalid(text));
        }
        if (keysUrl!.Length > MaxUrlLength || !Uri.TryCreate(keysUrl, UriKind.Absolute, out var address) || address.Scheme is not ("https" or "http"))
        {
            return (null, Problems.Invalid($"keysUrl must be an absolute http or https address of at most {MaxUrlLength} characters, such as "
                + "https://thai-nguyen.example/.well-known/jwks.json; it was '{keysUrl}'."));
        }
        string body;
        try
        {
            using var response = await http.GetAsync(address, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return (null, Unreachable(address, $"it answered {(int)response.StatusCode} {response.ReasonPhrase}"));
            }
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, Unreachable(address, ex is TaskCanceledException ? "it did not answer within 10 s" : ex.Message));
        }
        var (fetched, unusable) = RegionRegistryRules.Pinned(body, $"the JWK Set fetched from {address}");
        return unusable is null ? (fetched, null) : (null, Unreachable(address, unusable));
    }

    private static IResult Unreachable(Uri address, string why) => Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The province's keys could not be fetched.",
        detail: $"Fetching the province's JWK Set from {address} failed: {why}. Check the address (the province's /.well-known/jwks.json, reachable from the region), "
            + "or send the set inline as 'keys'. Nothing was registered.");

    public void Dispose() => http.Dispose();
}
