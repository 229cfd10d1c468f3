using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Contracts.Http;

namespace Readiness.Client;

/// <summary>
/// Where the client connects, with which token, and how it retries a call whose outcome it could not learn.
/// <see cref="BaseAddress"/>, <see cref="Token"/> and <see cref="Timeout"/> are used by
/// <see cref="ReadinessClient.Create(ReadinessClientOptions, HttpMessageHandler?)"/>; a client made with
/// <see cref="ReadinessClient(HttpClient, ReadinessClientOptions?)"/> uses its <see cref="HttpClient"/> as configured.
/// </summary>
public sealed record ReadinessClientOptions
{
    /// <summary>The silo's address, such as <c>http://127.0.0.1:5080</c>; a path (a reverse proxy's prefix) is kept.</summary>
    public Uri? BaseAddress { get; init; }

    /// <summary>
    /// The bearer token sent on every request. A development silo on loopback prints one at start-up and
    /// keeps it in <c>.local/dev-token</c>; in production an administrator mints one (<see cref="ReadinessClient.MintTokenAsync"/>).
    /// </summary>
    public string? Token { get; init; }

    /// <summary>How long one attempt may wait for its response to begin; a timed-out command is re-sent with the same id.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per call, the first included. Every attempt of a command carries the same command id.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Pause before the second attempt; doubled for each attempt after it, and never shorter than the server's <c>Retry-After</c>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The longest <c>Retry-After</c> the client waits out by itself; a longer one surfaces at once as a
    /// <see cref="ReadinessApiException"/> whose <see cref="ReadinessApiException.RetryAfter"/> says how long.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether queries are retried like commands (timeouts, network errors, 429 and 5xx). They change nothing, so it is safe; true by default.</summary>
    public bool RetryQueries { get; init; } = true;

    /// <summary>Told of every retry before its pause: which call, which attempt failed and why. For logging; may be null.</summary>
    public Action<ReadinessRetry>? OnRetry { get; init; }
}

/// <summary>One retry the client is about to make.</summary>
/// <param name="Method">The HTTP method, such as <c>POST</c>.</param>
/// <param name="Path">The route, relative to the base address.</param>
/// <param name="CommandId">The command id every attempt carries; null for a query or the live stream.</param>
/// <param name="FailedAttempt">The attempt that failed, counted from 1; the next one is <c>FailedAttempt + 1</c>.</param>
/// <param name="Delay">The pause before the next attempt.</param>
/// <param name="Reason">Why: a timeout, a network error, or the status the server answered.</param>
public sealed record ReadinessRetry(string Method, string Path, string? CommandId, int FailedAttempt, TimeSpan Delay, string Reason);

/// <summary>
/// The typed client for the Readiness HTTP API. Commands get a fresh command id unless one is given;
/// when a send times out or the server cannot answer, the outcome is unknown, so the same command id
/// is sent again and the server returns the first result instead of applying it twice.
/// </summary>
public sealed partial class ReadinessClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = ContractJson.Options;

    private readonly HttpClient http;
    private readonly ReadinessClientOptions options;
    private readonly bool ownsHttp;

    /// <summary>
    /// Creates a client over an <see cref="HttpClient"/> whose BaseAddress is the silo, such as http://127.0.0.1:5080,
    /// and which sends its own <c>Authorization</c> header; the caller keeps and disposes it.
    /// </summary>
    /// <param name="http">The HTTP client, used as configured.</param>
    /// <param name="options">
    /// Retries; <see cref="ReadinessClientOptions.BaseAddress"/>, <see cref="ReadinessClientOptions.Token"/>
    /// and <see cref="ReadinessClientOptions.Timeout"/> are not used here.
    /// </param>
    public ReadinessClient(HttpClient http, ReadinessClientOptions? options = null)
        : this(http, options ?? new ReadinessClientOptions(), ownsHttp: false)
    {
    }

    private ReadinessClient(HttpClient http, ReadinessClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        this.http = http;
        this.options = options;
        this.ownsHttp = ownsHttp;
    }

    /// <summary>
    /// Creates a client that connects to <see cref="ReadinessClientOptions.BaseAddress"/> and sends
    /// <see cref="ReadinessClientOptions.Token"/> as a bearer token on every request. Dispose it when done.
    /// </summary>
    /// <param name="options">The address, the token, the timeout of one attempt, and how to retry.</param>
    /// <param name="handler">The handler beneath the client (a proxy, client certificates, a test's); the client disposes it. A pooled <see cref="SocketsHttpHandler"/> when null.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException">The options have no absolute <see cref="ReadinessClientOptions.BaseAddress"/>.</exception>
    public static ReadinessClient Create(ReadinessClientOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BaseAddress is not { IsAbsoluteUri: true } baseAddress)
        {
            throw new ArgumentException("BaseAddress must be the silo's absolute address, such as http://127.0.0.1:5080.", nameof(options));
        }
        // Without a trailing slash a relative route would replace the base address's last segment.
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        // A pooled handler that renews its connections, so a long-lived client follows DNS changes.
        var http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
        {
            BaseAddress = root,
            Timeout = options.Timeout,
        };
        if (!string.IsNullOrWhiteSpace(options.Token))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token.Trim());
        }
        return new ReadinessClient(http, options, ownsHttp: true);
    }

    /// <summary>Releases the connection pool when the client was made by <see cref="Create"/>; a caller's <see cref="HttpClient"/> is left alone.</summary>
    public void Dispose()
    {
        if (ownsHttp)
        {
            http.Dispose();
        }
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

    /// <summary>How many units are ready for each mission now, in a province and by district.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The units by mission and answer, with the answers their figures contradict.</returns>
    /// <exception cref="ReadinessApiException">404 when the province is unknown.</exception>
    public Task<ProvinceMissionReadiness> GetProvinceMissionsAsync(string provinceId, CancellationToken cancellationToken = default) =>
        Get<ProvinceMissionReadiness>($"api/provinces/{Uri.EscapeDataString(provinceId)}/missions", cancellationToken);

    /// <summary>How many units of one district are ready for each mission now.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="district">The last level of the district's id, such as <c>ba-be</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The district's units by mission and answer.</returns>
    /// <exception cref="ReadinessApiException">404 when the province or district is unknown.</exception>
    public Task<DistrictMissionReadiness> GetDistrictMissionsAsync(string provinceId, string district, CancellationToken cancellationToken = default) =>
        Get<DistrictMissionReadiness>($"api/provinces/{Uri.EscapeDataString(provinceId)}/districts/{Uri.EscapeDataString(district)}/missions", cancellationToken);

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
        using var response = await Send(HttpMethod.Get, ReportPath(provinceId, year) + $"?format=html&lang={Uri.EscapeDataString(language)}",
            content: null, commandId: null, retry: options.RetryQueries, HttpCompletionOption.ResponseContentRead, cancellationToken);
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
    public Task<ExerciseView> GetExerciseAsync(string exerciseId, CancellationToken cancellationToken = default) =>
        Get<ExerciseView>($"api/exercises/{exerciseId}", cancellationToken);

    /// <summary>One duty post: the shift on, staffing, manning periods, incidents, alerts.</summary>
    /// <param name="postId">The post id, such as <c>bac-kan/ba-be/sscd</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The post.</returns>
    /// <exception cref="ReadinessApiException">404 when the post is unknown.</exception>
    public Task<DutyPostView> GetDutyPostAsync(string postId, CancellationToken cancellationToken = default) =>
        Get<DutyPostView>($"api/duty-posts/{postId}", cancellationToken);

    /// <summary>A new command id; unique, so it can be logged and used to retry.</summary>
    /// <returns>The id.</returns>
    public static string NewCommandId() => Guid.CreateVersion7().ToString();

    private async Task<CommandAccepted> SendCommand(string path, ICommand command, CancellationToken cancellationToken)
    {
        // The runtime type, so that every field of the command is sent, not only the interface's.
        using var response = await Send(HttpMethod.Post, path, () => JsonContent.Create(command, command.GetType(), options: Json),
            command.CommandId, retry: true, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await Read<CommandAccepted>(response, cancellationToken);
    }

    /// <summary>Posts a command already written as JSON, as the outbox keeps it, to the route of its kind.</summary>
    internal async Task<CommandAccepted> SendJsonAsync(string kind, string json, string commandId, CancellationToken cancellationToken)
    {
        using var response = await Send(HttpMethod.Post, CommandPaths.Prefix + kind,
            () => new StringContent(json, System.Text.Encoding.UTF8, "application/json"), commandId, retry: true, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await Read<CommandAccepted>(response, cancellationToken);
    }

    /// <summary>
    /// Sends a command and, when the silo cannot be reached, does not answer in time or answers 408, 429 or 5xx
    /// after every retry, queues it in <paramref name="outbox"/> instead, to be sent by <see cref="ReadinessOutbox.SyncAsync"/>.
    /// A queued command without occurredAt is given the moment of this call, so it keeps when it happened.
    /// A refusal (400, 404, 409, and 401 or 403 for the token) is thrown as it is by <see cref="SendAsync"/>: queuing would not change it.
    /// </summary>
    /// <param name="command">The command; its type names the route.</param>
    /// <param name="outbox">Where to keep it when it cannot be sent now.</param>
    /// <param name="cancellationToken">Cancels the call; a cancelled send is not queued.</param>
    /// <returns>The silo's answer, or the outbox entry and why it was queued.</returns>
    /// <exception cref="ReadinessApiException">The API refused the command; the problem document says why.</exception>
    public async Task<SendOrQueueResult> SendOrQueueAsync(ICommand command, ReadinessOutbox outbox, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(outbox);
        var called = DateTimeOffset.UtcNow;
        string reason;
        try
        {
            return new SendOrQueueResult(await SendAsync(command, cancellationToken), null, null);
        }
        catch (ReadinessApiException ex) when (IsTransient((HttpStatusCode)ex.StatusCode))
        {
            reason = $"{ex.StatusCode} {ex.Problem.Detail ?? ex.Problem.Title}";
        }
        catch (Exception ex) when (IsUnknownOutcome(ex, cancellationToken))
        {
            reason = ex is TaskCanceledException ? $"no answer within {http.Timeout.TotalSeconds:0.#} s" : $"silo unreachable: {ex.Message}";
        }
        // The same command id is queued: had the silo applied it after all, the sync is answered "already applied".
        return new SendOrQueueResult(null, await outbox.EnqueueAsync(command, called, cancellationToken), reason);
    }

    private async Task<T> Get<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await Send(HttpMethod.Get, path, content: null, commandId: null, options.RetryQueries, HttpCompletionOption.ResponseContentRead, cancellationToken);
        return await Read<T>(response, cancellationToken);
    }

    /// <summary>
    /// Sends a request, and sends it again, built afresh, while its outcome is unknown (a timeout, a
    /// broken connection) or the server asks for patience (429, 5xx), waiting at least its Retry-After.
    /// Returns the last response, whatever its status; throws the last exception when no attempt got one.
    /// </summary>
    private async Task<HttpResponseMessage> Send(HttpMethod method, string path, Func<HttpContent>? content, string? commandId, bool retry,
        HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        var attempts = retry ? Math.Max(1, options.MaxAttempts) : 1;
        var delay = options.FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            string reason;
            var wait = delay;
            try
            {
                using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = content?.Invoke() };
                var response = await http.SendAsync(request, completion, cancellationToken);
                var retryAfter = RetryAfterOf(response);
                if (attempt >= attempts || !IsTransient(response.StatusCode) || retryAfter > options.MaxRetryAfter)
                {
                    return response;
                }
                reason = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                if (retryAfter > wait)
                {
                    wait = retryAfter.Value;
                }
                response.Dispose();
            }
            catch (Exception ex) when (attempt < attempts && IsUnknownOutcome(ex, cancellationToken))
            {
                reason = ex is TaskCanceledException ? $"no answer within {http.Timeout.TotalSeconds:0.#} s" : ex.Message;
            }
            options.OnRetry?.Invoke(new ReadinessRetry(method.Method, path, commandId, attempt, wait, reason));
            await Task.Delay(wait, cancellationToken);
            delay *= 2;
        }
    }

    private static async Task<T> Read<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new InvalidOperationException($"The API answered {(int)response.StatusCode} with an empty body.");
        }
        throw await Refusal(response, cancellationToken);
    }

    private static async Task<ReadinessApiException> Refusal(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        ApiProblem? problem = null;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json" && body.Length > 0)
        {
            try
            {
                problem = JsonSerializer.Deserialize<ApiProblem>(body, Json);
            }
            catch (JsonException)
            {
                // A proxy's error page in front of the API: keep its text as the detail below.
            }
        }
        problem = problem is null
            ? new ApiProblem(null, response.ReasonPhrase, status, body.Length > 0 ? body : DefaultDetail(response.StatusCode), null)
            : problem with { Detail = problem.Detail ?? DefaultDetail(response.StatusCode) };
        return new ReadinessApiException(status, problem) { RetryAfter = RetryAfterOf(response) };
    }

    // A role refusal comes from the authorisation middleware with no detail: say what it means.
    private static string? DefaultDetail(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "A bearer token is required, or the one sent was refused.",
        HttpStatusCode.Forbidden => "The token's roles do not allow this request.",
        _ => null,
    };

    internal static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero,
        _ => null,
    };

    // 408 and 429 ask the caller to come back; a 5xx may have come from a proxy or a silo shutting down.
    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int)status >= 500 && status is not HttpStatusCode.NotImplemented and not HttpStatusCode.HttpVersionNotSupported);

    // A timeout or a broken connection says nothing about whether the server applied the command.
    internal static bool IsUnknownOutcome(Exception ex, CancellationToken cancellationToken) =>
        ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested);
}
