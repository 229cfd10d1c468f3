using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using Readiness.Contracts;
using Readiness.Domain.Audit;
using Readiness.Grains.Storage;
using Readiness.Silo.Upward;
using Readiness.Silo.Hosting;

namespace Readiness.Silo.Audit;

/// <summary>
/// Keeps the Merkle log right behind the events: reads what committed after the log's last leaf, in
/// sequence order, appends a leaf for each with the complete subtrees it closes, and makes a signed
/// tree head every <see cref="LogOptions.HeadEvery"/> events or <see cref="LogOptions.HeadInterval"/>.
/// Each head is stored and appended to a file outside the database. One silo of a cluster writes at a
/// time (an advisory lock), so positions are handed out by one writer; the primary keys refuse any overlap.
/// Each database keeps a log of its own events, with a writer of its own (<see cref="AuditDatabases"/>).
/// </summary>
/// <param name="store">The database's event tables.</param>
/// <param name="database">The database's connections.</param>
/// <param name="signer">Signs the heads.</param>
/// <param name="options">The log's settings.</param>
/// <param name="environment">Where a relative head directory starts.</param>
/// <param name="logger">Where ticks that fail are logged.</param>
/// <param name="databaseName">The database's name beside the main one, which names its head file; null for the main one.</param>
public sealed partial class MerkleLogWriter(
    EventStore store,
    NpgsqlDataSource database,
    UpwardReportSigner signer,
    IOptions<LogOptions> options,
    IHostEnvironment environment,
    ILogger<MerkleLogWriter> logger,
    string? databaseName = null) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly LogOptions settings = options.Value;
    // When each hole in the sequence was first seen: holes seen in one pass expire together, not one GapWait after another.
    private readonly Dictionary<long, DateTimeOffset> holes = [];

    /// <summary>The file each head is appended to.</summary>
    public string HeadFile => Path.Combine(Path.GetFullPath(settings.HeadDirectory, environment.ContentRootPath),
        databaseName is null ? "tree-heads.jsonl" : $"tree-heads-{databaseName}.jsonl");

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
            if (frontier.Size - headSize >= settings.HeadEvery)
            {
                heads.Add(Sign(frontier.Size, frontier.Root()));
                headSize = frontier.Size;
            }
        }
        var lastMade = heads.Count > 0 ? heads[^1].MadeAt : lastHead?.MadeAt ?? DateTimeOffset.MinValue;
        if (frontier.Size > headSize && DateTimeOffset.UtcNow - lastMade >= settings.HeadInterval)
        {
            heads.Add(Sign(frontier.Size, frontier.Root()));
        }
        if (leaves.Count > 0 || heads.Count > 0)
        {
            await store.AppendLogAsync(firstPosition, leaves, nodes, heads, cancellationToken);
            await KeepOutsideAsync(heads, cancellationToken);
        }
        return (leaves.Count, !stoppedAtHole && rows == settings.Batch);
    }

    /// <summary>A head of the log as it stands, signed with the report key when there is one.</summary>
    public StoredTreeHead Sign(long size, byte[] root)
    {
        var now = DateTimeOffset.UtcNow;
        // PostgreSQL keeps microseconds; the signed text must be what a reader of the table rebuilds.
        var madeAt = new DateTimeOffset(now.UtcTicks - now.UtcTicks % 10, TimeSpan.Zero);
        var payload = TreeHeadText.Payload(size, Convert.ToBase64String(root), madeAt);
        return signer.KeyId is null
            ? new StoredTreeHead(size, root, madeAt, null, null)
            : new StoredTreeHead(size, root, madeAt, signer.KeyId, signer.Sign(payload));
    }

    public static TreeHead ToContract(StoredTreeHead head) => new(head.Size, Convert.ToBase64String(head.Root), head.MadeAt, head.KeyId, head.Signature);

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
                lines.Append(JsonSerializer.Serialize(ToContract(head), Json)).Append('\n');
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
