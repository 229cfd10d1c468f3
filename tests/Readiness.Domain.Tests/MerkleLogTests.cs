using System.Security.Cryptography;
using Readiness.Domain.Integrity;

namespace Readiness.Domain.Tests;

public class MerkleLogTests
{
    private const int MaxSize = 64;

    private static readonly byte[][] LeafHashes = [.. Enumerable.Range(0, MaxSize).Select(i => MerkleLog.LeafHash([(byte)i, (byte)(i * 7)]))];

    private static MemoryLog LogOf(int size)
    {
        var log = new MemoryLog();
        foreach (var leaf in LeafHashes.Take(size))
        {
            log.Append(leaf);
        }
        return log;
    }

    private static int CeilLog2(long n) => n <= 1 ? 0 : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(n - 1));

    private static byte[] Flip(byte[] hash, int bit)
    {
        var copy = (byte[])hash.Clone();
        copy[bit / 8 % copy.Length] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    [Fact]
    public void The_tree_hash_follows_the_rfc_definitions_for_small_trees()
    {
        var (a, b, c) = (LeafHashes[0], LeafHashes[1], LeafHashes[2]);
        Assert.Equal(SHA256.HashData(Array.Empty<byte>()), MerkleLog.RootOf([]));
        Assert.Equal(a, MerkleLog.RootOf([a]));
        Assert.Equal(SHA256.HashData([0x01, .. a, .. b]), MerkleLog.RootOf([a, b]));
        Assert.Equal(MerkleLog.NodeHash(MerkleLog.NodeHash(a, b), c), MerkleLog.RootOf([a, b, c]));
        Assert.Equal(SHA256.HashData([0x00, 5, 6]), MerkleLog.LeafHash([5, 6]));
    }

    [Fact]
    public void A_root_kept_incrementally_equals_the_tree_hash_from_scratch()
    {
        var log = new MemoryLog();
        Assert.Equal(MerkleLog.EmptyRoot, log.Root());
        for (var n = 1; n <= MaxSize; n++)
        {
            log.Append(LeafHashes[n - 1]);
            Assert.Equal(MerkleLog.RootOf(LeafHashes[..n]), log.Root());
            Assert.Equal(log.Root(), MerkleLog.RangeHash(log, 0, n));
            Assert.Equal(log.Root(), new MerkleFrontier(n, log).Root());
        }
    }

    [Fact]
    public void Every_inclusion_proof_up_to_64_leaves_verifies_and_fails_when_anything_changes()
    {
        for (var n = 1; n <= MaxSize; n++)
        {
            var log = LogOf(n);
            var root = log.Root();
            for (var i = 0; i < n; i++)
            {
                var path = MerkleLog.InclusionProof(log, i, n);
                Assert.True(path.Count <= CeilLog2(n), $"size {n} leaf {i}: {path.Count} hashes");
                Assert.True(MerkleLog.VerifyInclusion(LeafHashes[i], i, n, path, root), $"size {n} leaf {i}");

                Assert.False(MerkleLog.VerifyInclusion(Flip(LeafHashes[i], i), i, n, path, root));
                Assert.False(MerkleLog.VerifyInclusion(LeafHashes[i], i, n, path, Flip(root, 3)));
                Assert.False(MerkleLog.VerifyInclusion(LeafHashes[(i + 1) % MaxSize], i, n, path, root));
                if (n > 1)
                {
                    Assert.False(MerkleLog.VerifyInclusion(LeafHashes[i], (i + 1) % n, n, path, root), $"size {n} leaf {i} at another index");
                }
                Assert.False(MerkleLog.VerifyInclusion(LeafHashes[i], i + n, n, path, root));
                for (var p = 0; p < path.Count; p++)
                {
                    var tampered = path.ToList();
                    tampered[p] = Flip(path[p], p * 11);
                    Assert.False(MerkleLog.VerifyInclusion(LeafHashes[i], i, n, tampered, root));
                }
                if (path.Count > 0)
                {
                    Assert.False(MerkleLog.VerifyInclusion(LeafHashes[i], i, n, path.Take(path.Count - 1).ToList(), root));
                }
                Assert.False(MerkleLog.VerifyInclusion(LeafHashes[i], i, n, [.. path, root], root));
            }
        }
    }

    [Fact]
    public void Every_consistency_proof_up_to_64_leaves_verifies_and_fails_for_a_tampered_root_or_path()
    {
        for (var n = 1; n <= MaxSize; n++)
        {
            var log = LogOf(n);
            var second = log.Root();
            for (var m = 1; m <= n; m++)
            {
                var first = MerkleLog.RootOf(LeafHashes[..m]);
                var path = MerkleLog.ConsistencyProof(log, m, n);
                Assert.True(path.Count <= CeilLog2(n) + 1, $"{m}→{n}: {path.Count} hashes");
                Assert.True(MerkleLog.VerifyConsistency(m, n, first, second, path), $"{m}→{n}");

                Assert.False(MerkleLog.VerifyConsistency(m, n, Flip(first, m), second, path), $"{m}→{n} first root");
                Assert.False(MerkleLog.VerifyConsistency(m, n, first, Flip(second, n), path), $"{m}→{n} second root");
                for (var p = 0; p < path.Count; p++)
                {
                    var tampered = path.ToList();
                    tampered[p] = Flip(path[p], p);
                    Assert.False(MerkleLog.VerifyConsistency(m, n, first, second, tampered), $"{m}→{n} hash {p}");
                }
                if (m < n)
                {
                    // A tree that rewrote one of the first m leaves cannot be shown to extend the first.
                    var rewritten = LeafHashes[..n].ToArray();
                    rewritten[m - 1] = Flip(rewritten[m - 1], 1);
                    var rewrittenLog = new MemoryLog();
                    foreach (var leaf in rewritten)
                    {
                        rewrittenLog.Append(leaf);
                    }
                    Assert.False(MerkleLog.VerifyConsistency(m, n, first, rewrittenLog.Root(), MerkleLog.ConsistencyProof(rewrittenLog, m, n)), $"{m}→{n} rewritten");
                }
            }
        }
    }

    [Fact]
    public void A_leaf_covers_every_field_of_the_event()
    {
        var leaf = new LogLeaf(Guid.Parse("0b5e0c39-4a36-4a8e-9d3a-1f0e2c6b7a11"), "bac-kan/ba-be", 3, 41, "recruits_enlisted",
            """{"count":3,"b":1E+2}""", """{"hash":"ab"}""", "corr", "cause", new DateTimeOffset(2026, 11, 28, 1, 2, 3, TimeSpan.Zero).AddTicks(10));
        var hash = MerkleLog.LeafHash(leaf);
        Assert.Equal(hash, MerkleLog.LeafHash(leaf with { DataJson = """{"b":100,"count":3}""" }));
        LogLeaf[] changed =
        [
            leaf with { EventId = Guid.Empty }, leaf with { Stream = "bac-kan/ba-b" }, leaf with { Version = 4 }, leaf with { Sequence = 42 },
            leaf with { EventType = "x" }, leaf with { DataJson = """{"count":4,"b":100}""" }, leaf with { HeadersJson = null },
            leaf with { HeadersJson = """{"hash":"ac"}""" }, leaf with { CorrelationId = null }, leaf with { CorrelationId = "" },
            leaf with { CausationId = "causf" }, leaf with { RecordedAt = leaf.RecordedAt.AddTicks(10) },
            leaf with { Stream = "bac-kan/ba-bee", EventType = "ecruits_enlisted" },
        ];
        foreach (var other in changed)
        {
            Assert.NotEqual(hash, MerkleLog.LeafHash(other));
        }
    }
    [Theory]
    [InlineData("""{"z": 1E+2, "a": {"y": [3.50, "Tỉnh"], "b": null}}""", """{"occurred-at": "2026-12-07", "command-id": "c-1"}""", "corr")]
    [InlineData("""{"only": "x"}""", null, null)]
    public void A_leaf_hashes_the_documented_encoding_whichever_path_encodes_it(string data, string? headers, string? correlation)
    {
        var leaf = new LogLeaf(Guid.Parse("0193a4d2-7c1e-7000-8000-000000000001"), "unit-bq00", 7, 42, "training_completed", data, headers,
            correlation, null, new DateTimeOffset(2026, 12, 7, 21, 0, 0, 123, TimeSpan.Zero));
        // The encoding as the leaf's documentation spells it: each field length-prefixed, all ones for null, bodies canonical.
        var expected = new List<byte> { 0x00 };
        void Text(string? value)
        {
            var bytes = value is null ? null : System.Text.Encoding.UTF8.GetBytes(value);
            var length = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(length, bytes is null ? uint.MaxValue : (uint)bytes.Length);
            expected.AddRange(length);
            expected.AddRange(bytes ?? []);
        }
        void Number(long value)
        {
            var bytes = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, value);
            expected.AddRange(bytes);
        }
        Text("readiness.log.v1");
        Text(leaf.EventId.ToString("D"));
        Text(leaf.Stream);
        Number(leaf.Version);
        Number(leaf.Sequence);
        Text(leaf.EventType);
        Text(EventChain.Canonical(data));
        Text(headers is null ? null : EventChain.Canonical(headers));
        Text(correlation);
        Text(null);
        Number(leaf.RecordedAt.UtcTicks);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([.. expected])), Convert.ToHexStringLower(MerkleLog.LeafHash(leaf)));
        Assert.Equal(MerkleLog.LeafHash(leaf), MerkleLog.LeafHash(MerkleLog.Encode(leaf)));
    }

    [Fact]
    public void A_bodys_canonical_form_has_its_names_in_ordinal_order_and_its_numbers_as_jsonb_keeps_them()
    {
        Assert.Equal("""{"B":2.0,"a":{"b":null,"y":[3.50,"T\u1EC9nh",-0.001]},"z":100}""",
            EventChain.Canonical("""{"z": 1E+2, "a": {"y": [3.50, "Tỉnh", -1e-3], "b": null}, "B": 2.0E0}"""));
    }

}

public class LogRecomputationTests
{
    private static readonly LogLeaf[] Events = [.. Enumerable.Range(1, 40).Select(i => new LogLeaf(
        new Guid(i, 0, 0, new byte[8]), $"bac-kan/d{i % 3}", i / 3 + 1, i * 2, "t", $$"""{"n":{{i}}}""", null, null, null,
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(i)))];

    private static (List<(long, byte[])> Leaves, List<(long, byte[])> Heads) Kept()
    {
        var log = new MemoryLog();
        var heads = new List<(long, byte[])>();
        foreach (var e in Events)
        {
            log.Append(MerkleLog.LeafHash(e));
            if (log.Size % 10 == 0)
            {
                heads.Add((log.Size, log.Root()));
            }
        }
        return ([.. Events.Select((e, i) => (e.Sequence, log.Leaves[i]))], heads);
    }

    private static LogMismatch? Recompute(IEnumerable<LogLeaf> events, List<(long, byte[])>? leaves, List<(long, byte[])> heads)
    {
        var recomputation = new LogRecomputation(heads, leaves);
        foreach (var e in events)
        {
            recomputation.Add(e);
        }
        return recomputation.Finish();
    }

    [Fact]
    public void The_events_as_logged_give_back_every_leaf_and_head()
    {
        var (leaves, heads) = Kept();
        Assert.Null(Recompute(Events, leaves, heads));
        Assert.Null(Recompute(Events.Take(35), leaves.Take(35).ToList(), heads.Take(3).ToList()));
    }

    [Fact]
    public void A_changed_event_is_named_by_the_stored_leaf_even_inside_a_failed_head()
    {
        var (leaves, heads) = Kept();
        var changed = Events.ToArray();
        changed[23] = changed[23] with { RecordedAt = changed[23].RecordedAt.AddTicks(10) };

        var mismatch = Recompute(changed, leaves, heads);

        Assert.Equal(23, mismatch!.Position);
        Assert.Equal(changed[23].Sequence, mismatch.Sequence);
        Assert.Equal(changed[23].Stream, mismatch.Stream);
    }

    [Fact]
    public void Against_heads_alone_a_change_is_bracketed_by_the_last_head_that_held()
    {
        var (_, heads) = Kept();
        var changed = Events.ToArray();
        changed[23] = changed[23] with { DataJson = """{"n":0}""" };

        var mismatch = Recompute(changed, null, heads);

        Assert.Equal(20, mismatch!.Position);
        Assert.Contains("size 30", mismatch.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_and_extra_events_are_named_at_their_position()
    {
        var (leaves, heads) = Kept();
        var missing = Recompute(Events.Where((_, i) => i != 17), leaves, heads);
        Assert.Equal(17, missing!.Position);
        Assert.Equal(Events[17].Sequence, missing.Sequence);

        var forged = Events[5] with { Sequence = 11 };
        var extra = Recompute(Events.Take(5).Append(forged).Concat(Events.Skip(5)), leaves, heads);
        Assert.Equal(5, extra!.Position);
        Assert.Equal(11, extra.Sequence);

        var truncated = Recompute(Events.Take(38), leaves, heads);
        Assert.Equal(38, truncated!.Position);
    }
}
