namespace Readiness.Domain.Integrity;

/// <summary>Where a recomputed log first parts from what was kept: its position, and what sits there.</summary>
public sealed record LogMismatch(long Position, long? Sequence, string? Stream, long? Version, string Problem);

/// <summary>
/// Rebuilds the log from the events in sequence order and compares it as it goes with the leaves
/// the store kept (when given) and with signed heads (their size and root). The leaves name the
/// first differing position exactly; a head alone says only that something before its size changed,
/// so its mismatch is placed at the end of the last head that still matched.
/// </summary>
public sealed class LogRecomputation(IReadOnlyList<(long Size, byte[] Root)> heads, IReadOnlyList<(long Sequence, byte[] Hash)>? storedLeaves)
{
    private readonly List<(long Size, byte[] Root)> headsBySize = [.. heads.OrderBy(h => h.Size)];
    private readonly MerkleFrontier frontier = new();
    private int nextHead;
    private long lastMatchingHead;
    private LogMismatch? leafMismatch;
    private LogMismatch? headMismatch;
    private long failedHeadSize;

    public long Size => frontier.Size;

    public long HeadsMatched { get; private set; }

    public byte[] Root() => frontier.Root();

    public void Add(LogLeaf leaf)
    {
        var position = frontier.Size;
        var hash = MerkleLog.LeafHash(leaf);
        if (storedLeaves is not null && leafMismatch is null && position < storedLeaves.Count)
        {
            var (sequence, stored) = storedLeaves[checked((int)position)];
            if (sequence < leaf.Sequence)
            {
                leafMismatch = new(position, sequence, leaf.Stream, leaf.Version,
                    $"The event the log recorded at sequence {sequence} is missing from the store; the store has sequence {leaf.Sequence} ({leaf.Stream} v{leaf.Version}) here.");
            }
            else if (sequence > leaf.Sequence)
            {
                leafMismatch = new(position, leaf.Sequence, leaf.Stream, leaf.Version,
                    $"The store holds an event the log never recorded: sequence {leaf.Sequence} ({leaf.Stream} v{leaf.Version}), where the log has sequence {sequence}.");
            }
            else if (!hash.AsSpan().SequenceEqual(stored))
            {
                leafMismatch = new(position, leaf.Sequence, leaf.Stream, leaf.Version,
                    "The event differs from what the log recorded (its data, headers, type, place or recording time).");
            }
        }
        frontier.Append(hash);
        while (nextHead < headsBySize.Count && headsBySize[nextHead].Size == frontier.Size)
        {
            var head = headsBySize[nextHead++];
            if (frontier.Root().AsSpan().SequenceEqual(head.Root))
            {
                HeadsMatched++;
                if (headMismatch is null)
                {
                    lastMatchingHead = head.Size;
                }
            }
            else if (headMismatch is null)
            {
                failedHeadSize = head.Size;
                headMismatch = new(lastMatchingHead, null, null, null,
                    $"The signed head of size {head.Size} does not match the events: one of positions {lastMatchingHead}–{head.Size - 1} was changed, removed, added or moved.");
            }
        }
    }

    /// <summary>The first disagreement, or null when the events give back every leaf and every head.</summary>
    public LogMismatch? Finish()
    {
        var size = frontier.Size;
        if (storedLeaves is not null && leafMismatch is null && storedLeaves.Count > size)
        {
            leafMismatch = new(size, storedLeaves[(int)size].Sequence, null, null,
                $"The log records {storedLeaves.Count - size} event(s) from sequence {storedLeaves[(int)size].Sequence} on that the store no longer holds.");
        }
        if (headMismatch is null && nextHead < headsBySize.Count)
        {
            var head = headsBySize[nextHead];
            failedHeadSize = head.Size;
            headMismatch = new(Math.Min(lastMatchingHead, size), null, null, null,
                $"The signed head of size {head.Size} covers more events than the store holds ({size}).");
        }
        return (leafMismatch, headMismatch) switch
        {
            (null, var h) => h,
            (var l, null) => l,
            // A stored leaf pinpoints what a head only brackets: it wins whenever it lies within the failed head.
            var (l, h) => l.Position < failedHeadSize ? l : h,
        };
    }
}
