using System.Diagnostics.Metrics;
using Marten;
using Microsoft.Extensions.Options;
using Readiness.Domain;
using Readiness.Store;
using Readiness.Store.Projections;
using Readiness.Silo.Hosting;

namespace Readiness.Silo.Audit;

/// <summary>
/// Keeps a roster checkpoint at the start of every month (Vietnam time) of each province's history,
/// so a view of the past folds at most a month of events plus what was recorded since the
/// checkpoints were made. A new set is made once that backlog passes
/// <c>Readiness:History:CheckpointEvery</c> events; older sets stay for views "known at" their time.
/// </summary>
public sealed partial class RosterCheckpointer(
    ProvinceDatabases databases,
    PastViews past,
    ReadinessClock clock,
    StartupState startup,
    IOptions<ReadinessOptions> options,
    ReadinessTelemetry telemetry,
    ILogger<RosterCheckpointer> logger) : BackgroundService
{
    private readonly Counter<long> failures = telemetry.Meter.CreateCounter<long>("readiness.checkpoints.failed", "{province}",
        "Provinces whose roster checkpoints could not be refreshed on a pass; the others are refreshed all the same.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var history = options.Value.History;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(history.CheckpointPollSeconds));
        // Checkpoints made halfway through loading the demo would be stale at once.
        while (!startup.DemoLoaded && await timer.WaitForNextTickAsync(stoppingToken))
        {
        }
        do
        {
            try
            {
                await RefreshAllAsync(history.CheckpointEvery, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>
    /// Refreshes every province's checkpoints (see <see cref="RefreshAsync"/>). A province that fails
    /// is logged, counted and retried on the next pass; it never keeps the others from theirs. So is a
    /// database beside the main one that does not answer: its provinces wait, the others' go on.
    /// </summary>
    /// <returns>The provinces that failed on this pass.</returns>
    public async Task<IReadOnlyList<string>> RefreshAllAsync(long backlog, CancellationToken cancellationToken)
    {
        // Every database's provinces: a checkpoint lives beside the province's own events.
        var provinces = new List<string>();
        foreach (var database in databases.All)
        {
            try
            {
                await using var session = database.Sessions.QuerySession();
                provinces.AddRange((await session.ProvinceIdsAsync(cancellationToken)).Where(province => databases.Of(province) == database));
            }
            catch (Exception ex) when (!database.IsMain && !cancellationToken.IsCancellationRequested)
            {
                LogDatabaseAway(ex, database.Name);
            }
        }
        var failed = new List<string>();
        foreach (var province in provinces.Order(StringComparer.Ordinal))
        {
            try
            {
                await RefreshAsync(province, backlog, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed.Add(province);
                failures.Add(1, new KeyValuePair<string, object?>("province", province));
                LogProvinceFailed(ex, province);
            }
        }
        return failed;
    }

    /// <summary>Makes a set of checkpoints for the province when it has none, or when the newest is more than <paramref name="backlog"/> events old.</summary>
    /// <returns>How many checkpoints were written.</returns>
    public async Task<int> RefreshAsync(string provinceId, long backlog, CancellationToken cancellationToken)
    {
        var head = await past.SequenceKnownAtAsync(provinceId, knownAt: null, cancellationToken);
        var database = databases.Of(provinceId);
        await using var session = database.Sessions.LightweightSession();
        var newest = await session.Query<RosterCheckpoint>()
            .Where(c => c.ProvinceId == provinceId)
            .Select(c => c.Sequence)
            .OrderByDescending(s => s)
            .FirstOrDefaultAsync(cancellationToken);
        if (newest > 0 && head - newest <= backlog)
        {
            return 0;
        }

        var started = DateTimeOffset.UtcNow;
        var written = 0;
        RosterCheckpoint? previous = null;
        foreach (var month in Months(await past.FirstOccurredAsync(provinceId, head, cancellationToken), clock.UtcNow))
        {
            var roster = await past.ContinueAsync(provinceId, previous, month, head, cancellationToken);
            previous = new RosterCheckpoint
            {
                Id = RosterCheckpoint.IdOf(provinceId, month, head),
                ProvinceId = provinceId,
                AsOf = month,
                AsOfTicks = month.UtcTicks,
                Sequence = head,
                Straddling = await past.StraddlingAsync(provinceId, month, head, cancellationToken),
                Roster = roster,
            };
            session.Store(previous);
            // Each checkpoint is stored as it is made: the next one folds on from this very object.
            await session.SaveChangesAsync(cancellationToken);
            previous = await ReloadAsync(database, previous.Id, cancellationToken);
            written++;
        }
        LogWritten(written, provinceId, head, (DateTimeOffset.UtcNow - started).TotalMilliseconds);
        return written;
    }

    private static async Task<RosterCheckpoint?> ReloadAsync(ProvinceDatabase database, string id, CancellationToken cancellationToken)
    {
        await using var session = database.Sessions.QuerySession();
        return await session.LoadAsync<RosterCheckpoint>(id, cancellationToken);
    }

    /// <summary>The start of every month from the one after <paramref name="first"/> up to now, Vietnam time.</summary>
    private static IEnumerable<DateTimeOffset> Months(DateTimeOffset? first, DateTimeOffset now)
    {
        if (first is not { } start)
        {
            yield break;
        }
        var local = start.ToOffset(CommandTime.Offset);
        for (var month = new DateTimeOffset(local.Year, local.Month, 1, 0, 0, 0, CommandTime.Offset).AddMonths(1); month <= now; month = month.AddMonths(1))
        {
            yield return month;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrote {Count} roster checkpoints for {Province} at sequence {Sequence} in {Milliseconds:F0} ms")]
    private partial void LogWritten(int count, string province, long sequence, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Roster checkpoints could not be refreshed; views of the past fold from further back until they are")]
    private partial void LogFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Roster checkpoints of the provinces in database {Database} could not be refreshed; they are tried again on the next pass")]
    private partial void LogDatabaseAway(Exception ex, string database);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Roster checkpoints of {Province} could not be refreshed; its views of the past fold from further back until they are, and the other provinces go on")]
    private partial void LogProvinceFailed(Exception ex, string province);
}
