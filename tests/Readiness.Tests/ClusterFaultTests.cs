using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// Three silo processes on one database; one is SIGKILLed mid-load (the projection daemon's leader
/// when it can be found) and restarted. Afterwards nothing acknowledged is missing or doubled, every
/// stream is whole, the province view equals a rebuild, and refusals during the fault were clear.
/// READINESS_FAULT_LONG=1 runs two minutes of load instead of twenty seconds.
/// </summary>
public sealed class ClusterFaultTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    private static readonly bool Long = Environment.GetEnvironmentVariable("READINESS_FAULT_LONG") == "1";

    private readonly List<SiloProcess> silos = [];
    private TestDatabase? database;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in silos)
        {
            silo.Kill();
        }
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Killing_a_silo_mid_load_loses_and_doubles_nothing_and_the_views_converge()
    {
        var loadTime = TimeSpan.FromSeconds(Long ? 120 : 20);
        var cluster = await PostgresCluster.EnsureStartedAsync();
        database = await cluster.CreateDatabaseAsync("fault");
        var clusterId = $"fault-{Guid.NewGuid():N}"[..20];
        for (var i = 0; i < 3; i++)
        {
            silos.Add(new SiloProcess(i + 1, database, clusterId));
        }
        // The first alone applies the schema; the other two then only join, so they may start together.
        var startup = Stopwatch.StartNew();
        silos[0].Start();
        await silos[0].WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        silos[1].Start();
        silos[2].Start();
        await Task.WhenAll(silos[1].WaitUntilReadyAsync(TimeSpan.FromSeconds(120)), silos[2].WaitUntilReadyAsync(TimeSpan.FromSeconds(120)));
        var startedIn = startup.Elapsed;

        var token = new TokenIssuer(TokenIssuer.KeyFrom(SiloHost.SigningKey), new AuthOptions(), TimeProvider.System)
            .Mint(new TokenRequest("fault-test", [Access.Everywhere], Access.Roles)).Token;
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var province = $"f{Guid.NewGuid():N}"[..10];
        var communes = Enumerable.Range(1, 8).Select(n => $"{province}/district-a/commune-{n}").ToArray();
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await MustAcceptAsync(http, silos[0], new RegisterUnit(NewId(), province, "Fault province", Echelon.Province, null, 100, at));
        await MustAcceptAsync(http, silos[0], new RegisterUnit(NewId(), $"{province}/district-a", "Fault district", Echelon.District, null, 20, at));
        foreach (var commune in communes)
        {
            await MustAcceptAsync(http, silos[0], new RegisterUnit(NewId(), commune, "Fault commune", Echelon.Commune, null, 1000, at));
        }

        var load = new Load(http, silos, communes);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 6).Select(n => Task.Run(() => load.RunClientAsync(n, clock, stop.Token))).ToArray();

        await Task.Delay(loadTime * 0.3);
        var (victim, leaderFound) = await DaemonLeaderAsync();
        var killedAt = clock.Elapsed;
        victim.Kill();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var restartedAt = clock.Elapsed;
        victim.Start();
        var remaining = loadTime - clock.Elapsed;
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }
        await victim.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
        var victimReadyAt = clock.Elapsed;
        // A few seconds with all three back, so that recovery can be seen rather than cut off.
        var tail = victimReadyAt + TimeSpan.FromSeconds(4) - clock.Elapsed;
        if (tail > TimeSpan.Zero)
        {
            await Task.Delay(tail);
        }
        await stop.CancelAsync();
        await Task.WhenAll(clients);
        var loadEnded = clock.Elapsed;

        // The store.
        var acknowledged = load.Acknowledged.Keys.ToArray();
        var stored = await CommandIdsInStoreAsync();
        var lost = acknowledged.Count(id => !stored.ContainsKey(id));
        var duplicated = await database.ScalarAsync("""
            SELECT count(*) FROM (SELECT 1 FROM readiness.mt_events WHERE headers ->> 'command-id' IS NOT NULL
              GROUP BY headers ->> 'command-id', stream_id, type HAVING count(*) > 1) d
            """);
        var brokenStreams = await database.ScalarAsync("""
            SELECT count(*) FROM (SELECT stream_id FROM readiness.mt_events GROUP BY stream_id
              HAVING count(*) <> max(version) OR count(DISTINCT version) <> count(*) OR min(version) <> 1) b
            """);
        var streamsOff = await database.ScalarAsync("""
            SELECT count(*) FROM readiness.mt_streams s
            WHERE s.version IS DISTINCT FROM (SELECT max(version) FROM readiness.mt_events e WHERE e.stream_id = s.id)
            """);
        var streams = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_streams");

        // The views: the roster reaches the head, then equals a rebuild from zero.
        var head = await database.ScalarAsync("SELECT max(seq_id) FROM readiness.mt_events");
        var convergeClock = Stopwatch.StartNew();
        while (await database.ScalarAsync("SELECT coalesce(max(last_seq_id), 0) FROM readiness.mt_event_progression WHERE name = 'province-roster:All'") < head)
        {
            Assert.True(convergeClock.Elapsed < TimeSpan.FromSeconds(30), $"The province view did not reach sequence {head} within 30 s after the load.");
            await Task.Delay(50);
        }
        var convergedIn = convergeClock.Elapsed;
        var leaderAfter = await AdvisoryLockHolderAsync();
        var viewPath = $"/api/provinces/{province}/readiness";
        var before = Comparable(await GetJsonAsync(http, silos[1], viewPath));
        var rebuiltIn = await RebuildAsync(http, silos[2]);
        var after = Comparable(await GetJsonAsync(http, silos[0], viewPath));
        var viewsEqual = JsonNode.DeepEquals(before, after);

        var recovery = load.RecoveryTime(killedAt);
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Cluster fault test ({(Long ? "long" : "short")} form), {DateTimeOffset.UtcNow:u}")
            .AppendLine(CultureInfo.InvariantCulture, $"three silo processes ready in {startedIn.TotalSeconds:F1} s")
            .AppendLine(CultureInfo.InvariantCulture, $"fault: SIGKILL silo {victim.Number} ({(leaderFound ? "the daemon leader, found via pg_locks" : "daemon leader not found; any silo")}) at {killedAt.TotalSeconds:F1} s, restarted at {restartedAt.TotalSeconds:F1} s, ready again at {victimReadyAt.TotalSeconds:F1} s; load ended at {loadEnded.TotalSeconds:F1} s")
            .AppendLine(CultureInfo.InvariantCulture, $"daemon leader after the fault: {(leaderAfter is { } l ? $"silo {l}" : "not found")}")
            .AppendLine(CultureInfo.InvariantCulture, $"commands sent: {load.Sent}, attempts: {load.Attempts}, acknowledged: {acknowledged.Length}, given up after retries: {load.GivenUp}")
            .AppendLine(CultureInfo.InvariantCulture, $"lost (acknowledged, not stored): {lost}; duplicated (command id stored twice): {duplicated}")
            .AppendLine(CultureInfo.InvariantCulture, $"streams: {streams}; with a gap or duplicate version: {brokenStreams}; mt_streams.version differing from the highest event version: {streamsOff}")
            .AppendLine(CultureInfo.InvariantCulture, $"province view reached the head (seq {head}) {convergedIn.TotalSeconds:F2} s after the load ended; equal to a rebuild from zero: {viewsEqual} (rebuild took {rebuiltIn.TotalSeconds:F2} s)")
            .AppendLine(CultureInfo.InvariantCulture, $"throughput before the fault: {load.Baseline(killedAt):F1} acks/s; recovered to 80 % of it {(recovery is { } r ? $"{r.TotalSeconds:F1} s after the kill" : "never during the load")}; with all three back: {load.Rate(victimReadyAt, loadEnded):F1} acks/s")
            .AppendLine(CultureInfo.InvariantCulture, $"refusals: {string.Join(", ", load.Refusals.OrderBy(p => p.Key).Select(p => $"{p.Key} x{p.Value}"))}")
            .AppendLine(CultureInfo.InvariantCulture, $"unclear answers (5xx other than 503, or an error without a problem body): {load.Unclear.Count}{(load.Unclear.IsEmpty ? "" : ": " + string.Join(" | ", load.Unclear.Take(5)))}")
            .AppendLine(CultureInfo.InvariantCulture, $"requests that hung past {Load.RequestTimeout.TotalSeconds:F0} s: {load.Hangs}; slowest answer {load.Slowest.TotalSeconds:F1} s; connections refused or reset (silo down): {load.ConnectionsRefused}")
            .AppendLine("acks per second: " + string.Join(" ", load.PerSecond()));
        if (!viewsEqual)
        {
            report.AppendLine("view before the rebuild: " + before.ToJsonString()).AppendLine("view after the rebuild: " + after.ToJsonString());
        }
        var text = report.ToString();
        var results = Path.Combine(PostgresCluster.RepositoryRoot, "TestResults");
        Directory.CreateDirectory(results);
        await File.WriteAllTextAsync(Path.Combine(results, "cluster-fault.txt"), text);
        TestContext.Current.TestOutputHelper?.WriteLine(text);

        Assert.True(acknowledged.Length > 50, text);
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
        Assert.Equal(0, brokenStreams);
        Assert.Equal(0, streamsOff);
        Assert.True(viewsEqual, $"{text}\nbefore: {before.ToJsonString()}\nafter: {after.ToJsonString()}");
        Assert.True(load.Unclear.IsEmpty, text);
        Assert.Equal(0, load.Hangs);
    }

    private static string NewId() => Guid.NewGuid().ToString();

    private static async Task MustAcceptAsync(HttpClient http, SiloProcess silo, RegisterUnit command)
    {
        using var response = await http.PostAsJsonAsync(silo.Url("/api/commands/register-unit"), command, Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonNode> GetJsonAsync(HttpClient http, SiloProcess silo, string path)
    {
        using var response = await http.GetAsync(silo.Url(path));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    // When the view was rated and when its document was written are clock readings, not what the events say.
    private static JsonNode Comparable(JsonNode view)
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

    private static async Task<TimeSpan> RebuildAsync(HttpClient http, SiloProcess silo)
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

    private async Task<Dictionary<string, long>> CommandIdsInStoreAsync()
    {
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = new Npgsql.NpgsqlConnection(database!.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT headers ->> 'command-id', count(*) FROM readiness.mt_events WHERE headers ->> 'command-id' IS NOT NULL GROUP BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids[reader.GetString(0)] = reader.GetInt64(1);
        }
        return ids;
    }

    /// <summary>The silo whose connection holds the daemon's advisory lock, else the first.</summary>
    private async Task<(SiloProcess Silo, bool Found)> DaemonLeaderAsync() =>
        await AdvisoryLockHolderAsync() is { } number ? (silos[number - 1], true) : (silos[0], false);

    private async Task<int?> AdvisoryLockHolderAsync()
    {
        var port = await database!.ScalarTextAsync($"""
            SELECT a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND a.datname = '{database.Name}' LIMIT 1
            """);
        if (port is null)
        {
            return null;
        }
        // The socket's local port names the process that owns it.
        var owner = await SiloProcess.OutputOfAsync("ss", "-tnpH", $"sport = :{port}");
        return silos.FirstOrDefault(s => s.Pid is { } pid && owner.Contains($"pid={pid},", StringComparison.Ordinal))?.Number;
    }

    /// <summary>Clients sending commands, each retried with its own id against another silo when the outcome is unknown.</summary>
    private sealed class Load(HttpClient http, IReadOnlyList<SiloProcess> silos, string[] communes)
    {
        public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
        private const int MaxAttempts = 8;
        private int sent, attempts, givenUp, hangs, refused;
        private long slowestTicks;

        public ConcurrentDictionary<string, string> Acknowledged { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, int> Refusals { get; } = new(StringComparer.Ordinal);
        public ConcurrentQueue<string> Unclear { get; } = new();
        private ConcurrentQueue<TimeSpan> AckTimes { get; } = new();
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
                await SendAsync(client + n, route, command, ((ICommand)command).CommandId, clock);
            }
        }

        // Once sent, a command is finished even when the load stops: its outcome must be known.
        private async Task SendAsync(int spread, string route, object command, string commandId, Stopwatch clock)
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
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

        public double Baseline(TimeSpan killedAt)
        {
            var from = TimeSpan.FromSeconds(1);
            var span = (killedAt - from).TotalSeconds;
            return span <= 0 ? 0 : AckTimes.Count(t => t >= from && t < killedAt) / span;
        }

        /// <summary>From the kill to the first two-second window with at least 80 % of the acknowledgements per second before it.</summary>
        public TimeSpan? RecoveryTime(TimeSpan killedAt)
        {
            var baseline = Baseline(killedAt);
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
    private sealed class SiloProcess(int number, TestDatabase database, string clusterId)
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

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
