using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Readiness.Contracts;
using Readiness.Contracts.Http;

namespace Readiness.Client;

/// <summary>How the client retries a command whose outcome it could not learn.</summary>
public sealed record ReadinessClientOptions
{
    /// <summary>Attempts per command, the first included. Every attempt carries the same command id.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Pause before the second attempt; doubled for each attempt after it.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>
/// The typed client for the Readiness HTTP API. Commands get a fresh command id unless one is given;
/// when a send times out or the server cannot answer, the outcome is unknown, so the same command id
/// is sent again and the server returns the first result instead of applying it twice.
/// </summary>
public sealed class ReadinessClient
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private readonly HttpClient http;
    private readonly ReadinessClientOptions options;

    /// <summary>Creates a client over an <see cref="HttpClient"/> whose BaseAddress is the silo, such as http://127.0.0.1:5080.</summary>
    public ReadinessClient(HttpClient http, ReadinessClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        this.http = http;
        this.options = options ?? new ReadinessClientOptions();
    }

    /// <summary>Registers a unit under its parent (the id without its last level, which must already exist).</summary>
    /// <param name="unitId">The unit's path id, such as <c>bac-kan/ba-be/cho-ra</c>.</param>
    /// <param name="name">The unit's name.</param>
    /// <param name="echelon">Its echelon.</param>
    /// <param name="authorisedStrength">Its authorised strength, at least 1.</param>
    /// <param name="occurredAt">When it was established; null for now.</param>
    /// <param name="commandId">The command id; null to generate one. Pass your own to retry a command across restarts.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The accepted command, with the stream version it produced.</returns>
    /// <exception cref="ReadinessApiException">The API refused the command.</exception>
    public Task<CommandAccepted> RegisterUnitAsync(
        string unitId, string name, Echelon echelon, int authorisedStrength,
        DateTimeOffset? occurredAt = null, string? commandId = null, CancellationToken cancellationToken = default) =>
        SendCommand("api/commands/register-unit",
            new RegisterUnitRequest(commandId ?? NewCommandId(), unitId, name, echelon, null, authorisedStrength, occurredAt),
            cancellationToken);

    /// <summary>Records recruits joining a unit.</summary>
    /// <param name="unitId">The receiving unit's path id.</param>
    /// <param name="count">How many joined, at least 1.</param>
    /// <param name="cohortYear">The conscription year of the cohort.</param>
    /// <param name="occurredAt">When they joined; null for now.</param>
    /// <param name="commandId">The command id; null to generate one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The accepted command, with the stream version it produced.</returns>
    /// <exception cref="ReadinessApiException">The API refused the command.</exception>
    public Task<CommandAccepted> EnlistRecruitsAsync(
        string unitId, int count, int cohortYear,
        DateTimeOffset? occurredAt = null, string? commandId = null, CancellationToken cancellationToken = default) =>
        SendCommand("api/commands/enlist-recruits",
            new EnlistRecruitsRequest(commandId ?? NewCommandId(), unitId, count, cohortYear, occurredAt),
            cancellationToken);

    /// <summary>One unit's readiness view.</summary>
    /// <param name="unitId">The unit's path id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ReadinessApiException">404 when the unit is unknown.</exception>
    public Task<UnitReadinessView> GetUnitAsync(string unitId, CancellationToken cancellationToken = default) =>
        Get<UnitReadinessView>($"api/units/{unitId}", cancellationToken);

    /// <summary>A province's readiness view with its districts and communes.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ReadinessApiException">404 when the province is unknown.</exception>
    public Task<ProvinceReadinessView> GetProvinceReadinessAsync(string provinceId, CancellationToken cancellationToken = default) =>
        Get<ProvinceReadinessView>($"api/provinces/{Uri.EscapeDataString(provinceId)}/readiness", cancellationToken);

    /// <summary>A new command id; unique, so it can be logged and used to retry.</summary>
    /// <returns>The id.</returns>
    public static string NewCommandId() => Guid.CreateVersion7().ToString();

    private async Task<CommandAccepted> SendCommand<TRequest>(string path, TRequest request, CancellationToken cancellationToken)
    {
        var delay = options.FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsJsonAsync(path, request, Json, cancellationToken);
            }
            catch (Exception ex) when (attempt < options.MaxAttempts && IsUnknownOutcome(ex, cancellationToken))
            {
                await Task.Delay(delay, cancellationToken);
                delay *= 2;
                continue;
            }
            using (response)
            {
                if (attempt < options.MaxAttempts && response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
                {
                    await Task.Delay(delay, cancellationToken);
                    delay *= 2;
                    continue;
                }
                return await Read<CommandAccepted>(response, cancellationToken);
            }
        }
    }

    private async Task<T> Get<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(path, cancellationToken);
        return await Read<T>(response, cancellationToken);
    }

    private static async Task<T> Read<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new InvalidOperationException($"The API answered {(int)response.StatusCode} with an empty body.");
        }
        ApiProblem? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            problem = await response.Content.ReadFromJsonAsync<ApiProblem>(Json, cancellationToken);
        }
        throw new ReadinessApiException((int)response.StatusCode,
            problem ?? new ApiProblem(null, response.ReasonPhrase, (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken), null));
    }

    // A timeout or a broken connection says nothing about whether the server applied the command.
    private static bool IsUnknownOutcome(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested);
}
