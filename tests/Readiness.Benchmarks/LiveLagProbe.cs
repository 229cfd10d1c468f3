using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;

namespace Readiness.Benchmarks;

/// <summary>
/// The lag the command centre sees: four times a second a report for a unit of one province is
/// posted over HTTP (<c>POST /api/commands/record-training</c>), and the time from its 2xx answer
/// until the province's live stream (<c>GET /api/provinces/{id}/live</c>) sends a view that carries
/// it is recorded. A view carries an event when its sequence (the SSE <c>id</c>) has reached the
/// event's: the daemon commits a batch's parts together, so a view at that sequence has folded every
/// event up to it. The grains' own load runs beside it; the probe's four commands a second are
/// not counted in the level's rate.
/// </summary>
public sealed class LiveLagProbe(SiloRunner silo, BenchDatabase database, string provinceId, IReadOnlyList<string> units) : IAsyncDisposable
{
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource stop = new();
    private readonly List<(long Sequence, long AckTimestamp)> pending = [];
    /// <summary>The views the stream sent, oldest first: a view may arrive before the probe has learnt its command's sequence.</summary>
    private readonly List<(long Sequence, long Arrived)> views = [];
    private readonly Lock gate = new();
    private readonly HttpClient stream = new() { BaseAddress = silo.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? sender;
    private Task? reader;
    private volatile bool draining;
    /// <summary>Shared by every level's probe: a command id used again would be answered as already applied, with its old version.</summary>
    private static long nextId;

    public Latencies Lags { get; } = new();
    public int TimedOut { get; private set; }
    public int Refused { get; private set; }

    /// <summary>Opens the province's stream and, once its first view has arrived, starts posting.</summary>
    public async Task StartAsync()
    {
        stream.DefaultRequestHeaders.Authorization = silo.Http.DefaultRequestHeaders.Authorization;
        reader = Task.Run(ReadAsync);
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(30));
        sender = Task.Run(SendAsync);
    }

    private async Task SendAsync()
    {
        var random = new Random(7_000);
        while (!stop.IsCancellationRequested && !draining)
        {
            var unit = units[random.Next(units.Count)];
            var command = new RecordTraining($"live{Interlocked.Increment(ref nextId):x}-{Environment.ProcessId}", unit, "Bắn súng AK bài 1", 10, Grade.Good);
            using (var response = await silo.Http.PostAsJsonAsync(new Uri("/api/commands/record-training", UriKind.Relative), command, SiloRunner.Web))
            {
                var acked = Stopwatch.GetTimestamp();
                if (response.IsSuccessStatusCode && await response.Content.ReadFromJsonAsync<CommandAccepted>(SiloRunner.Web) is { } accepted)
                {
                    // The answer names the unit; its events are under the unit's stream key.
                    var sequence = await database.ScalarAsync(
                        "SELECT seq_id FROM readiness.mt_events WHERE stream_id = @stream AND version = @version",
                        ("stream", StreamKeys.Unit(accepted.StreamId)), ("version", accepted.Version));
                    if (sequence == 0)
                    {
                        throw new InvalidOperationException($"The live probe's command for {accepted.StreamId} was acknowledged but its event is not in the store.");
                    }
                    lock (gate)
                    {
                        pending.Add((sequence, acked));
                        Match();
                    }
                }
                else
                {
                    Refused++;
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

    private async Task ReadAsync()
    {
        try
        {
            using var response = await stream.GetAsync(new Uri($"/api/provinces/{provinceId}/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop.Token);
            response.EnsureSuccessStatusCode();
            using var lines = new StreamReader(await response.Content.ReadAsStreamAsync(stop.Token));
            while (await lines.ReadLineAsync(stop.Token) is { } line)
            {
                // Each change is "id: <sequence>", "event: province", "data: <view>"; the id is all the probe needs.
                if (!line.StartsWith("id: ", StringComparison.Ordinal) || !long.TryParse(line.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
                {
                    continue;
                }
                opened.TrySetResult();
                lock (gate)
                {
                    views.Add((sequence, Stopwatch.GetTimestamp()));
                    Match();
                    if (draining && pending.Count == 0)
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            opened.TrySetException(e);
            throw;
        }
    }

    /// <summary>Times each pending command against the first view that carries it, and gives up on those a minute old.</summary>
    private void Match()
    {
        var now = Stopwatch.GetTimestamp();
        for (var i = pending.Count - 1; i >= 0; i--)
        {
            var (waitingFor, acked) = pending[i];
            var carrying = views.FindIndex(v => v.Sequence >= waitingFor);
            if (carrying >= 0)
            {
                // A view may reach the stream before the HTTP answer reaches the caller: no lag then.
                Lags.Add(Math.Max(0, Stopwatch.GetElapsedTime(acked, views[carrying].Arrived).TotalMilliseconds));
                pending.RemoveAt(i);
            }
            else if (Stopwatch.GetElapsedTime(acked, now) > GiveUp)
            {
                TimedOut++;
                pending.RemoveAt(i);
            }
        }
        // Views older than every pending command and than the give-up time can carry nothing more.
        views.RemoveAll(v => Stopwatch.GetElapsedTime(v.Arrived, now) > 2 * GiveUp);
    }

    /// <summary>Stops posting and waits for the commands posted to reach the stream (at most a minute).</summary>
    public async Task<Latencies> FinishAsync()
    {
        draining = true;
        await (sender ?? Task.CompletedTask);
        lock (gate)
        {
            if (pending.Count == 0)
            {
                stop.Cancel();
            }
        }
        var deadline = Task.Delay(GiveUp);
        if (await Task.WhenAny(reader ?? Task.CompletedTask, deadline) == deadline)
        {
            lock (gate)
            {
                TimedOut += pending.Count;
                pending.Clear();
            }
        }
        return Lags;
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(sender ?? Task.CompletedTask, reader ?? Task.CompletedTask);
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }
        stream.Dispose();
        stop.Dispose();
    }
}
