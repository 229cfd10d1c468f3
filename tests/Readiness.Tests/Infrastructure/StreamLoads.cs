using System.Collections.Concurrent;
using System.Diagnostics;
using Readiness.Store;

namespace Readiness.Tests.Infrastructure;

/// <summary>
/// The <c>load stream</c> spans of one actor while this listens, from any silo in the process: each is
/// an activation (or a catch-up) reading the actor's stream, with the snapshot it started from and the
/// events it folded on top.
/// </summary>
public sealed class StreamLoads : IDisposable
{
    private readonly ConcurrentQueue<StreamLoad> seen = new();
    private readonly ActivityListener listener;

    public StreamLoads(string streamKey)
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ReadinessTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = span =>
            {
                if (span.OperationName == "load stream" && Equals(span.GetTagItem("readiness.actor"), streamKey))
                {
                    seen.Enqueue(new StreamLoad((long)span.GetTagItem("readiness.snapshot_version")!, (int)span.GetTagItem("readiness.events_read")!));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    public IReadOnlyList<StreamLoad> Seen => [.. seen];

    public void Dispose() => listener.Dispose();
}

/// <summary>One load of a stream: the snapshot's version it started from (0: the stream's start) and the events folded after it.</summary>
public sealed record StreamLoad(long SnapshotVersion, int EventsRead);
