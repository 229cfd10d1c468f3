using System.Diagnostics.Metrics;
using Readiness.Domain;
using Readiness.Store;
using Readiness.Store.Projections;
using Readiness.Grains.Structure;

namespace Readiness.Silo.Live;

/// <summary>
/// Samples projection lag every second and the provinces' figures every five, for the gauges and
/// the readiness probe, so that a scrape or a probe never waits on the database.
/// </summary>
public sealed partial class ReadinessMonitor : BackgroundService
{
    private const int ProvinceEveryTicks = 5;

    private readonly ProjectionLagReader reader;
    private readonly ProvinceDatabases databases;
    private readonly ChainOfCommandCache chain;
    private readonly ReadinessPolicy policy;
    private readonly ReadinessClock clock;
    private readonly ILogger<ReadinessMonitor> logger;
    private volatile IReadOnlyList<ProjectionLag> lags = [];
    private volatile IReadOnlyList<ProvinceGaugeSample> provinces = [];

    public ReadinessMonitor(ProjectionLagReader reader, ProvinceDatabases databases, ChainOfCommandCache chain, ReadinessPolicy policy, ReadinessClock clock,
        ReadinessTelemetry telemetry, ILogger<ReadinessMonitor> logger)
    {
        this.reader = reader;
        this.databases = databases;
        this.chain = chain;
        this.policy = policy;
        this.clock = clock;
        this.logger = logger;
        var meter = telemetry.Meter;
        meter.CreateObservableGauge("readiness.projection.lag.events",
            () => lags.Select(l => new Measurement<long>(l.LagEvents, Tag("projection", l.Projection))),
            unit: "{event}", description: "Events appended but not yet applied by the projection.");
        meter.CreateObservableGauge("readiness.projection.lag.seconds",
            () => lags.Select(l => new Measurement<double>(l.LagSeconds, Tag("projection", l.Projection))),
            unit: "s", description: "How long the oldest unapplied event has waited.");
        meter.CreateObservableGauge("readiness.units",
            () => provinces.SelectMany(p => new[] { ("R1", p.Units.R1), ("R2", p.Units.R2), ("R3", p.Units.R3), ("R4", p.Units.R4) }
                .Select(l => new Measurement<int>(l.Item2, Tag("province", p.ProvinceId), Tag("level", l.Item1)))),
            unit: "{unit}", description: "Units per readiness level per province.");
        meter.CreateObservableGauge("readiness.duty_posts.not_manned",
            () => provinces.Select(p => new Measurement<int>(p.PostsNotManned, Tag("province", p.ProvinceId))),
            unit: "{post}", description: "Duty posts with no shift on or below the required staff, now.");
        meter.CreateObservableGauge("readiness.alerts.open",
            () => provinces.Select(p => new Measurement<int>(p.OpenAlerts, Tag("province", p.ProvinceId))),
            unit: "{alert}", description: "Overdue-handover alerts not yet cleared by a handover or a shift end.");
    }

    public IReadOnlyList<ProjectionLag> Lags => lags;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        for (var tick = 0; await timer.WaitForNextTickAsync(stoppingToken); tick++)
        {
            try
            {
                lags = await reader.ReadAsync(stoppingToken);
                if (tick % ProvinceEveryTicks == 0)
                {
                    provinces = await SampleProvinces(stoppingToken);
                }
            }
            // A poll that fails (the database restarting, say) is retried on the next tick; it must never stop the host.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogSampleFailed(ex.Message);
            }
        }
    }

    private async Task<IReadOnlyList<ProvinceGaugeSample>> SampleProvinces(CancellationToken cancellationToken)
    {
        // One database away keeps the gauges of the others; its own provinces keep their last figures.
        var away = new List<ProvinceDatabase>();
        var rosters = await databases.ProvinceRostersAsync(null, cancellationToken, (database, ex) =>
        {
            LogSampleFailed($"{database.Name}: {ex.Message}");
            away.Add(database);
            return true;
        });
        var now = clock.UtcNow;
        var tree = await chain.GetAsync(cancellationToken);
        return [.. tree.ArrangeEach(tree.ProvincesAt(now), rosters, now)
                .Select(r => r.ToView(policy, now))
                .Select(v => new ProvinceGaugeSample(v.Id, v.Units, v.PostsNotManned.Count, v.OpenAlerts.Count)),
            .. provinces.Where(p => away.Contains(databases.Of(p.ProvinceId)))];
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not sample readiness figures: {Reason}")]
    private partial void LogSampleFailed(string reason);
}
