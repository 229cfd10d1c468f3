using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Readiness.Store;

namespace Readiness.Silo.Audit;

/// <summary>
/// What the silo found wrong with its own record and would not put its name to: a log that does not extend
/// the head kept outside the database, an outbox row changed after it was signed. Each alarm is logged at
/// Critical when raised (or when its reason changes), counted in <c>readiness.audit.alarms.raised</c>, held in
/// the gauge <c>readiness.audit.alarms</c> and shown by <c>/health/ready</c> as degraded until it clears.
/// </summary>
public sealed partial class AuditAlarms
{
    private readonly ConcurrentDictionary<string, string> raised = new(StringComparer.Ordinal);
    private readonly Counter<long> count;
    private readonly ILogger<AuditAlarms> logger;

    public AuditAlarms(ReadinessTelemetry telemetry, ILogger<AuditAlarms> logger)
    {
        this.logger = logger;
        count = telemetry.Meter.CreateCounter<long>("readiness.audit.alarms.raised", "{alarm}",
            "Alarms raised about the silo's own record, by what they concern: a log that does not extend the head kept outside, an altered outbox row.");
        telemetry.Meter.CreateObservableGauge("readiness.audit.alarms", () => raised.Count, "{alarm}", "Alarms about the silo's own record that stand now.");
    }

    /// <summary>The alarms that stand, by what they concern.</summary>
    public IReadOnlyDictionary<string, string> Raised => raised;

    /// <summary>Raises (or keeps) the alarm about <paramref name="concern"/>; logged and counted once until its reason changes.</summary>
    public void Raise(string concern, string reason)
    {
        var previous = raised.GetValueOrDefault(concern);
        raised[concern] = reason;
        if (previous != reason)
        {
            count.Add(1, new KeyValuePair<string, object?>("concern", concern));
            LogRaised(concern, reason);
        }
    }

    /// <summary>Clears the alarm about <paramref name="concern"/>, when the check that raised it now holds.</summary>
    public void Clear(string concern)
    {
        if (raised.TryRemove(concern, out _))
        {
            LogCleared(concern);
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "ALARM {Concern}: {Reason}")]
    private partial void LogRaised(string concern, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alarm {Concern} cleared: its check holds again")]
    private partial void LogCleared(string concern);
}

/// <summary>Ready, degraded while an alarm about the silo's own record stands.</summary>
public sealed class AuditAlarmHealthCheck(AuditAlarms alarms) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(alarms.Raised.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded(string.Join("; ", alarms.Raised.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"ALARM {a.Key}: {a.Value}"))));
}
