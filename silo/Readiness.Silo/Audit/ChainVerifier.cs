using System.Diagnostics;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Store;

namespace Readiness.Silo.Audit;

/// <summary>
/// Walks every link of one stream's chain, or of all streams, from the rows as stored: versions must
/// run 1, 2, 3… up to the stream's recorded version, and each stored hash must equal the hash
/// recomputed from the previous one and the event. Reports the first broken link of each stream.
/// Over the whole store it also recomputes the Merkle log: the chains cannot see a stream's tail
/// removed with its version lowered, a whole stream removed, or a changed sequence or recording time.
/// Over one stream or an area's streams it checks their events against their leaves in the log, and
/// looks for leaves logged after a stream's last event whose event is gone: a tail cut by the owner.
/// </summary>
public sealed class ChainVerifier(EventStore store, MerkleLogReader log)
{
    private const int BreaksReported = 100;

    /// <summary>
    /// One report for a check over several databases: the sums of their figures, their breaks in order,
    /// the first broken log (else the first database's), and each database's own report.
    /// </summary>
    public static VerifyReport Combine(IReadOnlyList<DatabaseVerifyReport> reports)
    {
        var seconds = reports.Sum(r => r.Report.Seconds);
        var events = reports.Sum(r => r.Report.EventsChecked);
        var breaks = reports.SelectMany(r => r.Report.Breaks).Take(BreaksReported).ToList();
        return new VerifyReport(reports.All(r => r.Report.Intact), reports.Sum(r => r.Report.StreamsChecked), events, seconds,
            seconds > 0 ? Math.Round(events / seconds, 1) : 0, reports.Select(r => r.Report.FirstBreak).FirstOrDefault(b => b is not null), breaks,
            reports.Select(r => r.Report.Log).FirstOrDefault(l => l is { Intact: false }) ?? reports[0].Report.Log, reports);
    }

    public async Task<VerifyReport> VerifyAsync(string? stream, StreamArea? area, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var recordedVersions = await StreamVersions(stream, area, cancellationToken);
        var breaks = new List<ChainBreak>();
        var brokenStreams = new HashSet<string>(StringComparer.Ordinal);
        long events = 0;

        string? current = null;
        long expectedVersion = 0;
        var previousHash = EventChain.Genesis;
        // Over chosen streams, each event's leaf as recomputed, and each stream's last sequence, to check against the log.
        var logged = stream is null && area is null ? null : new List<(long Sequence, byte[] Hash, string Stream, long Version)>();
        var sequenceRanges = new Dictionary<string, (long First, long Last)>(StringComparer.Ordinal);
        await foreach (var row in store.ChainAsync(stream, area, cancellationToken))
        {
            if (logged is not null)
            {
                logged.Add((row.Sequence, MerkleLog.LeafHash(row.ToLogLeaf()), row.Stream, row.Version));
                sequenceRanges[row.Stream] = sequenceRanges.TryGetValue(row.Stream, out var range)
                    ? (Math.Min(range.First, row.Sequence), Math.Max(range.Last, row.Sequence)) : (row.Sequence, row.Sequence);
            }
            if (row.Stream != current)
            {
                if (current is not null)
                {
                    CheckEnd(current, expectedVersion - 1);
                }
                current = row.Stream;
                expectedVersion = 1;
                previousHash = EventChain.Genesis;
            }
            if (++events % 10_000 == 0)
            {
                progress?.Report(events);
            }
            if (brokenStreams.Contains(row.Stream))
            {
                expectedVersion = row.Version + 1;
                continue;
            }
            if (row.Version != expectedVersion)
            {
                Break(new ChainBreak(row.Stream, expectedVersion,
                    row.Version > expectedVersion ? "An event is missing." : "A version appears twice.",
                    $"version {expectedVersion}", $"version {row.Version}"));
                expectedVersion = row.Version + 1;
                continue;
            }
            var headers = row.HeaderValues();
            var stored = headers.GetValueOrDefault(EventHeaders.Hash);
            var recomputed = EventChain.Hash(previousHash, row.ToChained(headers));
            if (stored != recomputed)
            {
                Break(new ChainBreak(row.Stream, row.Version,
                    stored is null ? "The event carries no hash." : "The event or its metadata differs from what was recorded.",
                    recomputed, stored));
            }
            previousHash = stored ?? recomputed;
            expectedVersion++;
        }
        if (current is not null)
        {
            CheckEnd(current, expectedVersion - 1);
        }
        foreach (var (key, _) in recordedVersions.Where(s => !s.Value.Seen))
        {
            Break(new ChainBreak(key, 1, "The stream has no events.", $"version {recordedVersions[key].Version}", "none"));
        }

        if (logged is not null)
        {
            await CheckAgainstLogAsync(logged, sequenceRanges, stream, name => recordedVersions.GetValueOrDefault(name)?.Version ?? 0, Break, cancellationToken);
        }
        var logReport = stream is null && area is null ? await log.VerifyAsync(cancellationToken) : null;
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        breaks.Sort((a, b) => string.CompareOrdinal(a.Stream, b.Stream));
        return new VerifyReport(breaks.Count == 0 && logReport?.Intact != false, recordedVersions.Count, events, Math.Round(seconds, 3),
            seconds > 0 ? Math.Round(events / seconds) : events, breaks.FirstOrDefault(), breaks.Take(BreaksReported).ToList(), logReport);

        void Break(ChainBreak found)
        {
            if (brokenStreams.Add(found.Stream))
            {
                breaks.Add(found);
            }
        }

        void CheckEnd(string key, long lastVersion)
        {
            if (!recordedVersions.TryGetValue(key, out var recorded))
            {
                return;
            }
            recorded.Seen = true;
            if (recorded.Version != lastVersion)
            {
                Break(new ChainBreak(key, Math.Min(recorded.Version, lastVersion) + 1,
                    recorded.Version > lastVersion ? "The stream's last events are missing." : "The stream holds events past its recorded version.",
                    $"version {recorded.Version}", $"version {lastVersion}"));
            }
        }
    }

    /// <summary>
    /// The chosen streams' events against their leaves in the log: an event changed since it was logged
    /// differs from its leaf, and a leaf logged whose event is gone is an event removed. A leaf only bears
    /// a hash, so a removed event is laid to the stream whose events surround its sequence (a gap in the
    /// middle), else to the stream whose last event precedes it most closely (a tail cut: a chain rehashed
    /// and a version lowered pass the chain itself).
    /// </summary>
    private async Task CheckAgainstLogAsync(List<(long Sequence, byte[] Hash, string Stream, long Version)> logged,
        Dictionary<string, (long First, long Last)> sequenceRanges, string? stream, Func<string, long> versionOf, Action<ChainBreak> broken,
        CancellationToken cancellationToken)
    {
        var leaves = await store.LeafHashesAsync([.. logged.Select(l => l.Sequence)], cancellationToken);
        foreach (var (sequence, hash, name, version) in logged)
        {
            if (leaves.TryGetValue(sequence, out var leaf) && !leaf.AsSpan().SequenceEqual(hash))
            {
                broken(new ChainBreak(name, version, "The event differs from what the Merkle log recorded at its sequence.",
                    Convert.ToHexStringLower(leaf), Convert.ToHexStringLower(hash)));
            }
        }
        var ranges = sequenceRanges.Count > 0 ? sequenceRanges.ToList()
            : stream is not null ? [new KeyValuePair<string, (long First, long Last)>(stream, (0, 0))] : [];
        if (ranges.Count == 0)
        {
            return;
        }
        foreach (var removed in await store.RemovedSinceLoggedAsync(ranges.Min(r => r.Value.First), BreaksReported, cancellationToken))
        {
            var within = ranges.Where(r => r.Value.First < removed && removed < r.Value.Last).Select(r => r.Key).FirstOrDefault();
            if (within is not null)
            {
                var next = logged.Where(l => l.Stream == within && l.Sequence > removed).Min(l => l.Version);
                broken(new ChainBreak(within, next, $"The Merkle log recorded an event at sequence {removed}, among this stream's events, "
                    + "that the store no longer holds (or another stream's event; the whole-store verify names the position).", $"sequence {removed}", "none"));
                continue;
            }
            var preceding = ranges.Where(r => r.Value.Last < removed).ToList();
            if (preceding.Count == 0)
            {
                continue;
            }
            var (owner, (_, last)) = preceding.MaxBy(r => r.Value.Last);
            broken(new ChainBreak(owner, versionOf(owner) + 1,
                $"The Merkle log recorded an event at sequence {removed}, after this stream's last event (sequence {last}), that the store no longer holds: "
                + "the stream's tail was removed (or another stream's event; the whole-store verify names the position).",
                $"sequence {removed}", "none"));
        }
    }

    /// <summary>Each stream's last hash: what an upward report carries so that later edits show.</summary>
    public Task<IReadOnlyList<ChainHead>> HeadsAsync(StreamArea area, CancellationToken cancellationToken) =>
        store.ChainHeadsAsync(area, cancellationToken);

    private sealed class RecordedStream(long version)
    {
        public long Version { get; } = version;
        public bool Seen { get; set; }
    }

    private async Task<Dictionary<string, RecordedStream>> StreamVersions(string? stream, StreamArea? area, CancellationToken cancellationToken) =>
        (await store.StreamVersionsAsync(stream, area, cancellationToken))
            .ToDictionary(s => s.Key, s => new RecordedStream(s.Value), StringComparer.Ordinal);
}
