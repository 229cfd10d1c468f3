using System.Diagnostics;
using Npgsql;
using Readiness.Contracts;
using Readiness.Domain.Audit;
using Readiness.Grains.Storage;

namespace Readiness.Silo.Audit;

/// <summary>
/// Walks every link of one stream's chain, or of all streams, from the rows as stored: versions must
/// run 1, 2, 3… up to the stream's recorded version, and each stored hash must equal the hash
/// recomputed from the previous one and the event. Reports the first broken link of each stream.
/// </summary>
public sealed class ChainVerifier(NpgsqlDataSource database)
{
    private const int BreaksReported = 100;

    public async Task<VerifyReport> VerifyAsync(string? stream, string? area, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var recordedVersions = await StreamVersions(stream, area, cancellationToken);
        var breaks = new List<ChainBreak>();
        var brokenStreams = new HashSet<string>(StringComparer.Ordinal);
        long events = 0;

        await using (var command = database.CreateCommand(
            $"SELECT {EventRow.Columns} FROM {ReadinessStore.Schema}.mt_events WHERE {EventRow.Reported("stream_id")} AND (@stream::text IS NULL OR stream_id = @stream) AND (@area::text IS NULL OR {EventHistory.AreaFilter("stream_id")}) ORDER BY stream_id, version"))
        {
            command.Parameters.Add(new NpgsqlParameter<string?>("stream", stream));
            EventHistory.AddAreaParameters(command, area);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            string? current = null;
            long expectedVersion = 0;
            var previousHash = EventChain.Genesis;
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = EventRow.Read(reader);
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
        }
        foreach (var (key, _) in recordedVersions.Where(s => !s.Value.Seen))
        {
            Break(new ChainBreak(key, 1, "The stream has no events.", $"version {recordedVersions[key].Version}", "none"));
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        breaks.Sort((a, b) => string.CompareOrdinal(a.Stream, b.Stream));
        return new VerifyReport(breaks.Count == 0, recordedVersions.Count, events, Math.Round(seconds, 3),
            seconds > 0 ? Math.Round(events / seconds) : events, breaks.FirstOrDefault(), breaks.Take(BreaksReported).ToList());

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

    /// <summary>Each stream's last hash: what an upward report carries so that later edits show.</summary>
    public async Task<IReadOnlyList<ChainHead>> HeadsAsync(string streamPrefix, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT e.stream_id, e.version, e.headers->>'{EventHeaders.Hash}'
            FROM {ReadinessStore.Schema}.mt_streams s
            JOIN {ReadinessStore.Schema}.mt_events e ON e.stream_id = s.id AND e.version = s.version
            WHERE {EventRow.Reported("s.id")} AND {EventHistory.AreaFilter("s.id")}
            ORDER BY e.stream_id
            """);
        EventHistory.AddAreaParameters(command, streamPrefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var heads = new List<ChainHead>();
        while (await reader.ReadAsync(cancellationToken))
        {
            heads.Add(new ChainHead(reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? string.Empty : reader.GetString(2)));
        }
        return heads;
    }

    private sealed class RecordedStream(long version)
    {
        public long Version { get; } = version;
        public bool Seen { get; set; }
    }

    private async Task<Dictionary<string, RecordedStream>> StreamVersions(string? stream, string? area, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT id, version FROM {ReadinessStore.Schema}.mt_streams WHERE {EventRow.Reported("id")} AND (@stream::text IS NULL OR id = @stream) AND (@area::text IS NULL OR {EventHistory.AreaFilter("id")})");
        command.Parameters.Add(new NpgsqlParameter<string?>("stream", stream));
        EventHistory.AddAreaParameters(command, area);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new Dictionary<string, RecordedStream>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions[reader.GetString(0)] = new RecordedStream(reader.GetInt64(1));
        }
        return versions;
    }
}
