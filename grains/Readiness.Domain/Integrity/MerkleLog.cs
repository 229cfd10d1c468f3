using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Readiness.Domain.Integrity;

/// <summary>
/// The hash of a complete subtree: the 2^<c>level</c> leaves from <c>index</c> × 2^<c>level</c>.
/// Level 0 is a leaf hash. Proofs ask only for such subtrees, so a store can answer them from the
/// nodes it kept as the log grew, without rereading the leaves below.
/// </summary>
public interface ISubtreeHashes
{
    byte[] Hash(int level, long index);
}

/// <summary>One event as the log's leaf covers it: everything the store says about it, sequence and time included.</summary>
public sealed record LogLeaf(
    Guid EventId,
    string Stream,
    long Version,
    long Sequence,
    string EventType,
    string DataJson,
    string? HeadersJson,
    string? CorrelationId,
    string? CausationId,
    DateTimeOffset RecordedAt);

/// <summary>
/// The Merkle tree of RFC 9162 §2.1 over the events in sequence order: leaf and node hashes with
/// distinct prefixes (so a node can never pass for a leaf), the tree hash with the largest
/// power-of-two split, and inclusion and consistency proofs. Unlike a per-stream chain, a signed
/// root covers every stream at once, so deleting a stream's tail or a whole stream changes it.
/// </summary>
public static class MerkleLog
{
    public const int HashSize = 32;

    /// <summary>The tree hash of no leaves: the hash of the empty string.</summary>
    public static byte[] EmptyRoot => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    public static byte[] LeafHash(ReadOnlySpan<byte> leaf)
    {
        var buffer = new byte[leaf.Length + 1];
        buffer[0] = 0x00;
        leaf.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashSize];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>
    /// The bytes a leaf hashes: each field length-prefixed (a 4-byte big-endian length, all ones for
    /// null) so that no two different events share an encoding by shifting text between fields. Data
    /// and headers go in canonical form, for jsonb hands back neither the key order nor the number
    /// spelling that was written; the time as UTC ticks, PostgreSQL's microseconds being exact in them.
    /// </summary>
    public static byte[] Encode(LogLeaf leaf) => EncodeInto(leaf, prefix: false).WrittenSpan.ToArray();

    public static byte[] LeafHash(LogLeaf leaf)
    {
        // The leaf's bytes behind the leaf prefix, in the thread's buffer: no copy per leaf logged.
        return SHA256.HashData(EncodeInto(leaf, prefix: true).WrittenSpan);
    }

    /// <summary>
    /// The thread's buffer for a leaf's bytes and the JSON writer that puts the canonical bodies into
    /// it: a leaf is encoded for every event logged and every one verified. <see cref="EncodeInto"/>
    /// never awaits, so no other use of the thread's pair comes between its writes.
    /// </summary>
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? leafScratch;

    private static ArrayBufferWriter<byte> EncodeInto(LogLeaf leaf, bool prefix)
    {
        if (leafScratch is not { } scratch)
        {
            var created = new ArrayBufferWriter<byte>(4096);
            scratch = (created, new Utf8JsonWriter(created));
            leafScratch = scratch;
        }
        var (buffer, writer) = scratch;
        buffer.ResetWrittenCount();
        if (prefix)
        {
            buffer.Write([(byte)0x00]);
        }
        Text(buffer, "readiness.log.v1");
        Text(buffer, leaf.EventId.ToString("D"));
        Text(buffer, leaf.Stream);
        Number(buffer, leaf.Version);
        Number(buffer, leaf.Sequence);
        Text(buffer, leaf.EventType);
        Canonical(buffer, writer, leaf.DataJson);
        Canonical(buffer, writer, leaf.HeadersJson);
        Text(buffer, leaf.CorrelationId);
        Text(buffer, leaf.CausationId);
        Number(buffer, leaf.RecordedAt.UtcTicks);
        return buffer;

        static void Text(ArrayBufferWriter<byte> buffer, string? value)
        {
            if (value is null)
            {
                BinaryPrimitives.WriteUInt32BigEndian(buffer.GetSpan(4), uint.MaxValue);
                buffer.Advance(4);
                return;
            }
            var length = Encoding.UTF8.GetByteCount(value);
            var span = buffer.GetSpan(4 + length);
            BinaryPrimitives.WriteUInt32BigEndian(span, (uint)length);
            Encoding.UTF8.GetBytes(value, span[4..]);
            buffer.Advance(4 + length);
        }

        static void Canonical(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer, string? json)
        {
            if (json is null)
            {
                Text(buffer, null);
                return;
            }
            // The length goes before the text, and is known only once the text is written.
            var at = buffer.WrittenCount;
            buffer.GetSpan(4);
            buffer.Advance(4);
            writer.Reset(buffer);
            EventChain.WriteCanonical(writer, json);
            var written = MemoryMarshal.AsMemory(buffer.WrittenMemory).Span;
            BinaryPrimitives.WriteUInt32BigEndian(written[at..], (uint)(buffer.WrittenCount - at - 4));
        }

        static void Number(ArrayBufferWriter<byte> buffer, long value)
        {
            BinaryPrimitives.WriteInt64BigEndian(buffer.GetSpan(8), value);
            buffer.Advance(8);
        }
    }

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n ≥ 2): where RFC 9162 splits a tree.</summary>
    public static long Split(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    /// <summary>MTH over the leaf hashes, from scratch.</summary>
    public static byte[] RootOf(IReadOnlyList<byte[]> leafHashes) =>
        leafHashes.Count == 0 ? EmptyRoot : RangeHash(new LeafList(leafHashes), 0, leafHashes.Count);

    /// <summary>
    /// MTH of the leaves [start, end), a range the tree's own recursion produces (start a multiple of
    /// the split above it), from complete subtrees.
    /// </summary>
    public static byte[] RangeHash(ISubtreeHashes hashes, long start, long end)
    {
        var size = end - start;
        if (BitOperations.IsPow2(size) && start % size == 0)
        {
            var level = BitOperations.Log2((ulong)size);
            return hashes.Hash(level, start >> level);
        }
        var k = Split(size);
        return NodeHash(RangeHash(hashes, start, start + k), RangeHash(hashes, start + k, end));
    }

    /// <summary>The audit path of leaf <paramref name="index"/> in the tree of the first <paramref name="size"/> leaves (RFC 9162 §2.1.3.1).</summary>
    public static List<byte[]> InclusionProof(ISubtreeHashes hashes, long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var path = new List<byte[]>();
        Path(index, 0, size);
        return path;

        // Written leaf-first: the deepest sibling comes first in the path.
        void Path(long m, long start, long end)
        {
            var n = end - start;
            if (n == 1)
            {
                return;
            }
            var k = Split(n);
            if (m < k)
            {
                Path(m, start, start + k);
                path.Add(RangeHash(hashes, start + k, end));
            }
            else
            {
                Path(m - k, start + k, end);
                path.Add(RangeHash(hashes, start, start + k));
            }
        }
    }

    /// <summary>RFC 9162 §2.1.3.2: whether <paramref name="path"/> leads from the leaf hash at <paramref name="index"/> to <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size || leafHash.Length != HashSize)
        {
            return false;
        }
        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (sn == 0 || p.Length != HashSize)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = NodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>The proof that the tree of <paramref name="second"/> leaves extends that of <paramref name="first"/> (RFC 9162 §2.1.4.1).</summary>
    public static List<byte[]> ConsistencyProof(ISubtreeHashes hashes, long first, long second)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, second);
        var path = new List<byte[]>();
        if (first == 0 || first == second)
        {
            return path;
        }
        SubProof(first, 0, second, whole: true);
        return path;

        void SubProof(long m, long start, long end, bool whole)
        {
            var n = end - start;
            if (m == n)
            {
                if (!whole)
                {
                    path.Add(RangeHash(hashes, start, end));
                }
                return;
            }
            var k = Split(n);
            if (m <= k)
            {
                SubProof(m, start, start + k, whole);
                path.Add(RangeHash(hashes, start + k, end));
            }
            else
            {
                SubProof(m - k, start + k, end, whole: false);
                path.Add(RangeHash(hashes, start, start + k));
            }
        }
    }

    /// <summary>RFC 9162 §2.1.4.2: whether <paramref name="path"/> shows <paramref name="secondRoot"/> extends <paramref name="firstRoot"/>.</summary>
    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> path)
    {
        if (first < 0 || first > second)
        {
            return false;
        }
        if (first == second)
        {
            return path.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }
        if (first == 0)
        {
            // The empty tree is a prefix of every tree; there is nothing to prove.
            return path.Count == 0;
        }
        if (path.Count == 0 || path.Any(p => p.Length != HashSize))
        {
            return false;
        }
        var nodes = BitOperations.IsPow2(first) ? path.Prepend(firstRoot.ToArray()).ToList() : path.ToList();
        var fn = first - 1;
        var sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var fr = nodes[0];
        var sr = nodes[0];
        foreach (var c in nodes.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && fr.AsSpan().SequenceEqual(firstRoot) && sr.AsSpan().SequenceEqual(secondRoot);
    }

    /// <summary>Complete subtrees computed on the fly from a list of leaf hashes: for tests and offline checks.</summary>
    public sealed class LeafList(IReadOnlyList<byte[]> leafHashes) : ISubtreeHashes
    {
        public byte[] Hash(int level, long index)
        {
            if (level == 0)
            {
                return leafHashes[(int)index];
            }
            return NodeHash(Hash(level - 1, 2 * index), Hash(level - 1, 2 * index + 1));
        }
    }
}

/// <summary>
/// The log as it grows: one hash per complete subtree on the right edge (the binary digits of the
/// size), so appending costs O(log n) and the root is always at hand. Each complete subtree it
/// closes is reported, for a store to keep and later serve proofs from.
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<(int Level, byte[] Hash)> edge = [];

    public long Size { get; private set; }

    public MerkleFrontier()
    {
    }

    /// <summary>Resumes a log of <paramref name="size"/> leaves from the complete subtrees of its right edge.</summary>
    public MerkleFrontier(long size, ISubtreeHashes hashes)
    {
        Size = size;
        foreach (var (level, index) in EdgeOf(size))
        {
            edge.Add((level, hashes.Hash(level, index)));
        }
    }

    /// <summary>The complete subtrees (level, index) of the right edge, largest first: what <see cref="MerkleFrontier(long, ISubtreeHashes)"/> asks for.</summary>
    public static IEnumerable<(int Level, long Index)> EdgeOf(long size)
    {
        long start = 0;
        for (var level = 62; level >= 0; level--)
        {
            if ((size & (1L << level)) != 0)
            {
                yield return (level, start >> level);
                start += 1L << level;
            }
        }
    }

    /// <summary>Adds a leaf hash; <paramref name="closed"/> gets each complete subtree of level ≥ 1 this closes.</summary>
    public void Append(byte[] leafHash, Action<int, long, byte[]>? closed = null)
    {
        var position = Size;
        var hash = leafHash;
        var level = 0;
        while (edge.Count > 0 && edge[^1].Level == level)
        {
            hash = MerkleLog.NodeHash(edge[^1].Hash, hash);
            edge.RemoveAt(edge.Count - 1);
            level++;
            closed?.Invoke(level, position >> level, hash);
        }
        edge.Add((level, hash));
        Size++;
    }

    public byte[] Root()
    {
        if (edge.Count == 0)
        {
            return MerkleLog.EmptyRoot;
        }
        var root = edge[^1].Hash;
        for (var i = edge.Count - 2; i >= 0; i--)
        {
            root = MerkleLog.NodeHash(edge[i].Hash, root);
        }
        return root;
    }
}

/// <summary>Every leaf and complete subtree kept in memory, as the store keeps them in its tables: for tests, benchmarks and offline checks.</summary>
public sealed class MemoryLog : ISubtreeHashes
{
    private readonly List<byte[]> leaves = [];
    private readonly Dictionary<(int, long), byte[]> nodes = [];
    private readonly MerkleFrontier frontier = new();

    public long Size => frontier.Size;

    public IReadOnlyList<byte[]> Leaves => leaves;

    public void Append(byte[] leafHash)
    {
        leaves.Add(leafHash);
        frontier.Append(leafHash, (level, index, hash) => nodes[(level, index)] = hash);
    }

    public byte[] Root() => frontier.Root();

    public byte[] Hash(int level, long index) => level == 0 ? leaves[checked((int)index)] : nodes[(level, index)];
}
