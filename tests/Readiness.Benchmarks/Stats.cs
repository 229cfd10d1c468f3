using System.Diagnostics;

namespace Readiness.Benchmarks;

/// <summary>Latencies in milliseconds; each caller records into its own list, merged afterwards, so recording takes no lock.</summary>
public sealed class Latencies
{
    private readonly List<double> values = [];

    public int Count => values.Count;

    public void Add(double milliseconds) => values.Add(milliseconds);

    public void AddRange(Latencies other) => values.AddRange(other.values);

    public double Percentile(double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public double P50 => Percentile(50);
    public double P99 => Percentile(99);
    public double Mean => values.Count == 0 ? double.NaN : values.Average();

    public static double Since(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
}

/// <summary>What a closed-loop run did: each caller sends its next operation as soon as the last is answered.</summary>
public sealed record LoadRun(int Callers, double Seconds, long Operations, long Events, long Failures, Latencies Latency)
{
    public double EventsPerSecond => Events / Seconds;
    public double OperationsPerSecond => Operations / Seconds;
}

public static class ClosedLoop
{
    /// <summary>
    /// Runs <paramref name="operation"/> from <paramref name="callers"/> concurrent callers for
    /// <paramref name="duration"/>. The operation returns the events it made durable, or a negative
    /// number when it was refused; only the durable ones are counted.
    /// </summary>
    public static async Task<LoadRun> RunAsync(int callers, TimeSpan duration, Func<int, Task<int>> operation)
    {
        var perCaller = Enumerable.Range(0, callers).Select(_ => new Latencies()).ToArray();
        var operations = new long[callers];
        var events = new long[callers];
        var failures = new long[callers];
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var tasks = Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var t0 = Stopwatch.GetTimestamp();
                int made;
                try
                {
                    made = await operation(caller);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    failures[caller]++;
                    if (failures[caller] == 1)
                    {
                        Console.Error.WriteLine($"  caller {caller}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                    }
                    continue;
                }
                perCaller[caller].Add(Latencies.Since(t0));
                operations[caller]++;
                if (made >= 0)
                {
                    events[caller] += made;
                }
                else
                {
                    failures[caller]++;
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var all = new Latencies();
        foreach (var l in perCaller)
        {
            all.AddRange(l);
        }
        return new LoadRun(callers, seconds, operations.Sum(), events.Sum(), failures.Sum(), all);
    }
}
