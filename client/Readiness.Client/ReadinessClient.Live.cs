using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Client;

/// <summary>One message of a province's live stream: the whole view at an event sequence, and what changed since the previous message.</summary>
/// <param name="Sequence">The event-store sequence the view reflects; it only grows, and is the stream's event id.</param>
/// <param name="Changed">
/// What a display must redraw: <c>all</c> on the first message of a connection, else <c>province</c>,
/// <c>district:{id}</c>, <c>belowR2</c>, <c>postsNotManned</c>, <c>openAlerts</c>, <c>exercisesUnderWay</c>, <c>figures</c>.
/// </param>
/// <param name="View">The province's whole readiness view, as <see cref="ReadinessClient.GetProvinceReadinessAsync(string, CancellationToken)"/> returns it.</param>
public sealed record ProvinceLiveUpdate(long Sequence, IReadOnlyList<string> Changed, ProvinceReadinessView View);

public sealed partial class ReadinessClient
{
    private static readonly TimeSpan DefaultReconnectDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LongestReconnectDelay = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Follows a province's live stream (<c>/api/provinces/{id}/live</c>): first the current view, then
    /// a new one each time the view changes. When the connection drops, or the silo restarts, it
    /// reconnects by itself with <c>Last-Event-ID</c>; each message carries the whole view, so nothing
    /// is missed, and no sequence is yielded twice. Ends only when <paramref name="cancellationToken"/> is cancelled
    /// or the server refuses for good.
    /// </summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="lastSequence">The last sequence the caller already has, to skip the current view when it has not moved since; null to get it first.</param>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <returns>The updates, in order of sequence.</returns>
    /// <exception cref="ReadinessApiException">401 without a valid token, 403 outside the token's scope, 404 for an unknown province: refusals a reconnect would not change.</exception>
    /// <remarks>
    /// Reconnects wait as the server asks (its <c>retry</c>, 2 s), doubling up to 30 s while it cannot be
    /// reached; each is reported to <see cref="ReadinessClientOptions.OnRetry"/>. The client's timeout
    /// bounds only the wait for each connection to open.
    /// </remarks>
    public async IAsyncEnumerable<ProvinceLiveUpdate> WatchProvinceAsync(string provinceId, long? lastSequence = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provinceId);
        var path = $"api/provinces/{Uri.EscapeDataString(provinceId)}/live";
        var last = lastSequence;
        var serverDelay = DefaultReconnectDelay;
        var failures = 0;
        for (var attempt = 1; ; attempt++)
        {
            var (stream, reason, retryAfter) = await OpenLive(path, last, cancellationToken);
            if (stream is not null)
            {
                using (stream)
                {
                    while (await stream.NextAsync(cancellationToken) is { } update)
                    {
                        failures = 0;
                        if (update.Sequence <= last)
                        {
                            continue;
                        }
                        last = update.Sequence;
                        yield return update;
                    }
                    serverDelay = stream.ReconnectDelay ?? serverDelay;
                    reason = stream.DropReason;
                }
            }
            else
            {
                failures++;
            }
            // Once for a drop; doubling while the silo stays out of reach.
            var wait = TimeSpan.FromTicks(Math.Min(LongestReconnectDelay.Ticks, serverDelay.Ticks << Math.Min(failures, 4)));
            if (retryAfter > wait)
            {
                wait = retryAfter.Value;
            }
            options.OnRetry?.Invoke(new ReadinessRetry("GET", path, null, attempt, wait, reason));
            await Task.Delay(wait, cancellationToken);
        }
    }

    private async Task<(LiveStream? Stream, string Reason, TimeSpan? RetryAfter)> OpenLive(string path, long? last, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (last is { } id)
            {
                request.Headers.TryAddWithoutValidation("Last-Event-ID", id.ToString(CultureInfo.InvariantCulture));
            }
            // Headers only: the body never ends.
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception ex) when (IsUnknownOutcome(ex, cancellationToken))
        {
            return (null, ex is TaskCanceledException ? "no answer" : ex.Message, null);
        }
        if (response.IsSuccessStatusCode)
        {
            try
            {
                return (new LiveStream(response, await response.Content.ReadAsStreamAsync(cancellationToken)), "", null);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                response.Dispose();
                return (null, ex.Message, null);
            }
        }
        using (response)
        {
            if (IsTransient(response.StatusCode))
            {
                return (null, $"{(int)response.StatusCode} {response.ReasonPhrase}", RetryAfterOf(response));
            }
            throw await Refusal(response, cancellationToken);
        }
    }

    /// <summary>Reads server-sent events off one connection until it ends or breaks.</summary>
    private sealed class LiveStream(HttpResponseMessage response, Stream body) : IDisposable
    {
        private readonly StreamReader reader = new(body, Encoding.UTF8);

        /// <summary>The server's <c>retry:</c> field, when it sent one.</summary>
        public TimeSpan? ReconnectDelay { get; private set; }

        public string DropReason { get; private set; } = "the stream ended";

        /// <summary>The next <c>province</c> event, or null once the connection has ended or broken.</summary>
        public async Task<ProvinceLiveUpdate?> NextAsync(CancellationToken cancellationToken)
        {
            var data = new StringBuilder();
            string? kind = null;
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException
                    || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    DropReason = $"the stream broke: {ex.Message}";
                    return null;
                }
                if (line is null)
                {
                    return null;
                }
                if (line.Length == 0)
                {
                    if (data.Length > 0 && kind is null or "province")
                    {
                        return Parse(data.ToString());
                    }
                    data.Clear();
                    kind = null;
                    continue;
                }
                if (line[0] == ':')
                {
                    continue; // a heartbeat
                }
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "data":
                        data.Append(data.Length > 0 ? "\n" : "").Append(value);
                        break;
                    case "event":
                        kind = value;
                        break;
                    case "retry" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds):
                        ReconnectDelay = TimeSpan.FromMilliseconds(milliseconds);
                        break;
                    default:
                        break; // the id repeats the sequence, which the data carries
                }
            }
        }

        private static ProvinceLiveUpdate Parse(string json)
        {
            var message = JsonSerializer.Deserialize<LiveMessage>(json, Json)
                ?? throw new InvalidDataException("The live stream sent an empty event.");
            return new ProvinceLiveUpdate(message.Sequence, message.Changed ?? [], message.View);
        }

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    private sealed record LiveMessage(long Sequence, IReadOnlyList<string>? Changed, ProvinceReadinessView View);
}
