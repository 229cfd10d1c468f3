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

namespace Readiness.Tests.Infrastructure;

/// <summary>Clients sending commands, each retried with its own id against another silo when the outcome is unknown.</summary>
/// <summary>
/// Clients sending commands, each retried with its own id (on another silo, when there are several)
/// while its outcome is unknown, for up to <paramref name="retryFor"/>; every answer is classified.
/// </summary>
public sealed class CommandLoad(HttpClient http, IReadOnlyList<SiloProcess> silos, string[] communes, TimeSpan retryFor)
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private int sent, attempts, givenUp, hangs, refused;
    private long slowestTicks;

    public ConcurrentDictionary<string, string> Acknowledged { get; } = new(StringComparer.Ordinal);
    public ConcurrentDictionary<string, int> Refusals { get; } = new(StringComparer.Ordinal);
    public ConcurrentQueue<string> Unclear { get; } = new();
    private ConcurrentQueue<TimeSpan> AckTimes { get; } = new();
    private ConcurrentQueue<(TimeSpan At, string CommandId)> Sends { get; } = new();
    public int Sent => sent;
    public int Attempts => attempts;
    public int GivenUp => givenUp;
    public int Hangs => hangs;
    public int ConnectionsRefused => refused;
    public TimeSpan Slowest => TimeSpan.FromTicks(Interlocked.Read(ref slowestTicks));

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
            Interlocked.Increment(ref sent);
            Sends.Enqueue((clock.Elapsed, ((ICommand)command).CommandId));
            await SendAsync(client + n, route, command, ((ICommand)command).CommandId, clock);
        }
    }

    // Once sent, a command is finished even when the load stops: its outcome must be known.
    private async Task SendAsync(int spread, string route, object command, string commandId, Stopwatch clock)
    {
        var first = Stopwatch.GetTimestamp();
        for (var attempt = 0; Stopwatch.GetElapsedTime(first) < retryFor; attempt++)
        {
            var silo = silos[(spread + attempt) % silos.Count];
            Interlocked.Increment(ref attempts);
            using var timeout = new CancellationTokenSource(RequestTimeout);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.PostAsJsonAsync(silo.Url($"/api/commands/{route}"), command, Json, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    Acknowledged[commandId] = body;
                    AckTimes.Enqueue(clock.Elapsed);
                    return;
                }
                var status = (int)response.StatusCode;
                var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" && body.Contains("\"title\"", StringComparison.Ordinal);
                Refusals.AddOrUpdate($"{status}{(problem ? "" : " without problem body")}", 1, (_, c) => c + 1);
                if (!problem || (status >= 500 && status != 503))
                {
                    Unclear.Enqueue($"silo {silo.Number}: {status} {body[..Math.Min(body.Length, 300)]}");
                }
                if (status is >= 400 and < 500 && status != 429)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                Interlocked.Increment(ref hangs);
            }
            // Refused by a dead silo, or reset mid-request by the one killed: the outcome is unknown, so the same id goes elsewhere.
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref refused);
            }
            finally
            {
                var took = Stopwatch.GetElapsedTime(started).Ticks;
                for (var seen = Interlocked.Read(ref slowestTicks); took > seen; seen = Interlocked.Read(ref slowestTicks))
                {
                    Interlocked.CompareExchange(ref slowestTicks, took, seen);
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100 * (attempt + 1)));
        }
        Interlocked.Increment(ref givenUp);
    }

    /// <summary>Commands first sent in [from, to), and how many of them were acknowledged.</summary>
    public (int Sent, int Acknowledged) SentBetween(TimeSpan from, TimeSpan to)
    {
        var window = Sends.Where(s => s.At >= from && s.At < to).ToArray();
        return (window.Length, window.Count(s => Acknowledged.ContainsKey(s.CommandId)));
    }

    private static string NewId() => Guid.NewGuid().ToString();

    public double Baseline(TimeSpan killedAt)
    {
        var from = TimeSpan.FromSeconds(1);
        var span = (killedAt - from).TotalSeconds;
        return span <= 0 ? 0 : AckTimes.Count(t => t >= from && t < killedAt) / span;
    }

    /// <summary>From the kill to the first two-second window with at least 80 % of the acknowledgements per second before it.</summary>
    public TimeSpan? RecoveryTime(TimeSpan killedAt) => RecoveryTime(killedAt, Baseline(killedAt));

    public TimeSpan? RecoveryTime(TimeSpan killedAt, double baseline)
    {
        var times = AckTimes.ToArray();
        var end = times.Length == 0 ? TimeSpan.Zero : times.Max();
        for (var start = killedAt; start + TimeSpan.FromSeconds(2) <= end; start += TimeSpan.FromMilliseconds(100))
        {
            var window = times.Count(t => t >= start && t < start + TimeSpan.FromSeconds(2)) / 2.0;
            if (window >= 0.8 * baseline)
            {
                return start - killedAt;
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
}

/// <summary>The built silo run as its own process, as in production, on 127.0.0.1.</summary>
public sealed class SiloProcess(int number, TestDatabase database, string clusterId)
{
    private readonly int httpPort = FreePort(), siloPort = FreePort(), gatewayPort = FreePort();
    private readonly StringBuilder log = new();
    private Process? process;

    public int Number => number;
    public int? Pid => process is { HasExited: false } p ? p.Id : null;

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
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["ConnectionStrings__Readiness"] = database.AppConnectionString,
            ["ConnectionStrings__ReadinessOwner"] = database.OwnerConnectionString,
            ["Readiness__Orleans__ClusterId"] = clusterId,
            ["Readiness__Orleans__AdvertisedAddress"] = "127.0.0.1",
            ["Readiness__Orleans__SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["Readiness__Orleans__GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Readiness__Demo__Enabled"] = "false",
            ["Readiness__Auth__SigningKey"] = SiloHost.SigningKey,
            // The load comes from one token; the limiter is another test's subject.
            ["Readiness__RateLimit__PermitsPerSecond"] = "100000",
            ["Readiness__RateLimit__Burst"] = "100000",
            ["Logging__LogLevel__Default"] = "Warning",
        };
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

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A port nobody listens on, below Linux's ephemeral range (32768 and up), so that the many
    /// outgoing connections of a load test cannot take it between now and the silo binding it; and
    /// never one handed out before in this test run.
    /// </summary>
    public static int FreePort()
    {
        lock (HandedOut)
        {
            while (true)
            {
                var port = Random.Shared.Next(20_000, 32_000);
                if (!HandedOut.Add(port))
                {
                    continue;
                }
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                    return port;
                }
                catch (SocketException)
                {
                }
            }
        }
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

/// <summary>The store after a fault: nothing acknowledged missing, nothing doubled, every stream whole.</summary>
public sealed record StoreAudit(int Acknowledged, int Lost, long Duplicated, long BrokenStreams, long StreamsOff, long Streams, long Head, long Tombstones, string? Broken)
{
    public static async Task<StoreAudit> TakeAsync(TestDatabase database, IEnumerable<string> acknowledged)
    {
        var ids = acknowledged.ToArray();
        var stored = await FaultChecks.CommandIdsInStoreAsync(database);
        var duplicated = await database.ScalarAsync("""
            SELECT count(*) FROM (SELECT 1 FROM readiness.mt_events WHERE headers ->> 'command-id' IS NOT NULL
              GROUP BY headers ->> 'command-id', stream_id, type HAVING count(*) > 1) d
            """);
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
        return new StoreAudit(ids.Length, ids.Count(id => !stored.ContainsKey(id)), duplicated, brokenStreams, streamsOff, streams, head, tombstones, broken);
    }

    public override string ToString() => Broken is null ? "" : $"broken streams: {Broken}";

    public void AssertWhole(string report)
    {
        report = $"{report}\n{this}";
        Assert.True(Lost == 0, report);
        Assert.True(Duplicated == 0, report);
        Assert.True(BrokenStreams == 0, report);
        Assert.True(StreamsOff == 0, report);
    }
}
