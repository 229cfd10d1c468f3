using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Store;
using Readiness.Silo.Hosting;

namespace Readiness.Silo.Audit;

/// <summary>
/// Keeps the Merkle log right behind the events: reads what committed after the log's last leaf, in
/// sequence order, appends a leaf for each with the complete subtrees it closes, and makes a signed
/// tree head every <see cref="LogOptions.HeadEvery"/> events or <see cref="LogOptions.HeadInterval"/>.
/// Each head is stored and appended to a file outside the database, and that file is read back: a head
/// is signed only if the log extends the file's last head (a consistency proof), else the silo raises an
/// alarm and signs nothing, so whoever owns the database cannot rewrite history and have the silo sign
/// over it. One silo of a cluster writes at a time (an advisory lock), so positions are handed out by one
/// writer; the primary keys refuse any overlap. Each database keeps a log of its own events, with a writer
/// of its own (<see cref="AuditDatabases"/>).
/// </summary>
/// <param name="store">The database's event tables.</param>
/// <param name="database">The database's connections; its PostgreSQL name names the log in every head.</param>
/// <param name="signer">Signs the heads.</param>
/// <param name="options">The log's settings.</param>
/// <param name="alarms">Where a head refused is raised.</param>
/// <param name="logger">Where ticks that fail are logged.</param>
/// <param name="databaseName">The database's name beside the main one, which names its head file; null for the main one.</param>
public sealed partial class MerkleLogWriter(
    EventStore store,
    NpgsqlDataSource database,
    TreeHeadSigner signer,
    IOptions<LogOptions> options,
    AuditAlarms alarms,
    ILogger<MerkleLogWriter> logger,
    string? databaseName = null) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly LogOptions settings = options.Value;
    // When each hole in the sequence was first seen: holes seen in one pass expire together, not one GapWait after another.
    private readonly Dictionary<long, DateTimeOffset> holes = [];

    /// <summary>The name every head of this log carries under its signature: the PostgreSQL database whose events it covers.</summary>
    public string LogName { get; } = LogNameOf(database);

    /// <summary>The file each head is appended to and read back from; a relative directory starts where the silo was started.</summary>
    public string HeadFile => Path.Combine(Path.GetFullPath(settings.HeadDirectory),
        databaseName is null ? "tree-heads.jsonl" : $"tree-heads-{databaseName}.jsonl");

    /// <summary>The heads the region cosigned, appended as they come back with its answers, read back like the head file.</summary>
    public string CosignedFile => Path.Combine(Path.GetFullPath(settings.HeadDirectory),
        databaseName is null ? "cosigned-heads.jsonl" : $"cosigned-heads-{databaseName}.jsonl");

    private string Concern => $"log {LogName}";

    public static string LogNameOf(NpgsqlDataSource database) =>
        new NpgsqlConnectionStringBuilder(database.ConnectionString).Database ?? throw new InvalidOperationException("The connection names no database.");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(settings.PollInterval);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTickFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Logs every event committed so far (up to a hole still awaited); returns how many leaves were appended.</summary>
    public Task<long> RunOnceAsync(CancellationToken cancellationToken) =>
        AdvisoryLock.TryRunAsync(database, AdvisoryLockKey.MerkleLog, busy: 0L, async () =>
        {
            long appended = 0;
            while (true)
            {
                var (leaves, more) = await AppendBatchAsync(cancellationToken);
                appended += leaves;
                if (!more)
                {
                    return appended;
                }
            }
        }, cancellationToken);

    private async Task<(long Leaves, bool More)> AppendBatchAsync(CancellationToken cancellationToken)
    {
        // Resumed from the store every batch, so a silo that takes the lock over starts where the last one stopped.
        var (size, lastSequence) = await store.LogEndAsync(cancellationToken);
        var edge = await store.SubtreesAsync([.. MerkleFrontier.EdgeOf(size)], cancellationToken);
        var frontier = new MerkleFrontier(size, new Subtrees(edge));
        var lastHead = (await store.TreeHeadsAsync(null, 1, cancellationToken)).FirstOrDefault();
        var headSize = lastHead?.Size ?? 0;
        var firstPosition = size;

        var leaves = new List<(long, byte[])>();
        var nodes = new List<(int, long, byte[])>();
        var heads = new List<StoredTreeHead>();
        // The last head kept outside the database: every head signed from here must extend it.
        var kept = KeptHead();
        // And the last head the region cosigned: a head file lost or replaced on this machine does not free the silo to sign over a rewritten log.
        var cosigned = LastKeptIn(CosignedFile);
        var refused = false;
        // An alarm stands until the log as stored extends the kept heads again (the store put back as it was).
        if (alarms.Raised.ContainsKey(Concern) && size > 0
            && await ProblemWithKeptAsync(kept, HeadFile, size, frontier.Root(), firstPosition, [], [], cancellationToken) is null
            && await ProblemWithKeptAsync(cosigned, CosignedFile, size, frontier.Root(), firstPosition, [], [], cancellationToken) is null)
        {
            alarms.Clear(Concern);
        }
        async Task TryHeadAsync()
        {
            var root = frontier.Root();
            if ((await ProblemWithKeptAsync(kept, HeadFile, frontier.Size, root, firstPosition, leaves, nodes, cancellationToken)
                ?? await ProblemWithKeptAsync(cosigned, CosignedFile, frontier.Size, root, firstPosition, leaves, nodes, cancellationToken)) is { } problem)
            {
                refused = true;
                alarms.Raise(Concern, problem);
                return;
            }
            var head = Sign(frontier.Size, root);
            heads.Add(head);
            kept = ToContract(head, LogName);
            headSize = head.Size;
            alarms.Clear(Concern);
        }
        var expected = lastSequence + 1;
        var rows = 0;
        var stoppedAtHole = false;
        var now = DateTimeOffset.UtcNow;
        // Read before the events: a hole at or below it was judged dead by the daemon, so it is not waited on.
        var settled = await store.SettledSequenceAsync(cancellationToken);
        holes.Keys.Where(h => h <= lastSequence).ToList().ForEach(h => holes.Remove(h));
        await foreach (var row in store.EventsAfterAsync(lastSequence, settings.Batch, cancellationToken))
        {
            rows++;
            if (row.Sequence != expected)
            {
                holes.TryAdd(expected, now);
                if (!stoppedAtHole && expected > settled && now - holes[expected] < settings.GapWait)
                {
                    stoppedAtHole = true;
                }
                if (!stoppedAtHole)
                {
                    LogHoleSkipped(expected, row.Sequence - 1);
                }
            }
            expected = row.Sequence + 1;
            // Past a hole still awaited, the rest of the batch is read only to see its holes.
            if (stoppedAtHole || row.IsTombstone)
            {
                continue;
            }
            var hash = MerkleLog.LeafHash(row.ToLogLeaf());
            frontier.Append(hash, (level, index, node) => nodes.Add((level, index, node)));
            leaves.Add((row.Sequence, hash));
            if (!refused && frontier.Size - headSize >= settings.HeadEvery)
            {
                await TryHeadAsync();
            }
        }
        var lastMade = heads.Count > 0 ? heads[^1].MadeAt : lastHead?.MadeAt ?? DateTimeOffset.MinValue;
        if (!refused && frontier.Size > headSize && DateTimeOffset.UtcNow - lastMade >= settings.HeadInterval)
        {
            await TryHeadAsync();
        }
        if (leaves.Count > 0 || heads.Count > 0)
        {
            await store.AppendLogAsync(firstPosition, leaves, nodes, heads, cancellationToken);
            await KeepOutsideAsync(heads, cancellationToken);
        }
        return (leaves.Count, !stoppedAtHole && rows == settings.Batch);
    }

    /// <summary>A head of the log as it stands, signed with the head key.</summary>
    private StoredTreeHead Sign(long size, byte[] root)
    {
        var now = DateTimeOffset.UtcNow;
        // PostgreSQL keeps microseconds; the signed text must be what a reader of the table rebuilds.
        var madeAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        return new StoredTreeHead(size, root, madeAt, signer.KeyId, signer.Sign(size, root, madeAt, LogName));
    }

    public static TreeHead ToContract(StoredTreeHead head, string log) => new(head.Size, Convert.ToBase64String(head.Root), head.MadeAt, head.KeyId, head.Signature, log);

    /// <summary>
    /// The last head of this log in the head file (a line naming another log, as after the database was
    /// replaced under the same file, is not this log's; a line from before heads named their log is), or
    /// null when the file holds none.
    /// </summary>
    public TreeHead? KeptHead() => LastKeptIn(HeadFile);

    private TreeHead? LastKeptIn(string file)
    {
        try
        {
            // The file grows by a line a head and is read every pass: its end first, the whole only if no head of this log is there.
            return LastOfThisLog(Tail(file, 64 * 1024, out var whole)) ?? (whole ? null : LastOfThisLog(File.ReadLines(file)));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static string[] Tail(string file, int bytes, out bool whole)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        whole = stream.Length <= bytes;
        stream.Seek(Math.Max(0, stream.Length - bytes), SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        // The first line of a cut tail is likely a line's end, which parses as no head and is skipped.
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private TreeHead? LastOfThisLog(IEnumerable<string> lines)
    {
        foreach (var line in lines.Reverse())
        {
            TreeHead? head;
            try
            {
                head = JsonSerializer.Deserialize<TreeHead>(line, Json);
            }
            catch (JsonException)
            {
                // A line cut short by a crash while appending is no head; the one before it is.
                continue;
            }
            if (head is { Size: > 0 } && (head.Log is null || head.Log == LogName))
            {
                return head;
            }
        }
        return null;
    }

    /// <summary>Why a head of <paramref name="size"/> leaves and this root may not be signed after <paramref name="kept"/>, or null when it extends it.</summary>
    private async Task<string?> ProblemWithKeptAsync(TreeHead? kept, string keptIn, long size, byte[] root, long firstPosition,
        List<(long Sequence, byte[] Hash)> leaves, List<(int Level, long Index, byte[] Hash)> nodes, CancellationToken cancellationToken)
    {
        if (kept is null)
        {
            return null;
        }
        var rewritten = $"The log of {LogName} does not extend the last head kept in {keptIn} (size {kept.Size:N0}, made {kept.MadeAt:u}): "
            + "its history was rewritten, or its log rebuilt over other events; no head is signed until that is resolved.";
        if (size < kept.Size)
        {
            return $"{rewritten} It holds {size:N0} leaves.";
        }
        byte[] keptRoot;
        try
        {
            keptRoot = Convert.FromBase64String(kept.Root);
        }
        catch (FormatException)
        {
            return $"{rewritten} Its root is not base64.";
        }
        // Hashes logged in this batch are not stored yet; the rest come from the tables.
        var batch = new Dictionary<(int Level, long Index), byte[]>();
        for (var i = 0; i < leaves.Count; i++)
        {
            batch[(0, firstPosition + i)] = leaves[i].Hash;
        }
        foreach (var (level, index, hash) in nodes)
        {
            batch[(level, index)] = hash;
        }
        var wanted = new WantedSubtrees();
        MerkleLog.ConsistencyProof(wanted, kept.Size, size);
        foreach (var (subtree, hash) in await store.SubtreesAsync([.. wanted.Asked.Where(w => !batch.ContainsKey(w))], cancellationToken))
        {
            batch[subtree] = hash;
        }
        var hashes = new Subtrees(batch);
        var proof = MerkleLog.ConsistencyProof(hashes, kept.Size, size);
        return MerkleLog.VerifyConsistency(kept.Size, size, keptRoot, root, proof)
            ? null
            : $"{rewritten} The consistency proof from size {kept.Size:N0} to {size:N0} fails.";
    }

    private sealed class WantedSubtrees : ISubtreeHashes
    {
        public HashSet<(int Level, long Index)> Asked { get; } = [];

        public byte[] Hash(int level, long index)
        {
            Asked.Add((level, index));
            return new byte[MerkleLog.HashSize];
        }
    }

    /// <summary>Appends a head the region cosigned to <see cref="CosignedFile"/>; a failure to write is logged, the next answer tries again.</summary>
    public void KeepCosigned(CosignedHead head)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CosignedFile)!);
            File.AppendAllText(CosignedFile, JsonSerializer.Serialize(head, Json) + "\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogFileFailed(ex, CosignedFile);
        }
    }

    private async Task KeepOutsideAsync(List<StoredTreeHead> heads, CancellationToken cancellationToken)
    {
        if (heads.Count == 0)
        {
            return;
        }
        try
        {
            var file = HeadFile;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            var lines = new StringBuilder();
            foreach (var head in heads)
            {
                lines.Append(JsonSerializer.Serialize(ToContract(head, LogName), Json)).Append('\n');
            }
            var open = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
            if (!OperatingSystem.IsWindows())
            {
                // Not secret, but only this user may append: a head file anyone can edit anchors nothing.
                open.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            await using var stream = new FileStream(file, open);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(lines.ToString()), cancellationToken);
        }
        catch (IOException ex)
        {
            // The heads are stored already; the file is a second copy, and the next head is tried again.
            LogFileFailed(ex, HeadFile);
        }
        catch (UnauthorizedAccessException ex)
        {
            LogFileFailed(ex, HeadFile);
        }
    }

    private sealed class Subtrees(Dictionary<(int Level, long Index), byte[]> found) : ISubtreeHashes
    {
        public byte[] Hash(int level, long index) =>
            found.TryGetValue((level, index), out var hash) ? hash
                : throw new InvalidOperationException($"The log lacks its subtree at level {level}, index {index}; it cannot be continued.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Merkle log: appending failed; trying again on the next tick")]
    private partial void LogTickFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Merkle log: sequences {First}..{Last} never committed; logging past them")]
    private partial void LogHoleSkipped(long first, long last);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Merkle log: could not append the head to {File}")]
    private partial void LogFileFailed(Exception ex, string file);
}
