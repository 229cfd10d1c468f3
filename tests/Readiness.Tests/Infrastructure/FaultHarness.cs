using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Nodes;
using Readiness.Contracts;
using Readiness.Contracts.Http;

namespace Readiness.Tests.Infrastructure;

/// <summary>
/// Clients sending commands, each resent with its own id (on another silo, when there are several)
/// while its outcome is unknown, for up to <paramref name="retryFor"/>, waiting as long as a 503's
/// Retry-After asks; every answer is classified and every command's end is kept.
/// </summary>
public sealed class CommandLoad(HttpClient http, IReadOnlyList<SiloProcess> silos, string[] communes, TimeSpan retryFor)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>The refusals a command route documents (its OpenAPI problem responses, 503 and 429 aside, which are resent).</summary>
    public static readonly IReadOnlySet<int> DocumentedRefusals = new HashSet<int> { 400, 403, 404, 409 };

    private int attempts, hangs, refused;
    private long slowestTicks;

    /// <summary>Every command sent, by id: the stream it was for.</summary>
    public ConcurrentDictionary<string, string> Sent { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, CommandAccepted> Acknowledged { get; } = new(StringComparer.Ordinal);
    /// <summary>Commands whose last answer was a documented refusal (a problem document): finished, and nothing appended.</summary>
    public ConcurrentDictionary<string, int> RefusedFinally { get; } = new(StringComparer.Ordinal);
    /// <summary>The first few of those refusals as answered, to name in a failure: every command the load sends is valid.</summary>
    public ConcurrentQueue<string> RefusalsSeen { get; } = new();
    /// <summary>Commands still without an outcome when their time to retry ran out.</summary>
    public ConcurrentQueue<string> GivenUp { get; } = new();
    public ConcurrentDictionary<string, int> Refusals { get; } = new(StringComparer.Ordinal);
    public ConcurrentQueue<string> Unclear { get; } = new();
    /// <summary>Retry-After on each 503, as sent ("missing" when it was not).</summary>
    public ConcurrentDictionary<string, int> RetryAfters { get; } = new(StringComparer.Ordinal);
    private ConcurrentQueue<TimeSpan> AckTimes { get; } = new();
    private ConcurrentQueue<(TimeSpan At, string CommandId)> Sends { get; } = new();
    public int Attempts => attempts;
    public int Hangs => hangs;
    public int ConnectionsRefused => refused;
    public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref slowestTicks));

    /// <summary>Sent, and neither acknowledged nor refused in the end.</summary>
    public IEnumerable<string> Unresolved => Sent.Keys.Where(id => !Acknowledged.ContainsKey(id) && !RefusedFinally.ContainsKey(id));

    /// <summary>503s whose Retry-After was missing, or not a whole number of seconds above zero.</summary>
    public int BadRetryAfters => RetryAfters.Where(p => !int.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s < 1).Sum(p => p.Value);

    public async Task RunClientAsync(int client, Stopwatch clock, CancellationToken stop)
    {
        var random = new Random(client);
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var unit = communes[random.Next(communes.Length)];
            object command = n % 2 == 0
                ? new RecordOutreachSession(NewId(), unit, "Luật Quốc phòng", random.Next(10, 200), DateTimeOffset.UtcNow.AddDays(-1))
                : new EnlistRecruits(NewId(), unit, random.Next(1, 4), 2026);
            var route = command is RecordOutreachSession ? "record-outreach-session" : "enlist-recruits";
            var commandId = ((ICommand)command).CommandId;
            Sent[commandId] = unit;
            Sends.Enqueue((clock.Elapsed, commandId));
            await SendAsync(client + n, route, command, commandId, clock);
        }
    }

    // Once sent, a command is finished even when the load stops: its outcome must be known.
    private async Task SendAsync(int spread, string route, object command, string commandId, Stopwatch clock)
    {
        var first = Stopwatch.GetTimestamp();
        var refusedInTurn = 0;
        for (var attempt = 0; Stopwatch.GetElapsedTime(first) < retryFor; attempt++)
        {
            var silo = silos[(spread + attempt) % silos.Count];
            var wait = TimeSpan.FromMilliseconds(100 * (attempt + 1));
            Interlocked.Increment(ref attempts);
            using var timeout = new CancellationTokenSource(RequestTimeout);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.PostAsJsonAsync(silo.Url($"/api/commands/{route}"), command, Json, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    Acknowledged[commandId] = JsonSerializer.Deserialize<CommandAccepted>(body, Json)
                        ?? throw new InvalidOperationException($"An empty acknowledgement for {commandId}.");
                    AckTimes.Enqueue(clock.Elapsed);
                    return;
                }
                var status = (int)response.StatusCode;
                var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" && body.Contains("\"title\"", StringComparison.Ordinal);
                Refusals.AddOrUpdate($"{status}{(problem ? "" : " without problem body")}", 1, (_, c) => c + 1);
                if (status == 503)
                {
                    var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? string.Join(",", values) : "missing";
                    RetryAfters.AddOrUpdate(retryAfter, 1, (_, c) => c + 1);
                    // The server says when to come back; a client that came sooner would only add to the load it is shedding.
                    if (int.TryParse(retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
                    {
                        wait = TimeSpan.FromSeconds(seconds);
                    }
                }
                if (!problem || (status >= 500 && status != 503))
                {
                    Unclear.Enqueue($"silo {silo.Number}: {status} {body[..Math.Min(body.Length, 300)]}");
                }
                if (problem && DocumentedRefusals.Contains(status))
                {
                    RefusedFinally[commandId] = status;
                    if (RefusalsSeen.Count < 5)
                    {
                        RefusalsSeen.Enqueue($"{route} {commandId} on silo {silo.Number}: {status} {ProblemText(body)}");
                    }
                    return;
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                Interlocked.Increment(ref hangs);
            }
            // Refused by a dead silo, or reset mid-request by the one killed: the outcome is unknown, so the same id goes elsewhere.
            catch (HttpRequestException e)
            {
                Interlocked.Increment(ref refused);
                // Nobody listening answers at once: a client that knows other silos tries the next one straight
                // away, as a load balancer would, and waits only when every one of them has refused in turn.
                if (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } && ++refusedInTurn % silos.Count != 0)
                {
                    wait = TimeSpan.Zero;
                }
            }
            finally
            {
                var took = Stopwatch.GetElapsedTime(started).Ticks;
                for (var seen = Interlocked.Read(ref slowestTicks); took > seen; seen = Interlocked.Read(ref slowestTicks))
                {
                    Interlocked.CompareExchange(ref slowestTicks, took, seen);
                }
            }
            if (wait > TimeSpan.Zero)
            {
                refusedInTurn = 0;
                await Task.Delay(wait);
            }
        }
        GivenUp.Enqueue(commandId);
    }

    private static string ProblemText(string body)
    {
        var problem = JsonNode.Parse(body);
        return $"{problem?["title"]?.GetValue<string>()} {problem?["detail"]?.GetValue<string>()}".Trim();
    }

    /// <summary>Commands first sent in [from, to), and how many of them were acknowledged.</summary>
    public (int Sent, int Acknowledged) SentBetween(TimeSpan from, TimeSpan to)
    {
        var window = Sends.Where(s => s.At >= from && s.At < to).ToArray();
        return (window.Length, window.Count(s => Acknowledged.ContainsKey(s.CommandId)));
    }

    private static string NewId() => Guid.NewGuid().ToString();

    /// <summary>The width of the windows throughput is judged in: long enough to hold tens of answers, short enough to see a stall.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The start of the first <see cref="Window"/> from <paramref name="after"/> on, ending no later
    /// than <paramref name="until"/>, with at least 80 % of <paramref name="baseline"/> acknowledgements
    /// per second; null when there is none.
    /// </summary>
    public TimeSpan? RecoveredAt(TimeSpan after, double baseline, TimeSpan until)
    {
        var times = AckTimes.ToArray();
        for (var start = after; start + Window <= until; start += TimeSpan.FromMilliseconds(100))
        {
            var rate = times.Count(t => t >= start && t < start + Window) / Window.TotalSeconds;
            if (rate >= 0.8 * baseline)
            {
                return start;
            }
        }
        return null;
    }

    public double Rate(TimeSpan from, TimeSpan to) =>
        to <= from ? 0 : AckTimes.Count(t => t >= from && t < to) / (to - from).TotalSeconds;

    public IEnumerable<int> PerSecond()
    {
        var times = AckTimes.ToArray();
        var seconds = times.Length == 0 ? 0 : (int)times.Max().TotalSeconds + 1;
        return Enumerable.Range(0, seconds).Select(s => times.Count(t => (int)t.TotalSeconds == s));
    }

    public string RetryAftersText() => RetryAfters.IsEmpty ? "no 503s" : string.Join(", ", RetryAfters.OrderBy(p => p.Key).Select(p => $"Retry-After {p.Key} x{p.Value}"));
}

/// <summary>The built silo run as its own process, as in production, on 127.0.0.1.</summary>
/// <param name="number">The silo's number among the test's silos.</param>
/// <param name="database">Its main database.</param>
/// <param name="clusterId">The Orleans cluster it joins.</param>
/// <param name="settings">Environment settings beyond the usual ones (Readiness__Databases__0__Name=..., say).</param>
/// <param name="urls">The <c>Urls</c> setting for the HTTP port the silo is given; http://127.0.0.1 on it by default.</param>
public sealed class SiloProcess(int number, TestDatabase database, string clusterId, IReadOnlyDictionary<string, string>? settings = null, Func<int, string>? urls = null)
{
    private readonly int httpPort = LoopbackPorts.Next(), siloPort = LoopbackPorts.Next(), gatewayPort = LoopbackPorts.Next();
    private readonly StringBuilder log = new();
    private Process? process;

    public int Number => number;
    public int? Pid => process is { HasExited: false } p ? p.Id : null;
    public int SiloPort => siloPort;
    public int HttpPort => httpPort;

    /// <summary>
    /// What this silo's PostgreSQL sessions call themselves (pg_stat_activity.application_name), so
    /// that a lock can be traced to the silo holding it; a restarted silo keeps its name.
    /// </summary>
    public string ApplicationName => $"readiness-fault-silo-{number}";

    public Uri Url(string path) => new($"http://127.0.0.1:{httpPort}{path}");

    public void Start()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Readiness.Silo.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Urls"] = urls?.Invoke(httpPort) ?? $"http://127.0.0.1:{httpPort}",
            ["ConnectionStrings__Readiness"] = new Npgsql.NpgsqlConnectionStringBuilder(database.AppConnectionString) { ApplicationName = ApplicationName }.ConnectionString,
            ["Readiness__Orleans__ClusterId"] = clusterId,
            ["Readiness__Orleans__AdvertisedAddress"] = "127.0.0.1",
            ["Readiness__Orleans__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Readiness__Orleans__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Readiness__Demo__Enabled"] = "false",
            ["Readiness__Auth__SigningKey"] = SiloHost.SigningKey,
            ["Readiness__UpwardReports__SigningKeyPem"] = SiloHost.ReportKeyPem,
            ["Readiness__Log__SigningKeyPem"] = SiloHost.HeadKeyPem,
            // The load comes from one token; the limiter is another test's subject.
            ["Readiness__RateLimit__PermitsPerSecond"] = "100000",
            ["Readiness__RateLimit__Burst"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the silo.");
        var started = process;
        started.OutputDataReceived += (_, e) => Append(e.Data);
        started.ErrorDataReceived += (_, e) => Append(e.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (log)
        {
            log.AppendLine(line);
        }
    }

    public string Log()
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    public async Task WaitUntilReadyAsync(TimeSpan patience)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < patience)
        {
            if (process is null || process.HasExited)
            {
                throw new InvalidOperationException($"Silo {number} exited.\n{Log()}");
            }
            try
            {
                using var response = await http.GetAsync(Url("/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
                last = await response.Content.ReadAsStringAsync();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Silo {number} was not ready within {patience}; last answer {last}\n{Log()}");
    }

    /// <summary>SIGKILL: no shutdown, no goodbye to the membership table.</summary>
    public void Kill()
    {
        if (process is { HasExited: false } running)
        {
            running.Kill(entireProcessTree: true);
            running.WaitForExit(5000);
        }
        process?.Dispose();
        process = null;
    }

    public static async Task<string> OutputOfAsync(string file, params string[] arguments)
    {
        using var run = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = await run.StandardOutput.ReadToEndAsync();
        await run.WaitForExitAsync();
        return output;
    }

}

/// <summary>What every fault test checks once the load has stopped.</summary>
public static class FaultChecks
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string NewId() => Guid.NewGuid().ToString();

    public static async Task MustAcceptAsync(HttpClient http, SiloProcess silo, RegisterUnit command)
    {
        using var response = await http.PostAsJsonAsync(silo.Url("/api/commands/register-unit"), command, Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Sends the command until it is accepted, resending the same command id after each 503 as a client
    /// is told to (a silo that just died may still hold the actor until the cluster declares it dead).
    /// </summary>
    public static async Task MustBeAcceptedWithinAsync(HttpClient http, SiloProcess silo, RegisterUnit command, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.PostAsJsonAsync(silo.Url("/api/commands/register-unit"), command, Json);
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == 503 && clock.Elapsed < patience, $"{(int)response.StatusCode} after {clock.Elapsed.TotalSeconds:F1} s: {body}");
            await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
        }
    }

    public static async Task<JsonNode> GetJsonAsync(HttpClient http, SiloProcess silo, string path)
    {
        using var response = await http.GetAsync(silo.Url(path));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    // When the view was rated and when its document was written are clock readings, not what the events say.
    public static JsonNode Comparable(JsonNode view)
    {
        switch (view)
        {
            case JsonObject o:
                o.Remove("ratedAt");
                o.Remove("updatedAt");
                foreach (var (_, child) in o)
                {
                    if (child is not null)
                    {
                        Comparable(child);
                    }
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    if (child is not null)
                    {
                        Comparable(child);
                    }
                }
                break;
        }
        return view;
    }

    public static async Task<TimeSpan> RebuildAsync(HttpClient http, SiloProcess silo)
    {
        var clock = Stopwatch.StartNew();
        using var started = await http.PostAsync(silo.Url("/api/admin/projections/rebuild"), null);
        Assert.True(started.StatusCode == HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        var location = started.Headers.Location!;
        while (true)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "The rebuild did not finish within 30 s.");
            var job = await GetJsonAsync(http, silo, location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString);
            var state = job["state"]?.GetValue<string>();
            if (string.Equals(state, "succeeded", StringComparison.OrdinalIgnoreCase))
            {
                return clock.Elapsed;
            }
            Assert.False(string.Equals(state, "failed", StringComparison.OrdinalIgnoreCase), job.ToJsonString());
            await Task.Delay(100);
        }
    }

    public static async Task<Dictionary<string, long>> CommandIdsInStoreAsync(TestDatabase database)
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = new Npgsql.NpgsqlConnection(database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT headers ->> 'command-id', count(*) FROM readiness.mt_events WHERE headers ->> 'command-id' IS NOT NULL GROUP BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids[reader.GetString(0)] = reader.GetInt64(1);
        }
        return ids;
    }

    /// <summary>The view read from one silo, a rebuild from zero run on another, the view read again.</summary>
    public static async Task<(bool Equal, JsonNode Before, JsonNode After, TimeSpan RebuiltIn)> ViewEqualsRebuildAsync(HttpClient http, SiloProcess reader, SiloProcess rebuilder, string viewPath)
    {
        var before = Comparable(await GetJsonAsync(http, reader, viewPath));
        var rebuiltIn = await RebuildAsync(http, rebuilder);
        var after = Comparable(await GetJsonAsync(http, reader, viewPath));
        return (JsonNode.DeepEquals(before, after), before, after, rebuiltIn);
    }
}

/// <summary>
/// The store after a fault, for every command the load sent: each acknowledged one stored exactly
/// once, in the stream and at the version its answer named; none refused (each is valid), and a refused
/// one not stored; none left without an outcome; and every stream whole.
/// </summary>
public sealed record StoreAudit(int Sent, int Acknowledged, int Refused, int Unresolved, int Lost, int Doubled, int Misplaced, int RefusedButStored,
    long BrokenStreams, long StreamsOff, long Streams, long Head, long Tombstones, string? Broken, string? Examples, string RefusalsSeen)
{
    public static async Task<StoreAudit> TakeAsync(TestDatabase database, CommandLoad load)
    {
        var sent = load.Sent.Keys.ToArray();
        var stored = new Dictionary<string, List<(string Stream, long Version)>>(StringComparer.Ordinal);
        await using (var connection = new Npgsql.NpgsqlConnection(database.SuperuserConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(
                "SELECT headers ->> 'command-id', stream_id, version FROM readiness.mt_events WHERE headers ->> 'command-id' = ANY(@ids)", connection);
            command.Parameters.AddWithValue("ids", sent);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var id = reader.GetString(0);
                if (!stored.TryGetValue(id, out var events))
                {
                    stored[id] = events = [];
                }
                events.Add((reader.GetString(1), reader.GetInt64(2)));
            }
        }
        var examples = new List<string>();
        int Count(IEnumerable<string> ids, string what)
        {
            var found = ids.ToArray();
            examples.AddRange(found.Take(3).Select(id => $"{what}: {id} ({string.Join(", ", stored.GetValueOrDefault(id, []).Select(e => $"{e.Stream}@{e.Version}"))})"));
            return found.Length;
        }
        var acknowledged = load.Acknowledged.ToArray();
        var lost = Count(acknowledged.Where(a => !stored.ContainsKey(a.Key)).Select(a => a.Key), "acknowledged, not stored");
        // One command is one event here: each of the load's commands decides exactly one.
        var doubled = Count(stored.Where(p => p.Value.Count > 1).Select(p => p.Key), "stored more than once");
        var misplaced = Count(acknowledged.Where(a => stored.TryGetValue(a.Key, out var e) && e.Count == 1 && e[0] != (a.Value.StreamId, a.Value.Version)).Select(a => a.Key),
            "stored elsewhere than its answer said");
        var refusedButStored = Count(load.RefusedFinally.Keys.Where(stored.ContainsKey), "refused, yet stored");
        var unresolved = Count(load.Unresolved, "no outcome");

        var brokenStreams = await database.ScalarAsync("""
            SELECT count(*) FROM (SELECT stream_id FROM readiness.mt_events WHERE stream_id <> 'mt_tombstone' GROUP BY stream_id
              HAVING count(*) <> max(version) OR count(DISTINCT version) <> count(*) OR min(version) <> 1) b
            """);
        var streamsOff = await database.ScalarAsync("""
            SELECT count(*) FROM readiness.mt_streams s
            WHERE s.id <> 'mt_tombstone' AND s.version IS DISTINCT FROM (SELECT max(version) FROM readiness.mt_events e WHERE e.stream_id = s.id)
            """);
        // Marten's placeholders for sequence numbers that failed appends used: bookkeeping, not reports.
        var tombstones = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE stream_id = 'mt_tombstone'");
        var streams = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_streams WHERE id <> 'mt_tombstone'");
        var head = await database.ScalarAsync("SELECT coalesce(max(seq_id), 0) FROM readiness.mt_events");
        var broken = await database.ScalarTextAsync("""
            SELECT string_agg(format('%s: %s events, versions %s..%s, %s distinct, mt_streams.version %s', e.stream_id, e.n, e.lo, e.hi, e.d, s.version), '; ')
            FROM (SELECT stream_id, count(*) n, min(version) lo, max(version) hi, count(DISTINCT version) d FROM readiness.mt_events WHERE stream_id <> 'mt_tombstone' GROUP BY stream_id) e
            LEFT JOIN readiness.mt_streams s ON s.id = e.stream_id
            WHERE e.n <> e.hi OR e.d <> e.n OR e.lo <> 1 OR s.version IS DISTINCT FROM e.hi
            """);
        return new StoreAudit(sent.Length, acknowledged.Length, load.RefusedFinally.Count, unresolved, lost, doubled, misplaced, refusedButStored,
            brokenStreams, streamsOff, streams, head, tombstones, broken, examples.Count == 0 ? null : string.Join("; ", examples), string.Join("; ", load.RefusalsSeen));
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"commands sent: {Sent}; acknowledged: {Acknowledged}; refused (documented 4xx): {Refused}; without an outcome: {Unresolved}\n" +
        $"lost (acknowledged, not stored): {Lost}; stored more than once: {Doubled}; stored elsewhere than the answer said: {Misplaced}; refused yet stored: {RefusedButStored}\n" +
        $"streams: {Streams}; with a gap or duplicate version: {BrokenStreams}; " +
            $"mt_streams.version differing from the highest event version: {StreamsOff}; Marten tombstones for failed appends: {Tombstones}");

    public override string ToString() => string.Join("\n", new[] { Broken is null ? null : $"broken streams: {Broken}", Examples }.OfType<string>());

    public void AssertWhole(string report)
    {
        report = $"{report}\n{this}";
        Assert.True(Sent == Acknowledged + Refused, report);
        // The load sends only valid commands to units that exist: a fault may delay an answer, never turn it into a refusal.
        Assert.True(Refused == 0, $"{Refused} of the load's valid commands were refused, first: {RefusalsSeen}\n{report}");
        Assert.True(Unresolved == 0, report);
        Assert.True(Lost == 0, report);
        Assert.True(Doubled == 0, report);
        Assert.True(Misplaced == 0, report);
        Assert.True(RefusedButStored == 0, report);
        Assert.True(BrokenStreams == 0, report);
        Assert.True(StreamsOff == 0, report);
    }
}

/// <summary>
/// Who runs the projection daemon, read from PostgreSQL rather than asked of the silos: Marten's
/// HotCold daemon holds a session advisory lock per async shard, with the id Marten derives from the
/// event schema, the shard and DaemonLockId, and the session holding it names its silo.
/// </summary>
public static class DaemonLeadership
{
    private static readonly Lazy<long[]> Ids = new(ComputeLockIds);

    /// <summary>
    /// The lock ids, from the silo's own store configuration, so that a changed DaemonLockId or a new
    /// projection is followed: one per shard over one database, and DaemonLockId itself in each database
    /// when the provinces are spread over several (Marten then leads each database's shards under one lock).
    /// </summary>
    public static long[] LockIds() => Ids.Value;

    private static long[] ComputeLockIds()
    {
        var options = new Marten.StoreOptions();
        Readiness.Store.ReadinessStore.Configure(options, "Host=127.0.0.1", TimeProvider.System);
        // The shards exist once a store has compiled its projections; building one opens no connection.
        using var store = new Marten.DocumentStore(options);
        return [.. options.Projections.AllShards().Select(shard =>
            (long)JasperFx.Events.Daemon.ProjectionLockIds.Compute(options.Events.DatabaseSchemaName, shard.Name, options.Projections.DaemonLockId)),
            options.Projections.DaemonLockId];
    }

    /// <summary>The application names of the sessions holding the daemon's locks in this database (none while nobody leads).</summary>
    public static async Task<string[]> HoldersAsync(TestDatabase database)
    {
        // pg_locks splits a bigint advisory key into classid (high half) and objid (low half); objsubid 1 marks a bigint key.
        await using var connection = new Npgsql.NpgsqlConnection(database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT DISTINCT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((l.classid::bigint << 32) | l.objid::bigint) = ANY(@ids)
            """, connection);
        command.Parameters.AddWithValue("ids", LockIds());
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.IsDBNull(0) ? "" : reader.GetString(0));
        }
        return [.. names];
    }

    /// <summary>The one silo holding the daemon's locks, polled until there is one or <paramref name="patience"/> runs out; null then.</summary>
    public static async Task<SiloProcess?> LeaderAsync(TestDatabase database, IReadOnlyList<SiloProcess> silos, TimeSpan patience, Func<SiloProcess, bool>? acceptable = null)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            var holders = await HoldersAsync(database);
            if (holders.Length == 1 && silos.FirstOrDefault(s => s.ApplicationName == holders[0]) is { } leader && (acceptable?.Invoke(leader) ?? true))
            {
                return leader;
            }
            await Task.Delay(100);
        }
        while (clock.Elapsed < patience);
        return null;
    }
}

/// <summary>Orleans' own view of a silo, from the ADO.NET membership table.</summary>
public static class Membership
{
    /// <summary>Orleans' SiloStatus.Dead.</summary>
    public const int Dead = 6;

    public static async Task<int?> StatusAsync(TestDatabase database, string clusterId, SiloProcess silo)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT status FROM orleans_membership WHERE deploymentid = @cluster AND port = @port ORDER BY generation DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        command.Parameters.AddWithValue("port", silo.SiloPort);
        return await command.ExecuteScalarAsync() is int status ? status : null;
    }

    /// <summary>Polls until the cluster has declared <paramref name="silo"/> dead; null when it has not within <paramref name="patience"/>.</summary>
    public static async Task<TimeSpan?> DeclaredDeadAsync(TestDatabase database, string clusterId, SiloProcess silo, Stopwatch clock, TimeSpan patience)
    {
        var deadline = clock.Elapsed + patience;
        while (clock.Elapsed < deadline)
        {
            if (await StatusAsync(database, clusterId, silo) == Dead)
            {
                return clock.Elapsed;
            }
            await Task.Delay(100);
        }
        return null;
    }
}

/// <summary>
/// A hop on 127.0.0.1 between a client and a silo that delivers each request whole, waits for the
/// silo's answer to begin, notes its status line, and then resets the client's connection instead of
/// passing the answer on: the command has been decided and the client cannot know it. One request per
/// connection, so the client has no pooled connection to retry on by itself.
/// </summary>
public sealed class AnswerDroppingProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Uri target;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private readonly ConcurrentBag<Task> connections = [];

    public AnswerDroppingProxy(Uri target)
    {
        this.target = target;
        listener.Start();
        accepting = AcceptAsync();
    }

    /// <summary>The status line of each answer the proxy swallowed.</summary>
    public ConcurrentQueue<string> Swallowed { get; } = new();

    public Uri Url(string path) => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}{path}");

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            connections.Add(RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var silo = new TcpClient();
        try
        {
            await silo.ConnectAsync(target.Host, target.Port, stop.Token);
            var fromClient = client.GetStream();
            var toSilo = silo.GetStream();
            var forward = fromClient.CopyToAsync(toSilo, stop.Token);
            var answer = new byte[4096];
            var read = 0;
            while (read < answer.Length && Array.IndexOf(answer, (byte)'\n', 0, read) < 0)
            {
                var n = await toSilo.ReadAsync(answer.AsMemory(read), stop.Token);
                if (n == 0)
                {
                    break;
                }
                read += n;
            }
            Swallowed.Enqueue(Encoding.ASCII.GetString(answer, 0, read).Split('\r', '\n')[0]);
            // Linger zero: an RST, as when a connection is cut, not a tidy end of stream the client might read as an empty answer.
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
            await Task.WhenAny(forward);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        await Task.WhenAll(connections);
        stop.Dispose();
    }
}
