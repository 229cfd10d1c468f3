using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Silo.Hosting;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A collection the exporters may add to from any thread.</summary>
public sealed class LockedCollection<T> : ICollection<T>
{
    private readonly List<T> items = [];

    public int Count { get { lock (items) { return items.Count; } } }
    public bool IsReadOnly => false;
    public void Add(T item) { lock (items) { items.Add(item); } }
    public void Clear() { lock (items) { items.Clear(); } }
    public bool Contains(T item) { lock (items) { return items.Contains(item); } }
    public void CopyTo(T[] array, int arrayIndex) { lock (items) { items.CopyTo(array, arrayIndex); } }
    public bool Remove(T item) { lock (items) { return items.Remove(item); } }
    public List<T> Snapshot() { lock (items) { return [.. items]; } }
    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A silo of its own whose traces and metrics land in memory.</summary>
public sealed class TelemetryFixture : IAsyncLifetime
{
    public LockedCollection<Activity> Spans { get; } = new();
    public MetricCapture Metrics { get; private set; } = null!;
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        Database = await cluster.CreateDatabaseAsync("telemetry");
        // An exporter added in code, which the silo cannot see in its settings: it is told that spans go somewhere.
        Host = new SiloHost(Database, loadDemo: false, services => services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddInMemoryExporter(Spans)), new Dictionary<string, string> { [TelemetryExtensions.TracingSetting] = "true" });
        Http = await Host.StartAndWaitUntilReadyAsync();
        Metrics = new MetricCapture(Host.Services.GetRequiredService<IMeterFactory>());
    }

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>
/// Listens to the instruments of one host's meters only (their scope is that host's meter factory),
/// so that other silos in this test process, which use the same meter names, do not add to the counts.
/// </summary>
public sealed class MetricCapture : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<string, double> sums = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, double> last = new(StringComparer.Ordinal);

    public MetricCapture(IMeterFactory scope)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Meter.Name == "Readiness")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Record(i, value, tags));
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        listener.Start();
    }

    /// <summary>The sum of a counter's (or a histogram's count of) measurements whose tags include all of <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        sums.Where(p => Matches(p.Key, instrument, tags)).Sum(p => p.Value);

    /// <summary>The latest observed value of a gauge, summed over the series matching <paramref name="tags"/>.</summary>
    public double Observe(string instrument, params (string Key, string Value)[] tags)
    {
        listener.RecordObservableInstruments();
        return last.Where(p => Matches(p.Key, instrument, tags)).Sum(p => p.Value);
    }

    public void Dispose() => listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = instrument.Name + "|" + string.Join("|", tags.ToArray().Select(t => $"{t.Key}={t.Value}").Order(StringComparer.Ordinal));
        if (instrument is Histogram<double>)
        {
            sums.AddOrUpdate(key, 1, (_, n) => n + 1);
        }
        else if (instrument.IsObservable)
        {
            last[key] = value;
        }
        else
        {
            sums.AddOrUpdate(key, value, (_, n) => n + value);
        }
    }

    private static bool Matches(string key, string instrument, (string Key, string Value)[] tags) =>
        key.StartsWith(instrument + "|", StringComparison.Ordinal) && tags.All(t => key.Split('|').Contains($"{t.Key}={t.Value}"));
}

public class TelemetryTests(TelemetryFixture fixture) : IClassFixture<TelemetryFixture>
{
    private static string Id() => Guid.NewGuid().ToString();

    private async Task<string> Province()
    {
        var p = $"o{Guid.NewGuid():N}"[..10];
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        foreach (var command in new ICommand[]
        {
            new RegisterUnit(Id(), p, "Tỉnh", Echelon.Province, null, 100, at),
            new RegisterUnit(Id(), $"{p}/d", "Huyện", Echelon.District, null, 20, at),
        })
        {
            using var response = await Post("register-unit", command);
            response.EnsureSuccessStatusCode();
        }
        return p;
    }

    private static IEnumerable<Activity> Ancestors(Activity span, List<Activity> trace)
    {
        for (var parent = trace.FirstOrDefault(s => s.SpanId == span.ParentSpanId); parent is not null; parent = trace.FirstOrDefault(s => s.SpanId == parent.ParentSpanId))
        {
            yield return parent;
        }
    }

    // The runtime type, so every field of the command is sent, not only the interface's.
    private Task<HttpResponseMessage> Post(string route, ICommand command) =>
        fixture.Http.PostAsync(new Uri($"/api/commands/{route}", UriKind.Relative), JsonContent.Create(command, command.GetType(), options: SiloFixture.Json));

    [Fact]
    public async Task A_command_through_the_API_is_one_trace_from_the_HTTP_span_through_the_grain_to_PostgreSQL()
    {
        var province = await Province();
        var commandId = Id();

        using (var response = await fixture.Http.PostAsJsonAsync("/api/commands/record-members-joined",
            new RecordMembersJoined(commandId, $"{province}/d", ForceType.Standing, 5), SiloFixture.Json))
        {
            response.EnsureSuccessStatusCode();
        }

        Activity? decide = null;
        Activity? server = null;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while ((decide is null || server is null) && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
            var spans = fixture.Spans.Snapshot();
            decide = spans.FirstOrDefault(s => s.Source.Name == "Readiness" && (string?)s.GetTagItem("readiness.command_id") == commandId);
            server = decide is null ? null : spans.FirstOrDefault(s => s.TraceId == decide.TraceId && s.Source.Name == "Microsoft.AspNetCore" && s.Kind == ActivityKind.Server);
        }
        Assert.NotNull(decide);
        Assert.NotNull(server);
        var trace = fixture.Spans.Snapshot().Where(s => s.TraceId == server.TraceId).ToList();
        var ids = trace.Select(s => s.SpanId).ToHashSet();

        Assert.Contains("record-members-joined", server.DisplayName, StringComparison.Ordinal);
        Assert.Equal("decide RecordMembersJoined", decide.DisplayName);
        Assert.Equal($"{province}/d", decide.GetTagItem("readiness.actor"));
        Assert.Contains(trace, s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.DisplayName == "IUnitGrain/Execute");
        Assert.Contains(trace, s => s.Source.Name == "Npgsql");
        // One root (the caller's HTTP request, which this test's client also traces); every other span hangs from it.
        var roots = trace.Where(s => !ids.Contains(s.ParentSpanId)).ToList();
        Assert.True(roots.Count == 1, $"Roots: {string.Join(", ", roots.Select(s => $"{s.Source.Name}:{s.DisplayName}"))}");
        Assert.True(server == roots[0] || server.ParentSpanId == roots[0].SpanId);
        Assert.Equal(server.SpanId, Ancestors(decide, trace).Last(a => a.Source.Name == "Microsoft.AspNetCore").SpanId);
        Assert.DoesNotContain(trace, s => s.TagObjects.Any(t => t.Key.Contains("commander", StringComparison.OrdinalIgnoreCase)));
        // The event names the trace it was recorded in and the decision that appended it.
        var history = await fixture.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?unit={province}/d", UriKind.Relative), SiloFixture.Json);
        var appended = Assert.Single(history!.Events, e => e.CommandId == commandId);
        Assert.Equal(server.TraceId.ToHexString(), appended.CorrelationId);
        Assert.Equal(decide.Id, appended.CausationId);
    }

    [Fact]
    public async Task The_projection_daemon_traces_each_batch_it_commits()
    {
        await Province();

        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        Activity? batch = null;
        while (batch is null && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
            batch = fixture.Spans.Snapshot().LastOrDefault(s => s.Source.Name == "Readiness" && s.DisplayName == "projection batch");
        }

        Assert.NotNull(batch);
        Assert.True((int)batch.GetTagItem("readiness.documents_written")! >= 1);
    }

    [Fact]
    public async Task Command_and_event_counters_follow_a_known_sequence_of_commands()
    {
        var province = await Province();
        var unit = $"{province}/d";
        var repeated = new RecordOutreachSession(Id(), unit, "Luật", 60);
        var commands = new ICommand[]
        {
            new RecordOutreachSession(Id(), unit, "Luật", 70),
            repeated,
            repeated,
            new RecordOutreachSession(Id(), unit, "Luật", -1),
            new RecordOutreachSession(Id(), $"{province}/ghost", "Luật", 10),
        };
        var before = Counts();
        foreach (var command in commands)
        {
            using var _ = await Post("record-outreach-session", command);
        }
        var after = Counts();

        Assert.Equal(2, after.Accepted - before.Accepted);
        Assert.Equal(1, after.Duplicate - before.Duplicate);
        Assert.Equal(1, after.Invalid - before.Invalid);
        Assert.Equal(1, after.NotFound - before.NotFound);
        Assert.Equal(2, after.Appended - before.Appended);
        Assert.True(after.Timed - before.Timed >= 5);
    }

    private (double Accepted, double Duplicate, double Invalid, double NotFound, double Appended, double Timed) Counts()
    {
        var kind = ("command", nameof(RecordOutreachSession));
        return (
            fixture.Metrics.Sum("readiness.commands", kind, ("outcome", "accepted")),
            fixture.Metrics.Sum("readiness.commands", kind, ("outcome", "duplicate")),
            fixture.Metrics.Sum("readiness.commands", kind, ("rejection", nameof(RejectionKind.Invalid))),
            fixture.Metrics.Sum("readiness.commands", kind, ("rejection", nameof(RejectionKind.NotFound))),
            fixture.Metrics.Sum("readiness.events.appended", ("event", nameof(OutreachSessionHeld))),
            fixture.Metrics.Sum("readiness.command.duration", kind));
    }

    [Fact]
    public async Task The_readiness_gauges_count_units_per_level_for_each_province()
    {
        var province = await Province();

        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        double units = 0;
        while (units != 2 && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(500);
            units = fixture.Metrics.Observe("readiness.units", ("province", province));
        }

        Assert.Equal(2, units);
        Assert.Equal(2, fixture.Metrics.Observe("readiness.units", ("province", province), ("level", "R4")));
    }

    [Fact]
    public async Task Prometheus_scrapes_our_metrics_at_slash_metrics()
    {
        await Province();

        var text = await fixture.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Contains("readiness_commands_total", text, StringComparison.Ordinal);
        Assert.Contains("readiness_events_appended_total", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE readiness_command_duration_milliseconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE readiness_appends_per_commit histogram", text, StringComparison.Ordinal);
        Assert.Contains("readiness_projection_lag_events{", text, StringComparison.Ordinal);
    }
}
