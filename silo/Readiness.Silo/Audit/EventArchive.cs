using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Domain.Integrity;
using Readiness.Grains.Actors;
using Readiness.Store;

namespace Readiness.Silo.Audit;

/// <summary>An import refused: the file's line (null when the file as a whole fails the source's head), and why. Nothing was written.</summary>
public sealed class ImportRefusedException(long? line, string reason) : Exception(line is null ? reason : $"Line {line}: {reason}")
{
    public long? Line { get; } = line;
    public string Reason { get; } = reason;
}

/// <summary>The source's signed tree head an import is checked against, and the keys (a JWK Set) its signature is checked with.</summary>
public sealed record SourceHead(TreeHead Head, string Keys);

/// <summary>
/// The history as CloudEvents in JSON lines, one event per line in recording order, with all of its
/// metadata and its hash, so another store can take it in and check every link on the way.
/// </summary>
public sealed partial class EventArchive(EventStore store)
{
    public const string MediaType = "application/x-ndjson";

    /// <summary>The request header carrying the source's signed tree head an import is checked against.</summary>
    public const string HeadHeader = "X-Readiness-Tree-Head";

    /// <summary>The request header carrying the source's public keys (a JWK Set) the head's signature is checked with.</summary>
    public const string KeysHeader = "X-Readiness-Head-Keys";
    private const string TypePrefix = "readiness.";
    private static readonly ReadOnlyMemory<byte> Newline = "\n"u8.ToArray();


    /// <summary>Writes every event of the area (all when null) to <paramref name="output"/>; returns how many.</summary>
    public async Task<long> ExportAsync(StreamArea? area, Stream output, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(output);
        long count = 0;
        await foreach (var row in store.ExportAsync(area, cancellationToken))
        {
            var headers = row.HeaderValues();
            writer.WriteStartObject();
            writer.WriteString("specversion", "1.0");
            writer.WriteString("id", row.Id);
            writer.WriteString("source", $"/provinces/{Domain.StreamKeys.HomeOf(row.Stream)}");
            writer.WriteString("type", TypePrefix + row.Type);
            writer.WriteString("subject", row.Stream);
            if (headers.GetValueOrDefault(EventHeaders.OccurredAt) is { } occurred)
            {
                writer.WriteString("time", occurred);
            }
            writer.WriteString("datacontenttype", "application/json");
            writer.WriteNumber("sequence", row.Sequence);
            writer.WriteNumber("streamversion", row.Version);
            writer.WriteString("recordedat", row.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            // The silo's own note of when it recorded the event, which views show: carried so the copy's views are the source's.
            if (headers.GetValueOrDefault(EventHeaders.RecordedAt) is { } noted)
            {
                writer.WriteString("silorecordedat", noted);
            }
            writer.WriteString("recordedby", headers.GetValueOrDefault(EventHeaders.RecordedBy));
            if (headers.GetValueOrDefault(EventHeaders.TokenMintedBy) is { } minter)
            {
                writer.WriteString("tokenmintedby", minter);
            }
            writer.WriteString("commandid", headers.GetValueOrDefault(EventHeaders.CommandId));
            writer.WriteString("correlationid", row.CorrelationId);
            writer.WriteString("causationid", row.CausationId);
            writer.WriteString("hash", headers.GetValueOrDefault(EventHeaders.Hash));
            if (headers.GetValueOrDefault(EventHeaders.ChainVersion) is { } chainVersion)
            {
                writer.WriteString("chainversion", chainVersion);
            }
            // The headers as stored: the Merkle log's leaf covers them whole, so an export can be checked against a signed head offline.
            writer.WriteString("headers", row.Headers);
            writer.WritePropertyName("data");
            writer.WriteRawValue(row.Data, skipInputValidation: true);
            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken);
            writer.Reset();
            await output.WriteAsync(Newline, cancellationToken);
            count++;
        }
        return count;
    }

    /// <summary>
    /// Reads a whole export, checks every stream's chain link by link and, given the source's signed
    /// tree head, the source's Merkle log over the file's events against it; only then writes the
    /// events, in one transaction, into a store that holds none.
    /// </summary>
    public async Task<ImportReport> ImportAsync(Stream input, DateTimeOffset now, SourceHead? source, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var lines = await ReadAndCheckAsync(input, now, cancellationToken);
        var checkedText = OnlyChains;
        long afterHead = 0;
        if (source is { Head: var head })
        {
            CheckAgainst(source, lines);
            afterHead = lines.Count - head.Size;
            checkedText = string.Create(CultureInfo.InvariantCulture,
                $"Every stream's hash chain, and the first {head.Size:N0} events against the source's tree head of size {head.Size:N0} made {head.MadeAt:u}, "
                    + $"whose signature by key '{DetachedJws.KeyIdOf(head.Signature!)}' holds.")
                + (afterHead == 0 ? "" : string.Create(CultureInfo.InvariantCulture,
                    $" The last {afterHead:N0} events lie after that head and were checked by their chains alone, which have no key."));
        }

        var streams = await store.ImportAsync(
            [.. lines.Select(l => new ArchivedEvent(l.Id, l.Stream, l.Version, l.Type, l.Data, l.Headers, l.RecordedAt, l.Chained.CorrelationId, l.Chained.CausationId, l.SourceSequence))],
            cancellationToken);

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new ImportReport(lines.Count, streams, Math.Round(seconds, 3), Math.Round(lines.Count / Math.Max(seconds, 1e-6)),
            source?.Head, afterHead, checkedText);
    }

    /// <summary>What an import without the source's head can say of the file.</summary>
    public const string OnlyChains =
        "Only every stream's hash chain was checked. The chains have no key: whoever changed the file could have recomputed them. "
        + "Give the source's signed tree head and its keys to check the file against it.";

    /// <summary>
    /// Refuses the file unless the head's signature holds with the given keys and the source's log over
    /// the file's first events (each leaf as this store will hold the event, under its source's
    /// sequence) has the head's root at the head's size.
    /// </summary>
    private static void CheckAgainst(SourceHead source, List<Line> lines)
    {
        var head = source.Head;
        if (SignedHead.SignatureProblem(head, source.Keys) is { } problem)
        {
            throw new ImportRefusedException(null, string.Create(CultureInfo.InvariantCulture, $"The source's tree head of size {head.Size:N0} does not verify: {problem}"));
        }
        if (lines.Count < head.Size)
        {
            throw new ImportRefusedException(null, string.Create(CultureInfo.InvariantCulture,
                $"The source's tree head covers {head.Size:N0} events; the file holds {lines.Count:N0}, so events the head signed are missing from it."));
        }
        var frontier = new MerkleFrontier();
        foreach (var line in lines.Take(checked((int)head.Size)))
        {
            frontier.Append(MerkleLog.LeafHash(new LogLeaf(line.Id, line.Stream, line.Version, line.SourceSequence, line.Type, line.Data, line.Headers,
                line.Chained.CorrelationId, line.Chained.CausationId, line.RecordedAt)));
        }
        var root = Convert.ToBase64String(frontier.Root());
        if (root != head.Root)
        {
            throw new ImportRefusedException(null, string.Create(CultureInfo.InvariantCulture,
                $"The file's first {head.Size:N0} events give the root {root}, not the root {head.Root} of the source's tree head of size {head.Size:N0} made {head.MadeAt:u}: ")
                + "one of them was changed, removed, added or moved since the source signed it, though every chain holds (they have no key, so whoever changed it recomputed them); "
                + "or the file is an area's export, which no head of the whole store covers.");
        }
    }

    /// <summary>
    /// How far recording times may stray: clocks of different machines (the future) and the commits of
    /// different silos, which overlap by at most a transaction's length (out of order).
    /// </summary>
    private static readonly TimeSpan RecordingTimeAllowance = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Why no store could have written the line, or null: a subject that is not a stream key, a recorder
    /// that passes for the silo itself, or a recording time in the future or before an earlier line's.
    /// </summary>
    private static string? Implausible(Line line, DateTimeOffset now, DateTimeOffset latestRecordedAt)
    {
        if (UnitPath.Problem(StreamKeys.Parse(line.Stream).Id) is { } subjectProblem)
        {
            return $"subject '{line.Stream}' is not a stream this store writes: {subjectProblem}";
        }
        if (line.Chained.RecordedBy is { } recorder && IsReserved(recorder) && (line.Chained.TokenMintedBy is not null || !SystemRecorder().IsMatch(recorder)))
        {
            return $"'recordedby' '{recorder}' passes for the silo itself: '{CallerContext.System}' (alone, or with ':' and a lower-case name) "
                + "is reserved for what the silo records on its own, with no minted token.";
        }
        if (line.RecordedAt > now + RecordingTimeAllowance)
        {
            return $"'recordedat' {line.RecordedAt:O} is after now ({now:O}): no event was recorded in the future.";
        }
        if (line.RecordedAt + RecordingTimeAllowance < latestRecordedAt)
        {
            return $"'recordedat' {line.RecordedAt:O} is before {latestRecordedAt:O} of an earlier line: a store records in sequence order, so the line is out of order or its time was changed.";
        }
        return null;
    }

    private static bool IsReserved(string recorder) =>
        recorder.Trim().Equals(CallerContext.System, StringComparison.OrdinalIgnoreCase)
        || recorder.Trim().StartsWith(CallerContext.System + ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>How the silo spells the recorders of its own work: <c>system</c>, <c>system:demo</c>, <c>system:handover-watch</c>.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("^system(:[a-z0-9]+(-[a-z0-9]+)*)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex SystemRecorder();

    private sealed record Line(Guid Id, string Stream, long Version, string Type, string Data, string Headers, string Hash, DateTimeOffset RecordedAt, ChainedEvent Chained, long SourceSequence);

    private static async Task<List<Line>> ReadAndCheckAsync(Stream input, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(input, detectEncodingFromByteOrderMarks: false);
        var lines = new List<Line>();
        var chains = new Dictionary<string, (long Version, string Hash)>(StringComparer.Ordinal);
        var latestRecordedAt = DateTimeOffset.MinValue;
        long lastSequence = 0;
        long number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            var line = Parse(number, text);
            // Before the chain: whoever rewrote a line can recompute its unkeyed hash, but not make it plausible.
            if (Implausible(line, now, latestRecordedAt) is { } implausible)
            {
                throw new ImportRefusedException(number, implausible);
            }
            latestRecordedAt = line.RecordedAt > latestRecordedAt ? line.RecordedAt : latestRecordedAt;
            // The copy keeps each source sequence, which the source's log covers: one a store gave twice, or out of order, is none it gave.
            if (line.SourceSequence <= lastSequence)
            {
                throw new ImportRefusedException(number, $"'sequence' {line.SourceSequence} is not after {lastSequence} of an earlier line: "
                    + "a store numbers its events in recording order, so the line is out of order or its sequence was changed.");
            }
            lastSequence = line.SourceSequence;
            var (lastVersion, previousHash) = chains.GetValueOrDefault(line.Stream, (0, EventChain.Genesis));
            if (line.Version != lastVersion + 1)
            {
                throw new ImportRefusedException(number, $"stream '{line.Stream}' goes from version {lastVersion} to {line.Version}: an event is missing or out of order.");
            }
            var recomputed = EventChain.Hash(previousHash, line.Chained);
            if (line.Hash != recomputed)
            {
                throw new ImportRefusedException(number,
                    $"stream '{line.Stream}' version {line.Version}: the hash does not verify (expected {recomputed}, found {line.Hash}); the event or its metadata was changed.");
            }
            chains[line.Stream] = (line.Version, recomputed);
            lines.Add(line);
        }
        if (lines.Count == 0)
        {
            throw new ImportRefusedException(number, "the file holds no events.");
        }
        return lines;
    }

    private static Line Parse(long number, string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            string Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()!
                : throw new ImportRefusedException(number, $"'{name}' is missing or not a string.");
            string? Optional(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

            if (Text("specversion") != "1.0")
            {
                throw new ImportRefusedException(number, "only CloudEvents 1.0 is read.");
            }
            var type = Text("type") is var t && t.StartsWith(TypePrefix, StringComparison.Ordinal) ? t[TypePrefix.Length..] : t;
            if (EventRow.ClrTypeOf(type) is null)
            {
                throw new ImportRefusedException(number, $"unknown event type '{t}'.");
            }
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                throw new ImportRefusedException(number, "'data' is missing or not an object.");
            }
            if (!root.TryGetProperty("streamversion", out var version) || !version.TryGetInt64(out var streamVersion) || streamVersion < 1)
            {
                throw new ImportRefusedException(number, "'streamversion' is missing or not a positive integer.");
            }
            if (!root.TryGetProperty("sequence", out var sequence) || sequence.ValueKind != JsonValueKind.Number || !sequence.TryGetInt64(out var sourceSequence) || sourceSequence < 1)
            {
                throw new ImportRefusedException(number, "'sequence' is missing or not a positive integer.");
            }
            if (!Guid.TryParse(Text("id"), out var id))
            {
                throw new ImportRefusedException(number, "'id' is not a UUID.");
            }
            if (!DateTimeOffset.TryParse(Text("recordedat"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var recordedAt))
            {
                throw new ImportRefusedException(number, "'recordedat' is not a time.");
            }
            var chainVersion = Optional("chainversion");
            var chained = new ChainedEvent(Text("subject"), streamVersion, type, data.GetRawText(),
                Optional("time"), Optional("recordedby"), Optional("commandid"), Optional("correlationid"), Optional("causationid"),
                Optional("tokenmintedby"), EventHeaders.ChainVersionOf(chainVersion));
            var hash = Text("hash");
            var headers = JsonSerializer.Serialize(new Dictionary<string, string?>
            {
                [EventHeaders.CommandId] = chained.CommandId,
                [EventHeaders.RecordedBy] = chained.RecordedBy,
                [EventHeaders.OccurredAt] = chained.OccurredAt,
                [EventHeaders.RecordedAt] = Optional("silorecordedat"),
                [EventHeaders.TokenMintedBy] = chained.TokenMintedBy,
                [EventHeaders.Hash] = hash,
                [EventHeaders.ChainVersion] = chainVersion,
            }.Where(h => h.Value is not null).ToDictionary());
            return new Line(id, chained.StreamKey, streamVersion, type, chained.DataJson, headers, hash, recordedAt.ToUniversalTime(), chained, sourceSequence);
        }
        catch (JsonException ex)
        {
            throw new ImportRefusedException(number, $"not JSON: {ex.Message}");
        }
    }
}
