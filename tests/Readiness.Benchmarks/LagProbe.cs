using System.Diagnostics;
using Readiness.Domain;

namespace Readiness.Benchmarks;

/// <summary>
/// Projection lag under load: every quarter second it takes the newest acknowledged command, finds
/// the global sequence of its event, and times how long after the acknowledgement the sequence of
/// the roster part that holds its stream reaches it. One query per 10 ms serves every pending probe, so probing adds
/// little load of its own.
/// </summary>
public sealed class LagProbe(BenchDatabase database, CountryLoad load) : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly List<(string Part, long Sequence, long AckTimestamp)> pending = [];
    private readonly Lock gate = new();
    private Task? sampler;
    private Task? watcher;
    private volatile bool draining;

    public Latencies Lags { get; } = new();
    public int TimedOut { get; private set; }

    public void Start()
    {
        sampler = Task.Run(SampleAsync);
        watcher = Task.Run(WatchAsync);
    }

    private async Task SampleAsync()
    {
        CountryLoad.Acknowledged? last = null;
        while (!stop.IsCancellationRequested && !draining)
        {
            var ack = load.Latest;
            if (ack is not null && !ReferenceEquals(ack, last))
            {
                last = ack;
                var sequence = await database.ScalarAsync(
                    "SELECT seq_id FROM readiness.mt_events WHERE stream_id = @stream AND version = @version",
                    ("stream", ack.StreamKey), ("version", ack.Version));
                if (sequence > 0)
                {
                    lock (gate)
                    {
                        pending.Add((StreamKeys.RosterPartOf(ack.StreamKey), sequence, ack.AckTimestamp));
                    }
                }
            }
            try
            {
                await Task.Delay(250, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WatchAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            (string Part, long Sequence, long AckTimestamp)[] waiting;
            lock (gate)
            {
                waiting = [.. pending];
            }
            if (waiting.Length == 0 && draining)
            {
                return;
            }
            if (waiting.Length > 0)
            {
                var parts = waiting.Select(w => w.Part).Distinct(StringComparer.Ordinal).ToArray();
                var reached = new Dictionary<string, long>(StringComparer.Ordinal);
                await using (var command = database.Superuser.CreateCommand(
                    "SELECT id, (data->>'sequence')::bigint FROM readiness.mt_doc_provinceroster WHERE id = ANY(@ids)"))
                {
                    command.Parameters.AddWithValue("ids", parts);
                    await using var reader = await command.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        reached[reader.GetString(0)] = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
                    }
                }
                var now = Stopwatch.GetTimestamp();
                lock (gate)
                {
                    foreach (var w in waiting)
                    {
                        var lag = Stopwatch.GetElapsedTime(w.AckTimestamp, now);
                        if (reached.GetValueOrDefault(w.Part) >= w.Sequence)
                        {
                            Lags.Add(lag.TotalMilliseconds);
                            pending.Remove(w);
                        }
                        else if (lag > TimeSpan.FromSeconds(60))
                        {
                            TimedOut++;
                            pending.Remove(w);
                        }
                    }
                }
            }
            try
            {
                await Task.Delay(10, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Stops taking samples and waits for the ones taken to be reached (at most a minute each).</summary>
    public async Task<Latencies> FinishAsync()
    {
        draining = true;
        await (sampler ?? Task.CompletedTask);
        await (watcher ?? Task.CompletedTask);
        return Lags;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(sampler ?? Task.CompletedTask, watcher ?? Task.CompletedTask);
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
        stop.Dispose();
    }
}
