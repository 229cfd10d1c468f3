using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Domain.Integrity;
using Readiness.Store;
using Readiness.Store.Projections;
using Readiness.Grains.Structure;
using Readiness.Store.Outbox;
using Readiness.Silo.Audit;
using Readiness.Silo.Hosting;
using Readiness.Silo.Live;
using Readiness.Silo.Security;

namespace Readiness.Silo.Upward;

/// <summary>
/// Pushes each province's readiness report to the echelon above: monthly from the configured day,
/// and whenever the province's overall level changes. A report due is written to the outbox in the
/// same transaction that records it as due; delivery retries with backoff until the endpoint answers
/// 2xx, and the acknowledgement is recorded as an event. Reports carry every stream's chain head, so
/// an edit of the record made later, even by a superuser, no longer matches what was reported.
/// Only one silo of a cluster works the outbox at a time (an advisory lock).
/// </summary>
public sealed partial class UpwardReporter : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private readonly IDocumentStore store;
    private readonly NpgsqlDataSource database;
    private readonly ProvinceDatabases databases;
    private readonly ChainOfCommandCache chain;
    private readonly AuditDatabases audits;
    private readonly IGrainFactory grains;
    private readonly ReadinessPolicy policy;
    private readonly ReadinessClock clock;
    private readonly UpwardReportOptions options;
    private readonly UpwardReportSigner signer;
    private readonly AuditAlarms alarms;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ILogger<UpwardReporter> logger;
    private readonly LiveRosters liveRosters;
    private long backlog;
    // Each province's level as this silo's roster cache rated it when the outbox was last worked: a batch that
    // changes one wakes the outbox at once, instead of at the next poll.
    private Dictionary<string, ReadinessLevel?> levelsAtLastRun = new(StringComparer.Ordinal);
    private bool worksTheOutbox;
    private long lastLevelCheck;

    public UpwardReporter(IDocumentStore store, NpgsqlDataSource database, ProvinceDatabases databases, ChainOfCommandCache chain, AuditDatabases audits, IGrainFactory grains, ReadinessPolicy policy,
        ReadinessClock clock, IOptions<UpwardReportOptions> options, UpwardReportSigner signer, AuditAlarms alarms, ReadinessTelemetry telemetry, LiveRosters liveRosters,
        ILogger<UpwardReporter> logger)
    {
        this.liveRosters = liveRosters;
        this.alarms = alarms;
        this.store = store;
        this.database = database;
        this.databases = databases;
        this.chain = chain;
        this.audits = audits;
        this.grains = grains;
        this.policy = policy;
        this.clock = clock;
        this.options = options.Value;
        this.logger = logger;
        this.signer = signer;
        telemetry.Meter.CreateObservableGauge("readiness.outbox.backlog", () => Interlocked.Read(ref backlog), "{report}",
            "Upward reports queued and not yet acknowledged by their endpoint.");
    }

    public override void Dispose()
    {
        http.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Endpoints.Count == 0)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.PollSeconds));
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        while (true)
        {
            try
            {
                // Rated before the outbox reads the rosters, so that a change between the two wakes it again rather than waits.
                var before = await LevelsAsync(stoppingToken);
                worksTheOutbox = await RunOnceAsync(stoppingToken) >= 0;
                levelsAtLastRun = before;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTickFailed(ex);
            }
            // The poll, or sooner: a batch this silo's daemon committed changed a province's level (only where this silo works the outbox).
            while (!tick.IsCompleted && worksTheOutbox)
            {
                if (await Task.WhenAny(tick, liveRosters.NextCommit) == tick)
                {
                    break;
                }
                // Rated at most once a second however often batches commit; the rating is cached that long anyway.
                if (LiveRosters.RatedFreshFor - Stopwatch.GetElapsedTime(lastLevelCheck) is { Ticks: > 0 } wait)
                {
                    await Task.Delay(wait, stoppingToken);
                }
                lastLevelCheck = Stopwatch.GetTimestamp();
                if (await LevelChangedAsync(stoppingToken))
                {
                    break;
                }
            }
            if (tick.IsCompleted)
            {
                if (!await tick)
                {
                    return;
                }
                tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            }
        }
    }

    // A province standing now that the last run did not rate (registered since) counts as changed: its first report goes at once.
    // The tree is checked against the store, since the batch may hold the province's registration.
    private async Task<bool> LevelChangedAsync(CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        foreach (var provinceId in (await chain.RefreshAsync(force: true, cancellationToken)).ProvincesAt(now))
        {
            if (!levelsAtLastRun.TryGetValue(provinceId, out var level)
                || (await liveRosters.ViewAsync(provinceId, now, cancellationToken, newest: true))?.Level != level)
            {
                LogLevelChanged(provinceId);
                return true;
            }
        }
        return false;
    }

    private async Task<Dictionary<string, ReadinessLevel?>> LevelsAsync(CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var levels = new Dictionary<string, ReadinessLevel?>(StringComparer.Ordinal);
        foreach (var provinceId in (await chain.GetAsync(cancellationToken)).ProvincesAt(now))
        {
            levels[provinceId] = (await liveRosters.ViewAsync(provinceId, now, cancellationToken, newest: true))?.Level;
        }
        return levels;
    }

    /// <summary>Queues the reports that are due, then tries every delivery that is due; returns how many were delivered, or -1 when another silo works the outbox.</summary>
    private Task<int> RunOnceAsync(CancellationToken cancellationToken) =>
        AdvisoryLock.TryRunAsync(database, AdvisoryLockKey.Outbox, busy: -1, async () =>
        {
            await QueueDueReportsAsync(cancellationToken);
            return await DeliverAsync(cancellationToken);
        }, cancellationToken);

    private async Task QueueDueReportsAsync(CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var local = now.ToOffset(CommandTime.Offset);
        var month = local.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        // The outbox and each province's report state live in the main database; the rosters in each province's own.
        await using var session = store.LightweightSession();
        // A database beside the main one that is away is skipped until it is back: only its provinces' reports wait.
        var homes = await databases.ProvinceRostersAsync(null, cancellationToken, (each, ex) =>
        {
            var away = !each.IsMain && UnavailableExceptionHandler.FaultOf(ex) is UnavailableExceptionHandler.Fault.Database;
            if (away)
            {
                LogDatabaseAway(each.Name, ex.Message);
            }
            return away;
        });
        // A report names every stream its view counts: a unit registered a moment ago is in the tree before either is read.
        var tree = await chain.KnowingAsync(homes.SelectMany(h => h.Units.Keys), cancellationToken);
        var rosters = tree.ArrangeEach(tree.ProvincesAt(now), homes, now);
        var states = (await session.LoadManyAsync<UpwardReportState>(cancellationToken, rosters.Select(r => r.Id)))
            .ToDictionary(s => s.Id, StringComparer.Ordinal);
        foreach (var roster in rosters)
        {
            var view = roster.ToView(policy, now);
            var level = view.Level?.ToString() ?? "none";
            var known = states.GetValueOrDefault(roster.Id);
            var state = known ?? new UpwardReportState { Id = roster.Id };
            var (lastLevel, lastMonth) = (state.LastLevel, state.LastMonth);
            var (lastSequence, lastQueuedAt) = (state.LastSequence, state.LastQueuedAt);
            var endpoints = options.Endpoints.Where(e => e.Takes(roster.Id)).ToList();
            var due = new List<(string ReportId, string Reason)>();
            if (state.LastLevel is { } last && last != level)
            {
                due.Add(($"{roster.Id}/level/{view.Sequence}", $"level changed from {last} to {level}"));
            }
            if (local.Day >= options.MonthlyDay && state.LastMonth != month)
            {
                due.Add(($"{roster.Id}/monthly/{month}", $"monthly report for {month}"));
            }
            if (due.Count == 0 && options.IntervalSeconds > 0 && (state.LastQueuedAt is not { } queued || now - queued >= TimeSpan.FromSeconds(options.IntervalSeconds)))
            {
                due.Add(($"{roster.Id}/routine/{state.LastSequence + 1}", $"routine report every {options.IntervalSeconds} s"));
            }
            state.LastLevel = level;
            if (due.Count > 0 && endpoints.Count > 0)
            {
                // Each report carries the comments recorded since the last one; both reports of one tick carry the same.
                var commentsAfter = state.CommentsReportedThrough;
                foreach (var (reportId, reason) in due)
                {
                    // Numbered as queued, so that the region can tell a report sent again from a newer one.
                    var number = ++state.LastSequence;
                    var (body, signature) = signer.Sign(await ReportAsync(roster, view, reportId, reason, number, commentsAfter, now, cancellationToken));
                    foreach (var endpoint in endpoints)
                    {
                        var id = OutboxMessage.IdOf(reportId, endpoint.Name);
                        if (await session.LoadAsync<OutboxMessage>(id, cancellationToken) is null)
                        {
                            session.Store(new OutboxMessage
                            {
                                Id = id, ReportId = reportId, ProvinceId = roster.Id, Endpoint = endpoint.Name, Reason = reason, ReportSequence = number,
                                Body = body, Signature = signature, CreatedAt = now, NextAttemptTicks = now.UtcTicks, CommentsAfter = commentsAfter,
                            });
                        }
                    }
                    LogQueued(reportId, reason);
                }
                state.LastQueuedAt = now;
                if (due.Any(d => d.ReportId.Contains("/monthly/", StringComparison.Ordinal)))
                {
                    state.LastMonth = month;
                }
                state.CommentsReportedThrough = roster.CommentsAfter(commentsAfter).Select(c => c.Event.Version).DefaultIfEmpty(commentsAfter).Max();
            }
            // Most ticks change nothing; only a new or changed state is written.
            if (known is null || state.LastLevel != lastLevel || state.LastMonth != lastMonth || state.LastSequence != lastSequence || state.LastQueuedAt != lastQueuedAt
                || due.Count > 0)
            {
                session.Store(state);
            }
        }
        // The reports and the state that says they were made commit together, or neither does.
        await session.SaveChangesAsync(cancellationToken);
    }

    private async Task<int> DeliverAsync(CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        await using var session = store.LightweightSession();
        Interlocked.Exchange(ref backlog, await session.Query<OutboxMessage>().CountAsync(m => !m.Delivered && m.RefusedAt == null, cancellationToken));
        var ticks = now.UtcTicks;
        // A long backlog (an endpoint down for days) stays in the database: the oldest 200 are read at a time.
        var pending = await session.Query<OutboxMessage>()
            .Where(m => !m.Delivered && m.RefusedAt == null)
            .OrderBy(m => m.CreatedAt)
            .ThenBy(m => m.ReportSequence)
            .Take(200)
            .ToListAsync(cancellationToken);
        // A province's reports reach an endpoint in the order they were numbered: one that waits or fails holds
        // back the later ones, which the region would otherwise take first and then call the earlier a replay.
        var held = new HashSet<(string Endpoint, string Province)>();
        var delivered = 0;
        foreach (var message in pending)
        {
            var lane = (message.Endpoint, message.ProvinceId);
            var endpoint = options.Endpoints.FirstOrDefault(e => e.Name == message.Endpoint);
            if (endpoint?.Url is null || held.Contains(lane) || message.NextAttemptTicks > ticks)
            {
                held.Add(lane);
                continue;
            }
            message.Attempts++;
            if (!signer.Holds(message.Body, message.Signature) || !IsOf(message))
            {
                // Never sign what was read back from the table: whoever can write the row would have the
                // province sign anything. The report is built again from the events and signed as built.
                if (Es256Key.KeyIdOf(message.Signature) == signer.KeyId)
                {
                    alarms.Raise("outbox", $"The outbox row {message.Id} was changed after it was signed: its body no longer matches its signature, "
                        + "or names another report. It is sent rebuilt from the events instead.");
                }
                else
                {
                    LogRebuilt(message.ReportId, message.Endpoint);
                }
                if (await RebuildAsync(message, cancellationToken) is not { } rebuilt)
                {
                    message.NextAttemptTicks = now.AddSeconds(options.MaxBackoffSeconds).UtcTicks;
                    session.Store(message);
                    await session.SaveChangesAsync(cancellationToken);
                    continue;
                }
                (message.Body, message.Signature) = signer.Sign(rebuilt);
            }
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
                {
                    Content = new StringContent(message.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
                };
                request.Headers.Add("X-Readiness-Report-Id", message.ReportId);
                request.Headers.Add(UpwardReportSigner.Header, message.Signature);
                var sent = Parse(message.Body)?.TreeHead;
                if (await ProofAsync(session, message, sent, cancellationToken) is { } proof)
                {
                    request.Headers.Add(ConsistencyHeaders.From, proof.From.ToString(CultureInfo.InvariantCulture));
                    request.Headers.Add(ConsistencyHeaders.Proof, string.Join(',', proof.Path));
                }
                using var response = await http.SendAsync(request, cancellationToken);
                var answer = await response.Content.ReadAsStringAsync(cancellationToken);
                if (!response.IsSuccessStatusCode && RefusalOf(answer) is not null)
                {
                    message.RefusedAt = clock.UtcNow;
                    message.LastError = $"{(int)response.StatusCode} {response.ReasonPhrase}: {Detail(answer)}";
                    alarms.Raise(RefusedConcern(message.Endpoint), $"{message.Endpoint} refused report {message.ReportId}: {Detail(answer)}");
                    session.Store(message);
                    await session.SaveChangesAsync(cancellationToken);
                    Interlocked.Decrement(ref backlog);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"{(int)response.StatusCode} {response.ReasonPhrase}: {Detail(answer)}", null, response.StatusCode);
                }
                message.Delivered = true;
                message.DeliveredAt = clock.UtcNow;
                message.LastError = null;
                alarms.Clear(RefusedConcern(message.Endpoint));
                KeepCosigned(endpoint, message, sent, answer);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var wait = Math.Min(options.MaxBackoffSeconds, Math.Pow(2, Math.Min(message.Attempts, 20)));
                message.NextAttemptTicks = now.AddSeconds(wait).UtcTicks;
                message.LastError = ex.Message;
                LogRetry(message.ReportId, message.Endpoint, message.Attempts, wait, ex.Message);
                held.Add(lane);
            }
            session.Store(message);
            // Marked delivered before the acknowledgement is recorded: a crash in between re-records
            // nothing (same command id), where the other order could send the report twice.
            await session.SaveChangesAsync(cancellationToken);
            if (message.Delivered)
            {
                delivered++;
                Interlocked.Decrement(ref backlog);
                await grains.GetGrain<IUpwardReportGrain>(message.ProvinceId).Execute(new RecordUpwardReportAcknowledged(
                    message.Id, message.ProvinceId, message.ReportId, message.Endpoint, message.Reason, message.Attempts, message.DeliveredAt));
            }
        }
        return delivered;
    }

    /// <summary>
    /// The report on a province as its roster, its chains and its database's log stand: what the silo built, the only
    /// thing it signs. It carries the commander's comments recorded after version <paramref name="commentsAfter"/> of the
    /// province's stream.
    /// </summary>
    private async Task<UpwardReport> ReportAsync(ProvinceRoster roster, ProvinceReadinessView view, string reportId, string reason, long number, long commentsAfter,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var audit = audits.Of(view.Id);
        var heads = await audits.ChainHeadsAsync(view.Id, await chain.GetAsync(cancellationToken), cancellationToken);
        // The latest signed head of the province's database's log travels too: the echelon above keeps it out of this store's reach.
        var treeHead = (await audit.Log.HeadsAsync(null, 1, cancellationToken)).FirstOrDefault();
        return new(reportId, view.Id, view.Name, reason, now, view.Level, view.Units,
            [.. view.Districts.Select(d => new ProvinceDistrictLine(d.Id, d.Name, d.Level, d.Units))],
            view.PostsNotManned.Count, view.OpenAlerts.Count, view.Sequence, HeadsDigest(heads), heads, treeHead, Log: audit.Writer.LogName,
            ReportSequence: number, Missions: roster.MissionView(policy, now).Missions, Equipment: roster.EquipmentTotals(), Stale: view.Stale ?? [],
            BelowR2: view.BelowR2, Comments: roster.CommentsAfter(commentsAfter));
    }

    /// <summary>The row's report built again from the province as it stands now; null, with the row's error set, when the province is gone.</summary>
    private async Task<UpwardReport?> RebuildAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        var homes = await databases.ProvinceRostersAsync(null, cancellationToken);
        var tree = await chain.GetAsync(cancellationToken);
        if (tree.ArrangeEach([message.ProvinceId], homes, now) is not [var roster, ..])
        {
            message.LastError = $"The report cannot be built again: province {message.ProvinceId} no longer stands.";
            return null;
        }
        return await ReportAsync(roster, roster.ToView(policy, now), message.ReportId, message.Reason, message.ReportSequence, message.CommentsAfter, now,
            cancellationToken);
    }

    /// <summary>
    /// The proof that the head sent extends the last head this endpoint accepted for the province: what a region
    /// needs to witness it. None when the endpoint never accepted one (or it is of another log): the region then
    /// takes the head as its first, or refuses it if it had witnessed one.
    /// </summary>
    private async Task<(long From, List<string> Path)?> ProofAsync(IQuerySession session, OutboxMessage message, TreeHead? sent, CancellationToken cancellationToken)
    {
        if (sent is null)
        {
            return null;
        }
        // From the head of the last report the endpoint accepted, which it witnessed whether or not its cosignature
        // of it verified here: the region holds every report to the last head it accepted.
        var accepted = await session.Query<OutboxMessage>()
            .Where(m => m.Endpoint == message.Endpoint && m.ProvinceId == message.ProvinceId && m.Delivered)
            .OrderByDescending(m => m.ReportSequence)
            .Take(20)
            .ToListAsync(cancellationToken);
        if (accepted.Select(m => Parse(m.Body)?.TreeHead).FirstOrDefault(h => h is not null) is not { } witnessed
            || witnessed.Log != sent.Log || witnessed.Size > sent.Size)
        {
            return null;
        }
        var path = await audits.Of(message.ProvinceId).Log.ConsistencyPathAsync(witnessed.Size, sent.Size, cancellationToken);
        return (witnessed.Size, [.. path.Select(Convert.ToBase64String)]);
    }

    /// <summary>
    /// Keeps the head the endpoint cosigned, when it is the head sent: on the row, and beside the head file, where
    /// the log's writer reads it back before it signs the next head.
    /// </summary>
    private void KeepCosigned(UpwardEndpoint endpoint, OutboxMessage message, TreeHead? sent, string answer)
    {
        RegionReceipt? receipt;
        try
        {
            receipt = JsonSerializer.Deserialize<RegionReceipt>(answer, Json);
        }
        catch (JsonException)
        {
            // An endpoint that is no region answers what it likes.
            return;
        }
        if (receipt?.CosignedHead is not { } cosigned || sent is null)
        {
            return;
        }
        if (cosigned.Size != sent.Size || cosigned.Root != sent.Root || cosigned.Log != sent.Log || cosigned.ProvinceId != message.ProvinceId)
        {
            LogCosignedOther(message.Endpoint, message.ReportId);
            return;
        }
        // A cosignature is what the province shows an auditor, and what its writer holds every later head to:
        // one the region's pinned key does not verify is not the region's, and is not kept.
        if (endpoint.WitnessKeysFile is not { Length: > 0 } keysFile || !File.Exists(keysFile))
        {
            LogWitnessUnpinned(message.Endpoint, message.ReportId);
            return;
        }
        var payload = Encoding.UTF8.GetBytes(CosignedHead.Payload(cosigned.ProvinceId, cosigned.Log, cosigned.Size, cosigned.Root, cosigned.MadeAt, cosigned.Witness, cosigned.WitnessedAt));
        if (PublishedKeys.SignatureProblem(cosigned.Signature, payload, File.ReadAllText(keysFile), CosignedHead.SignedPurpose, "cosigned head", "head") is { } problem)
        {
            alarms.Raise(CosignedConcern(message.Endpoint), $"{message.Endpoint} answered report {message.ReportId} with a cosigned head whose signature fails "
                + $"against the witness keys pinned in {keysFile}: {problem} It is not kept.");
            return;
        }
        alarms.Clear(CosignedConcern(message.Endpoint));
        message.Cosigned = JsonSerializer.Serialize(cosigned, Json);
        audits.Of(message.ProvinceId).Writer.KeepCosigned(cosigned);
    }

    private static string CosignedConcern(string endpoint) => $"cosigned heads from {endpoint}";

    private static UpwardReport? Parse(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<UpwardReport>(body, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string RefusedConcern(string endpoint) => $"upward report to {endpoint}";

    /// <summary>The kind of refusal a region's problem names, when it recorded the report as refused; null for any other failure, which is retried.</summary>
    private static string? RefusalOf(string answer)
    {
        try
        {
            using var problem = JsonDocument.Parse(answer);
            return problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("refusal", out var kind) && kind.ValueKind == JsonValueKind.String
                ? kind.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A problem document's detail, or the answer's start.</summary>
    private static string Detail(string answer)
    {
        try
        {
            using var problem = JsonDocument.Parse(answer);
            if (problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                return detail.GetString()!;
            }
        }
        catch (JsonException)
        {
            // Not a problem document: its start says enough.
        }
        return answer.Length > 300 ? answer[..300] : answer;
    }

    /// <summary>Whether a signed body is the report of this row, for its purpose: a genuine body moved from another row is not.</summary>
    private static bool IsOf(OutboxMessage message)
    {
        try
        {
            var report = JsonSerializer.Deserialize<UpwardReport>(message.Body, Json);
            return report is not null && report.ReportId == message.ReportId && report.ProvinceId == message.ProvinceId && report.Purpose == UpwardReport.SignedPurpose
                && report.ReportSequence == message.ReportSequence;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>One hash over every stream's head, in stream order: what an auditor compares later.</summary>
    public static string HeadsDigest(IEnumerable<ChainHead> heads) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\n', heads.OrderBy(h => h.Stream, StringComparer.Ordinal).Select(h => $"{h.Stream} {h.Version} {h.Hash}")))));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database {Name} is away; its provinces' upward reports wait for it: {Reason}")]
    private partial void LogDatabaseAway(string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upward report {ReportId} to {Endpoint} was signed by an earlier key; it is built again from the events and signed with today's")]
    private partial void LogRebuilt(string reportId, string endpoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Province {ProvinceId}'s level changed in a committed batch; the outbox is worked now")]
    private partial void LogLevelChanged(string provinceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upward report {ReportId} queued: {Reason}")]
    private partial void LogQueued(string reportId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upward report {ReportId} to {Endpoint}, attempt {Attempts}, failed; next try in {Seconds} s: {Error}")]
    private partial void LogRetry(string reportId, string endpoint, int attempts, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Endpoint} answered report {ReportId} with a cosigned head that is not the head sent; it is not kept")]
    private partial void LogCosignedOther(string endpoint, string reportId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Endpoint} answered report {ReportId} with a cosigned head, but no witness key is pinned for it (WitnessKeysFile); it is not kept")]
    private partial void LogWitnessUnpinned(string endpoint, string reportId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The upward report outbox could not be worked this time")]
    private partial void LogTickFailed(Exception ex);
}
