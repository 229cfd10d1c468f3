using System.Diagnostics;
using System.Globalization;
using System.Text;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Silo.Security;

namespace Readiness.Benchmarks;

/// <summary>
/// The Merkle log's own costs, in memory, apart from the database: hashing and appending leaves,
/// recomputing the log as verify does, proofs at a million leaves, and signing a head.
/// <c>dotnet run -c Release --project tests/Readiness.Benchmarks -- --merkle [leaves]</c>
/// </summary>
public static class MerkleFigures
{
    public static int Run(long size)
    {
        var leaves = new List<LogLeaf>((int)size);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        for (long i = 0; i < size; i++)
        {
            // About the size of a demo event: a body of a few fields and the headers every event carries.
            leaves.Add(new LogLeaf(Guid.NewGuid(), $"bac-kan/district-{i % 8}/commune-{i % 97}", i / 97 + 1, i + 1, "outreach_session_held",
                $$"""{"unitId":"bac-kan/district-{{i % 8}}/commune-{{i % 97}}","topic":"Buổi {{i}}","attendances":{{i % 300}},"occurredAt":"2026-10-01T08:00:00+07:00"}""",
                $$"""{"command-id":"{{Guid.NewGuid()}}","recorded-by":"system:demo","occurred-at":"2026-10-01T01:00:00.0000000Z","hash":"{{new string('a', 64)}}"}""",
                "corr-" + i.ToString(CultureInfo.InvariantCulture), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", start.AddTicks(i * 10)));
        }

        var watch = Stopwatch.StartNew();
        var log = new MemoryLog();
        foreach (var leaf in leaves)
        {
            log.Append(MerkleLog.LeafHash(leaf));
        }
        var append = watch.Elapsed.TotalSeconds;
        var root = log.Root();

        watch.Restart();
        var recomputation = new LogRecomputation([(size, root)], [.. log.Leaves.Select((h, i) => ((long)i + 1, h))]);
        foreach (var leaf in leaves)
        {
            recomputation.Add(leaf);
        }
        var intact = recomputation.Finish() is null;
        var verify = watch.Elapsed.TotalSeconds;

        var random = new Random(7);
        const int proofs = 1000;
        long inclusionBytes = 0;
        long consistencyBytes = 0;
        var inclusionMax = 0;
        var consistencyMax = 0;
        watch.Restart();
        for (var n = 0; n < proofs; n++)
        {
            var path = MerkleLog.InclusionProof(log, random.NextInt64(size), size);
            inclusionBytes += path.Count * MerkleLog.HashSize;
            inclusionMax = Math.Max(inclusionMax, path.Count);
        }
        var inclusionTime = watch.Elapsed.TotalMilliseconds / proofs;
        watch.Restart();
        for (var n = 0; n < proofs; n++)
        {
            var path = MerkleLog.ConsistencyProof(log, random.NextInt64(1, size), size);
            consistencyBytes += path.Count * MerkleLog.HashSize;
            consistencyMax = Math.Max(consistencyMax, path.Count);
        }
        var consistencyTime = watch.Elapsed.TotalMilliseconds / proofs;
        var index = size / 3;
        var proof = MerkleLog.InclusionProof(log, index, size);
        watch.Restart();
        for (var n = 0; n < proofs; n++)
        {
            MerkleLog.VerifyInclusion(log.Leaves[(int)index], index, size, proof, root);
        }
        var checkTime = watch.Elapsed.TotalMilliseconds / proofs;

        using var key = Es256Key.FromPem(Es256Key.NewPem(), "benchmark");
        const int signatures = 500;
        watch.Restart();
        for (var n = 0; n < signatures; n++)
        {
            key.SignDetached(Encoding.UTF8.GetBytes(TreeHeadText.Payload(size, Convert.ToBase64String(root), DateTimeOffset.UtcNow, "readiness")));
        }
        var signTime = watch.Elapsed.TotalMilliseconds / signatures;

        var perProof = inclusionBytes / (double)proofs;
        var depth = Math.Ceiling(Math.Log2(size));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            Merkle log, in memory, {size:N0} leaves ({Environment.ProcessorCount} cores)
              leaf encode + hash + append: {size / append:N0} leaves/s ({append:0.00} s)
              recompute as verify does (against stored leaves and a head): {size / verify:N0} events/s ({verify:0.00} s), intact: {intact}
              inclusion proof: {inclusionTime * 1000:0.0} µs to make, {perProof:0} bytes on average ({inclusionMax} hashes at most, ceil(log2 n) = {depth}); {checkTime * 1000:0.0} µs to check
              consistency proof: {consistencyTime * 1000:0.0} µs to make, {consistencyBytes / (double)proofs:0} bytes on average ({consistencyMax} hashes at most)
              signing a head (ES256): {signTime:0.000} ms
            """));
        return intact ? 0 : 1;
    }
}
