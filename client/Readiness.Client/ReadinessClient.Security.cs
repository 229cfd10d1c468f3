using System.Net.Http.Json;
using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Client;

/// <summary>A bearer token minted by the silo, and when it stops being accepted.</summary>
/// <param name="Token">The token: send it as <c>Authorization: Bearer …</c>, or give it to <see cref="ReadinessClientOptions.Token"/>.</param>
/// <param name="ExpiresAt">When the token expires.</param>
/// <param name="TokenId">The token's id (its <c>jti</c>), by which <see cref="ReadinessClient.RevokeTokenAsync"/> revokes it.</param>
public sealed record MintedToken(string Token, DateTimeOffset ExpiresAt, string TokenId);

/// <summary>What the silo's readiness probe (<c>/health/ready</c>) says.</summary>
/// <param name="Status"><c>Healthy</c> once Orleans, PostgreSQL and the schema are up and the demo is loaded; else <c>Unhealthy</c> or <c>Degraded</c>.</param>
/// <param name="Checks">Each check by name, with its own status and why.</param>
public sealed record SiloHealth(string Status, IReadOnlyDictionary<string, HealthCheck> Checks)
{
    /// <summary>True when the silo is ready to serve.</summary>
    public bool IsHealthy => string.Equals(Status, "Healthy", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One check of the readiness probe.</summary>
/// <param name="Status"><c>Healthy</c>, <c>Degraded</c> or <c>Unhealthy</c>.</param>
/// <param name="Description">Why, when the check says.</param>
public sealed record HealthCheck(string Status, string? Description);

/// <summary>One asynchronous projection's position against the newest event in the store.</summary>
/// <param name="Projection">The projection's name, such as <c>province-roster:All</c>.</param>
/// <param name="Position">The last event sequence it has applied.</param>
/// <param name="NewestSequence">The newest event's sequence.</param>
/// <param name="LagEvents">Events appended but not yet applied.</param>
/// <param name="LagSeconds">How long ago the oldest of those was appended; 0 when up to date.</param>
/// <param name="MeasuredAt">When this was measured.</param>
/// <param name="Database">The database the projection runs in: <c>main</c> unless provinces are spread over several.</param>
public sealed record ProjectionLag(string Projection, long Position, long NewestSequence, long LagEvents, double LagSeconds, DateTimeOffset MeasuredAt, string Database = "main");

public sealed partial class ReadinessClient
{
    /// <summary>
    /// The provinces the token holds a scope for, side by side: level, units per level, units below R2,
    /// posts not manned, alerts, exercises under way. A military region's token sees each of its
    /// provinces; a province's token sees its own; a district's token sees none (it reads its district).
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The provinces, by name.</returns>
    /// <exception cref="ReadinessApiException">401 without a valid token.</exception>
    public Task<IReadOnlyList<ProvinceAtAGlance>> GetRegionProvincesAsync(CancellationToken cancellationToken = default) =>
        Get<IReadOnlyList<ProvinceAtAGlance>>("api/region/provinces", cancellationToken);

    /// <summary>
    /// Mints a bearer token for another system or person. Needs the <c>admin</c> role, and hands out
    /// no more than the caller holds: every scope asked for must lie within the caller's own.
    /// </summary>
    /// <param name="subject">Who the token is for, such as <c>quan-khu-1/reporting</c>; rate limits count per subject.</param>
    /// <param name="scopes">Unit ids the token covers with everything under them, such as <c>bac-kan</c> or <c>bac-kan/ba-be</c>; <c>*</c> for all.</param>
    /// <param name="roles">One or more of <c>reporter</c>, <c>viewer</c>, <c>auditor</c>, <c>admin</c> (<see cref="Contracts.Access"/> names them).</param>
    /// <param name="hours">How long it lives; at most the silo's <c>Readiness:Auth:MaxTokenHours</c> (30 days by default).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The token and its expiry.</returns>
    /// <exception cref="ReadinessApiException">400 for an unknown role, a malformed scope or too many hours; 403 without the admin role or for a scope beyond the caller's.</exception>
    public async Task<MintedToken> MintTokenAsync(string subject, IReadOnlyList<string> scopes, IReadOnlyList<string> roles, double hours = 8,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(scopes);
        ArgumentNullException.ThrowIfNull(roles);
        var body = new { subject, scopes, roles, hours };
        // Minting twice only makes two tokens, so an unknown outcome is retried like a query.
        using var response = await Send(HttpMethod.Post, "api/admin/tokens", () => JsonContent.Create(body, options: Json),
            commandId: null, options.RetryQueries, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await Read<MintedToken>(response, cancellationToken);
    }

    /// <summary>
    /// Revokes a token minted through the API: from then on every request carrying it gets 401. Needs
    /// the <c>admin</c> role over every scope of the token.
    /// </summary>
    /// <param name="tokenId">The <see cref="MintedToken.TokenId"/> the minting returned.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ReadinessApiException">403 when the token reaches beyond the caller's scopes; 404 for an id the silo never minted.</exception>
    public async Task RevokeTokenAsync(string tokenId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenId);
        // Revoking twice leaves it revoked, so an unknown outcome is retried like a query.
        using var response = await Send(HttpMethod.Delete, $"api/admin/tokens/{Uri.EscapeDataString(tokenId)}", content: null,
            commandId: null, options.RetryQueries, HttpCompletionOption.ResponseContentRead, cancellationToken);
        await Read<JsonElement>(response, cancellationToken);
    }

    /// <summary>The silo's readiness probe, which needs no token. A silo that is not ready answers 503 with the same document, returned here too.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The overall status and each check.</returns>
    /// <exception cref="HttpRequestException">The silo cannot be reached.</exception>
    public async Task<SiloHealth> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        // Not retried: a silo that is starting answers 503 until it is ready, and the caller wants to see that.
        using var response = await Send(HttpMethod.Get, "health/ready", content: null, commandId: null, retry: false,
            HttpCompletionOption.ResponseContentRead, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            try
            {
                if (await response.Content.ReadFromJsonAsync<SiloHealth>(Json, cancellationToken) is { Status: not null } health)
                {
                    return health with { Checks = health.Checks ?? new Dictionary<string, HealthCheck>() };
                }
            }
            catch (JsonException)
            {
                // Not the probe's document: fall through to the status code.
            }
        }
        return new SiloHealth(response.IsSuccessStatusCode ? "Healthy" : "Unhealthy", new Dictionary<string, HealthCheck>());
    }

    /// <summary>Each asynchronous projection's position against the newest event: how far the province views are behind, in events and seconds.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One entry per projection.</returns>
    /// <exception cref="ReadinessApiException">401 without a valid token; 403 without a role that may view, or without a scope over '*' (the positions are the whole store's).</exception>
    public Task<IReadOnlyList<ProjectionLag>> GetProjectionLagAsync(CancellationToken cancellationToken = default) =>
        Get<IReadOnlyList<ProjectionLag>>("api/projections", cancellationToken);
}
