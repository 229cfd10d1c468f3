using System.Diagnostics.Metrics;
using Npgsql;
using Readiness.Grains.Storage;

namespace Readiness.Silo.Live;

/// <summary>How far an asynchronous projection trails the event store, in events and in seconds.</summary>
/// <param name="Projection">The projection's name.</param>
/// <param name="Position">The last event sequence the projection has applied.</param>
/// <param name="NewestSequence">The newest event sequence in the store.</param>
/// <param name="LagEvents">Events appended but not yet applied.</param>
/// <param name="LagSeconds">How long the oldest unapplied event has waited; 0 when caught up.</param>
/// <param name="MeasuredAt">When this was measured.</param>
public sealed record ProjectionLag(string Projection, long Position, long NewestSequence, long LagEvents, double LagSeconds, DateTimeOffset MeasuredAt);

/// <summary>Reads the daemon's progress table against the event table.</summary>
public sealed class ProjectionLagReader(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> AsyncProjections = ["province-roster"];

    private static readonly string Query = $"""
        SELECT p.name,
               coalesce(p.last_seq_id, 0),
               coalesce((SELECT max(seq_id) FROM {ReadinessStore.Schema}.mt_events), 0),
               (SELECT min(e.timestamp) FROM {ReadinessStore.Schema}.mt_events e WHERE e.seq_id > coalesce(p.last_seq_id, 0))
        FROM unnest(@names) AS wanted(name)
        LEFT JOIN {ReadinessStore.Schema}.mt_event_progression p ON p.name = wanted.name || ':All'
        """;

    public async Task<IReadOnlyList<ProjectionLag>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Query);
        command.Parameters.AddWithValue("names", AsyncProjections.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var lags = new List<ProjectionLag>();
        var index = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var position = reader.GetInt64(1);
            var newest = reader.GetInt64(2);
            var oldestWaiting = reader.IsDBNull(3) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(3);
            lags.Add(new ProjectionLag(AsyncProjections[index++], position, newest, Math.Max(0, newest - position),
                oldestWaiting is { } waiting ? Math.Max(0, (now - waiting).TotalSeconds) : 0, now));
        }
        return lags;
    }
}

/// <summary>Samples the lag every second for the metrics, so a scrape never waits on the database.</summary>
public sealed partial class ProjectionLagMonitor : BackgroundService
{
    public const string MeterName = "Readiness";

    private readonly ProjectionLagReader reader;
    private readonly ILogger<ProjectionLagMonitor> logger;
    private volatile IReadOnlyList<ProjectionLag> latest = [];

    public ProjectionLagMonitor(ProjectionLagReader reader, IMeterFactory meters, ILogger<ProjectionLagMonitor> logger)
    {
        this.reader = reader;
        this.logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("readiness.projection.lag.events",
            () => latest.Select(l => new Measurement<long>(l.LagEvents, new KeyValuePair<string, object?>("projection", l.Projection))),
            unit: "{event}", description: "Events appended but not yet applied by the projection.");
        meter.CreateObservableGauge("readiness.projection.lag.seconds",
            () => latest.Select(l => new Measurement<double>(l.LagSeconds, new KeyValuePair<string, object?>("projection", l.Projection))),
            unit: "s", description: "How long the oldest unapplied event has waited.");
    }

    public IReadOnlyList<ProjectionLag> Latest => latest;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                latest = await reader.ReadAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                LogSampleFailed(ex.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sample projection lag: {Reason}")]
    private partial void LogSampleFailed(string reason);
}
