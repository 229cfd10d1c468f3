using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;

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
public sealed partial class ReadinessClient
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

    /// <summary>
    /// Sends any command (<see cref="RegisterUnit"/>, <see cref="EnlistRecruits"/>, <see cref="PlanExercise"/>,
    /// <see cref="HandOverDutyShift"/>, …) to its route. Give each new command a fresh id from
    /// <see cref="NewCommandId"/>; when the outcome is unknown the same id is sent again, and the
    /// server answers with the first result instead of applying the command twice.
    /// </summary>
    /// <param name="command">The command; its type names the route.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The accepted command, with the stream version it produced and whether it had been applied before.</returns>
    /// <exception cref="ReadinessApiException">The API refused the command; the problem document says why.</exception>
    public Task<CommandAccepted> SendAsync(ICommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return SendCommand(CommandPaths.Prefix + CommandPaths.NameOf(command.GetType()), command, cancellationToken);
    }

    /// <summary>The units directly under a unit of a province, each with its level and the area that set it.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="parentId">The parent unit's id, such as <c>bac-kan/ba-be</c>; the province itself when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The units, in Vietnamese alphabetical order within each echelon.</returns>
    /// <exception cref="ReadinessApiException">404 when the province is unknown.</exception>
    public Task<IReadOnlyList<UnitSummary>> GetUnitsAsync(string provinceId, string? parentId = null, CancellationToken cancellationToken = default) =>
        Get<IReadOnlyList<UnitSummary>>($"api/provinces/{Uri.EscapeDataString(provinceId)}/units?parent={Uri.EscapeDataString(parentId ?? provinceId)}", cancellationToken);

    /// <summary>One unit's readiness: figures, each area's level with its explanation and evidence, the overall level.</summary>
    /// <param name="unitId">The unit's path id, such as <c>bac-kan/ba-be/cho-ra</c>.</param>
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

    /// <summary>One district of a province.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="district">The last level of the district's id, such as <c>ba-be</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ReadinessApiException">404 when the province or district is unknown.</exception>
    public Task<DistrictReadinessView> GetDistrictReadinessAsync(string provinceId, string district, CancellationToken cancellationToken = default) =>
        Get<DistrictReadinessView>($"api/provinces/{Uri.EscapeDataString(provinceId)}/districts/{Uri.EscapeDataString(district)}", cancellationToken);

    /// <summary>A province's figures for one year, computed from its events.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="year">The year, such as 2024.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="ReadinessApiException">404 when the province is unknown.</exception>
    public Task<YearSummary> GetYearSummaryAsync(string provinceId, int year, CancellationToken cancellationToken = default) =>
        Get<YearSummary>($"api/provinces/{Uri.EscapeDataString(provinceId)}/summary/{year}", cancellationToken);

    /// <summary>
    /// A province's year-end local-defence report: the real report's figures for the province command,
    /// each district and the province in total, the awards by kind and the report's sentences, each
    /// figure with the ids of the events it rests on. Computed from the events, so it never lags them.
    /// </summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="year">The year, such as 2024, counted in Vietnam time (UTC+7).</param>
    /// <param name="language"><c>vi</c> (the default) or <c>en</c>: the language of titles, labels and sentences.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report.</returns>
    /// <exception cref="ReadinessApiException">404 when the province is unknown; 400 for a year not yet begun or another language.</exception>
    public Task<YearReport> GetYearReportAsync(string provinceId, int year, string language = "vi", CancellationToken cancellationToken = default) =>
        Get<YearReport>(ReportPath(provinceId, year) + $"?format=json&lang={Uri.EscapeDataString(language)}", cancellationToken);

    /// <summary>The same report as a printable, self-contained HTML document.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="year">The year, such as 2024.</param>
    /// <param name="language"><c>vi</c> (the default) or <c>en</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The HTML document.</returns>
    /// <exception cref="ReadinessApiException">404 when the province is unknown; 400 for a year not yet begun or another language.</exception>
    public async Task<string> GetYearReportHtmlAsync(string provinceId, int year, string language = "vi", CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(new Uri(ReportPath(provinceId, year) + $"?format=html&lang={Uri.EscapeDataString(language)}", UriKind.Relative), cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return await response.Content.ReadAsStringAsync(cancellationToken);
        }
        return await Read<string>(response, cancellationToken);
    }

    /// <summary>The stored events behind one figure of the year-end report.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="year">The year, such as 2024.</param>
    /// <param name="figure">The figure's key, such as <c>outreach.sessions</c> (the report's <c>figures</c> list them).</param>
    /// <param name="unitId">A district's id such as <c>bac-kan/ba-be</c>, the province id for the province command's own units, or null for the province total.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The events, in the order they were recorded.</returns>
    /// <exception cref="ReadinessApiException">404 when the province is unknown; 400 for an unknown figure or column.</exception>
    public Task<IReadOnlyList<ReportEvidence>> GetYearReportEventsAsync(string provinceId, int year, string figure, string? unitId = null, CancellationToken cancellationToken = default) =>
        Get<IReadOnlyList<ReportEvidence>>(ReportPath(provinceId, year) + $"/events?figure={Uri.EscapeDataString(figure)}"
            + (unitId is null ? "" : $"&unit={Uri.EscapeDataString(unitId)}"), cancellationToken);

    private static string ReportPath(string provinceId, int year) =>
        $"api/provinces/{Uri.EscapeDataString(provinceId)}/reports/{year.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>One exercise: level, kind, host, participants, status and grade.</summary>
    /// <param name="exerciseId">The exercise id, such as <c>bac-kan/ba-be/kvpt-2024</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The exercise.</returns>
    /// <exception cref="ReadinessApiException">404 when the exercise is unknown.</exception>
    public Task<ExerciseRecord> GetExerciseAsync(string exerciseId, CancellationToken cancellationToken = default) =>
        Get<ExerciseRecord>($"api/exercises/{exerciseId}", cancellationToken);

    /// <summary>One duty post: the shift on, staffing, manning periods, incidents, alerts.</summary>
    /// <param name="postId">The post id, such as <c>bac-kan/ba-be/sscd</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The post.</returns>
    /// <exception cref="ReadinessApiException">404 when the post is unknown.</exception>
    public Task<DutyPostRecord> GetDutyPostAsync(string postId, CancellationToken cancellationToken = default) =>
        Get<DutyPostRecord>($"api/duty-posts/{postId}", cancellationToken);

    /// <summary>A new command id; unique, so it can be logged and used to retry.</summary>
    /// <returns>The id.</returns>
    public static string NewCommandId() => Guid.CreateVersion7().ToString();

    private async Task<CommandAccepted> SendCommand(string path, ICommand command, CancellationToken cancellationToken)
    {
        var delay = options.FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                // The runtime type, so that every field of the command is sent, not only the interface's.
                using var body = JsonContent.Create(command, command.GetType(), options: Json);
                response = await http.PostAsync(new Uri(path, UriKind.Relative), body, cancellationToken);
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
