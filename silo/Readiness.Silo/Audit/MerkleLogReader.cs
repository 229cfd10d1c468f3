using System.Diagnostics;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Store;

namespace Readiness.Silo.Audit;

/// <summary>What the Merkle log answers: its heads, inclusion and consistency proofs, and the log recomputed from the events.</summary>
/// <param name="store">The database's event tables.</param>
/// <param name="signer">Checks the heads' signatures: only the head key's count.</param>
/// <param name="writer">The log's name and the head file it keeps outside the database.</param>
public sealed class MerkleLogReader(EventStore store, TreeHeadSigner signer, MerkleLogWriter writer)
{
    public async Task<List<TreeHead>> HeadsAsync(long? before, int limit, CancellationToken cancellationToken) =>
        [.. (await store.TreeHeadsAsync(before, limit, cancellationToken)).Select(h => MerkleLogWriter.ToContract(h, writer.LogName))];

    /// <summary>The proof that an event is in the head of <paramref name="treeSize"/> (the latest when null); null with the reason when there is none.</summary>
    public async Task<(InclusionProof? Proof, string? Missing)> InclusionAsync(Guid eventId, long? treeSize, CancellationToken cancellationToken)
    {
        var head = treeSize is { } size ? await store.TreeHeadAsync(size, cancellationToken) : (await store.TreeHeadsAsync(null, 1, cancellationToken)).FirstOrDefault();
        if (head is null)
        {
            return (null, treeSize is null ? "No tree head has been made yet." : $"No signed tree head has size {treeSize}; /api/audit/tree-heads lists them.");
        }
        var leaf = await store.LeafOfEventAsync(eventId, cancellationToken);
        if (leaf is null)
        {
            return (null, $"Event {eventId} is not in the log (not an event of this store, or not logged yet).");
        }
        if (leaf.Position >= head.Size)
        {
            return (null, $"Event {eventId} is at position {leaf.Position}, after the head of size {head.Size}; ask a later head.");
        }
        var hashes = await store.SubtreesForAsync(h => MerkleLog.InclusionProof(h, leaf.Position, head.Size), cancellationToken);
        var path = MerkleLog.InclusionProof(hashes, leaf.Position, head.Size);
        return (new InclusionProof(eventId, leaf.Sequence, leaf.Position, Convert.ToBase64String(leaf.Hash), head.Size,
            Convert.ToBase64String(head.Root), [.. path.Select(Convert.ToBase64String)]), null);
    }

    /// <summary>The proof that the head of <paramref name="to"/> extends the head of <paramref name="from"/>.</summary>
    public async Task<(ConsistencyProof? Proof, string? Missing)> ConsistencyAsync(long from, long to, CancellationToken cancellationToken)
    {
        var first = await store.TreeHeadAsync(from, cancellationToken);
        var second = await store.TreeHeadAsync(to, cancellationToken);
        if (first is null || second is null)
        {
            return (null, $"No signed tree head has size {(first is null ? from : to)}; /api/audit/tree-heads lists them.");
        }
        var path = await ConsistencyPathAsync(from, to, cancellationToken);
        return (new ConsistencyProof(from, to, Convert.ToBase64String(first.Root), Convert.ToBase64String(second.Root),
            [.. path.Select(Convert.ToBase64String)]), null);
    }

    /// <summary>
    /// The proof's hashes from size <paramref name="from"/> to <paramref name="to"/> over the log as stored, whether
    /// or not a head was signed at <paramref name="from"/>: a witness checks it against the head it holds, and a
    /// log rebuilt by the database's owner (its heads deleted) must still be shown to it, to fail there.
    /// </summary>
    public async Task<List<byte[]>> ConsistencyPathAsync(long from, long to, CancellationToken cancellationToken)
    {
        var hashes = await store.SubtreesForAsync(h => MerkleLog.ConsistencyProof(h, from, to), cancellationToken);
        return MerkleLog.ConsistencyProof(hashes, from, to);
    }

    /// <summary>
    /// The source's log over the events an import brought in, recomputed from them as they are now, in
    /// the source's order and under its sequences, and its root at <paramref name="treeSize"/> (all of
    /// them when null): the root of the source's head of that size when the import was of its whole store.
    /// </summary>
    public async Task<(ImportedLog? Log, string? Missing)> ImportedAsync(long? treeSize, CancellationToken cancellationToken)
    {
        var leaves = await ImportedLeavesAsync(cancellationToken);
        if (Beyond(leaves, treeSize) is { } missing)
        {
            return (null, missing);
        }
        var size = treeSize ?? leaves.Count;
        var root = MerkleLog.RootOf([.. leaves.Take(checked((int)size)).Select(l => l.Hash)]);
        return (new ImportedLog(leaves.Count, leaves[0].SourceSequence, leaves[^1].SourceSequence, size, Convert.ToBase64String(root)), null);
    }

    /// <summary>The audit path of an imported event in the source's log of <paramref name="treeSize"/> leaves (all imported when null), recomputed as <see cref="ImportedAsync"/> does.</summary>
    public async Task<(InclusionProof? Proof, string? Missing)> ImportedInclusionAsync(Guid eventId, long? treeSize, CancellationToken cancellationToken)
    {
        var leaves = await ImportedLeavesAsync(cancellationToken);
        if (Beyond(leaves, treeSize) is { } missing)
        {
            return (null, missing);
        }
        var size = treeSize ?? leaves.Count;
        var position = leaves.FindIndex(l => l.EventId == eventId);
        if (position < 0)
        {
            return (null, $"Event {eventId} was not imported into this store.");
        }
        if (position >= size)
        {
            return (null, $"Event {eventId} is at position {position} of the source's log, after the size {size}; ask a later one.");
        }
        var hashes = new MerkleLog.LeafList([.. leaves.Take(checked((int)size)).Select(l => l.Hash)]);
        var path = MerkleLog.InclusionProof(hashes, position, size);
        return (new InclusionProof(eventId, leaves[position].SourceSequence, position, Convert.ToBase64String(leaves[position].Hash), size,
            Convert.ToBase64String(MerkleLog.RangeHash(hashes, 0, size)), [.. path.Select(Convert.ToBase64String)]), null);
    }

    private async Task<List<(Guid EventId, long SourceSequence, byte[] Hash)>> ImportedLeavesAsync(CancellationToken cancellationToken)
    {
        var leaves = new List<(Guid, long, byte[])>();
        await foreach (var (row, sourceSequence) in store.ImportedEventsAsync(cancellationToken))
        {
            leaves.Add((row.Id, sourceSequence, MerkleLog.LeafHash(row.ToLogLeaf() with { Sequence = sourceSequence })));
        }
        return leaves;
    }

    private static string? Beyond(List<(Guid EventId, long SourceSequence, byte[] Hash)> leaves, long? treeSize) =>
        leaves.Count == 0 ? "Nothing was imported into this store."
        : treeSize > leaves.Count ? $"{leaves.Count} events were imported; the source's log over them has no size {treeSize}."
        : null;

    /// <summary>
    /// Recomputes every leaf from the events in sequence order and compares it with the stored leaf at
    /// its position and the log's root with every stored head and with the last head kept in the head
    /// file outside the database; the latest head must carry a signature by the head key, for this log.
    /// Events after the last stored leaf are ones the log has not reached yet.
    /// </summary>
    public async Task<LogVerifyReport> VerifyAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // The kept head, then heads and leaves, before events: whatever commits meanwhile lies after them.
        var kept = writer.KeptHead();
        var keptRoot = kept is null ? null : RootOf(kept);
        var heads = await store.TreeHeadsAsync(null, int.MaxValue, cancellationToken);
        var leaves = new List<(long, byte[])>();
        await foreach (var leaf in store.LeavesAsync(cancellationToken))
        {
            leaves.Add((leaf.Sequence, leaf.Hash));
        }
        var recomputation = new LogRecomputation([.. heads.Select(h => (h.Size, h.Root)), .. keptRoot is null ? [] : new[] { (kept!.Size, keptRoot) }], leaves);
        await foreach (var row in store.EventsInSequenceAsync(cancellationToken))
        {
            recomputation.Add(row.ToLogLeaf());
        }
        var mismatch = recomputation.Finish();
        var latest = heads.FirstOrDefault();
        var latestHead = latest is null ? null : MerkleLogWriter.ToContract(latest, writer.LogName);
        // An unsigned head proves nothing outside the database: it never counts as signed, whatever key the silo has.
        var signatureValid = latestHead is not null && signer.Holds(latestHead, writer.LogName);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var first = mismatch is null ? null : new LogDisagreement(mismatch.Position, mismatch.Sequence, mismatch.Stream, mismatch.Version, mismatch.Problem);
        if (kept is not null && keptRoot is null)
        {
            first ??= new LogDisagreement(0, null, null, null, $"The last head kept in {writer.HeadFile} has a root that is not base64.");
        }
        if (first is null && latestHead is not null && !signatureValid)
        {
            first = new LogDisagreement(latestHead.Size, null, null, null, latestHead.Signature is null
                ? "The latest tree head is unsigned: nothing outside the database can hold the store to it."
                : $"The latest tree head's signature does not verify with the head key for the log {writer.LogName}.");
        }
        return new LogVerifyReport(first is null, recomputation.Size, leaves.Count, latestHead,
            signatureValid, Math.Round(seconds, 3), seconds > 0 ? Math.Round(recomputation.Size / seconds) : recomputation.Size, first, kept);
    }

    private static byte[]? RootOf(TreeHead head)
    {
        try
        {
            return Convert.FromBase64String(head.Root);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
