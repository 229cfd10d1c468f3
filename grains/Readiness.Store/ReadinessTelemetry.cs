using System.Diagnostics;
using System.Diagnostics.Metrics;
using Readiness.Contracts;

namespace Readiness.Store;

/// <summary>
/// Readiness's own traces and metrics. Span and metric attributes name actors, command kinds and
/// command ids, never a person: recipients' names and commanders stay out of telemetry.
/// </summary>
public sealed class ReadinessTelemetry
{
    public const string Name = "Readiness";

    /// <summary>Our spans: the domain decision and append of each command, and each rating of a province.</summary>
    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> commands;
    private readonly Counter<long> events;
    private readonly Histogram<double> commandDuration;
    private readonly Histogram<int> appendsPerCommit;

    public ReadinessTelemetry(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(Name);
        commands = Meter.CreateCounter<long>("readiness.commands", "{command}",
            "Commands handled by kind and outcome: accepted, duplicate (a retried command id) or rejected (with the rejection kind).");
        events = Meter.CreateCounter<long>("readiness.events.appended", "{event}", "Events appended to the event store, by kind.");
        commandDuration = Meter.CreateHistogram<double>("readiness.command.duration", "ms",
            "Time from a command reaching its grain to its answer, appends included.");
        appendsPerCommit = Meter.CreateHistogram<int>("readiness.appends.per_commit", "{append}",
            "Grains' appends committed in one transaction by the group commit: 1 when load is light, more as it grows.");
    }

    /// <summary>The meter other parts of the silo add their instruments to.</summary>
    public Meter Meter { get; }

    public void Handled(ICommand command, Rejection? rejection, bool alreadyApplied, double milliseconds)
    {
        var kind = new KeyValuePair<string, object?>("command", command.GetType().Name);
        var outcome = new KeyValuePair<string, object?>("outcome",
            rejection is not null ? "rejected" : alreadyApplied ? "duplicate" : "accepted");
        if (rejection is not null)
        {
            commands.Add(1, kind, outcome, new KeyValuePair<string, object?>("rejection", rejection.Kind.ToString()));
        }
        else
        {
            commands.Add(1, kind, outcome);
        }
        commandDuration.Record(milliseconds, kind);
    }

    public void Committed(int appends) => appendsPerCommit.Record(appends);

    public void Appended(IEnumerable<object> appended)
    {
        foreach (var e in appended)
        {
            events.Add(1, new KeyValuePair<string, object?>("event", e.GetType().Name));
        }
    }
}
