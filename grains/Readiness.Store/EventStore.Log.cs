using Npgsql;
using NpgsqlTypes;
using Readiness.Domain.Integrity;

namespace Readiness.Store;

/// <summary>A signed tree head as stored: the log's size and root when it was made, and the ES256 detached JWS over it.</summary>
public sealed record StoredTreeHead(long Size, byte[] Root, DateTimeOffset MadeAt, string? KeyId, string? Signature);

/// <summary>A leaf of the log as stored: its dense position, the event's sequence, and its hash.</summary>
public sealed record StoredLeaf(long Position, long Sequence, byte[] Hash);

public sealed partial class EventStore
{
    // The Merkle log's tables, created by infra/sql/store/030-merkle-log.sql.
    private const string LogLeaves = ReadinessStore.Schema + ".log_leaves";
    private const string LogNodes = ReadinessStore.Schema + ".log_nodes";
    private const string TreeHeads = ReadinessStore.Schema + ".tree_heads";
    private const string ImportedSequences = ReadinessStore.Schema + ".imported_sequences";

    /// <summary>The log's size and the sequence of its last leaf (0 for an empty log).</summary>
    public async Task<(long Size, long LastSequence)> LogEndAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"SELECT position, seq_id FROM {LogLeaves} ORDER BY position DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(0) + 1, reader.GetInt64(1)) : (0, 0);
    }

    /// <summary>
    /// Events after a sequence, tombstones included (they fill the gaps of failed appends, which tells
    /// the log that nothing more will commit there), in sequence order.
    /// </summary>
    public IAsyncEnumerable<EventRow> EventsAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        var command = database.CreateCommand($"SELECT {EventRow.Columns} FROM {Events} WHERE seq_id > @after ORDER BY seq_id LIMIT @limit");
        command.Parameters.Add(new NpgsqlParameter<long>("after", afterSequence));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        return RowsAsync(command, cancellationToken);
    }

    /// <summary>Every reported event in sequence order: what the log is recomputed from.</summary>
    public IAsyncEnumerable<EventRow> EventsInSequenceAsync(CancellationToken cancellationToken)
    {
        var command = database.CreateCommand($"SELECT {EventRow.Columns} FROM {Events} WHERE {EventRow.Reported("stream_id")} ORDER BY seq_id");
        return RowsAsync(command, cancellationToken);
    }

    /// <summary>The stored leaves in position order.</summary>
    public async IAsyncEnumerable<StoredLeaf> LeavesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"SELECT position, seq_id, leaf_hash FROM {LogLeaves} ORDER BY position");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new StoredLeaf(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
        }
    }

    /// <summary>The leaf that covers an event, found by the event's id.</summary>
    public async Task<StoredLeaf?> LeafOfEventAsync(Guid eventId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT l.position, l.seq_id, l.leaf_hash FROM {Events} e JOIN {LogLeaves} l ON l.seq_id = e.seq_id WHERE e.id = @id");
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", eventId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StoredLeaf(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2))
            : null;
    }

    /// <summary>The stored leaf hash of each of these sequences that the log has reached.</summary>
    public async Task<Dictionary<long, byte[]>> LeafHashesAsync(IReadOnlyCollection<long> sequences, CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, byte[]>();
        if (sequences.Count == 0)
        {
            return found;
        }
        await using var command = database.CreateCommand($"SELECT seq_id, leaf_hash FROM {LogLeaves} WHERE seq_id = ANY(@seqs)");
        command.Parameters.Add(new NpgsqlParameter<long[]>("seqs", [.. sequences]));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[reader.GetInt64(0)] = reader.GetFieldValue<byte[]>(1);
        }
        return found;
    }

    /// <summary>
    /// Sequences after <paramref name="afterSequence"/> that the log recorded and the store no longer holds:
    /// only someone with the owner's rights removes an event, so each is a removal (at most <paramref name="limit"/>).
    /// </summary>
    public async Task<List<long>> RemovedSinceLoggedAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT l.seq_id FROM {LogLeaves} l WHERE l.seq_id > @after AND NOT EXISTS (SELECT 1 FROM {Events} e WHERE e.seq_id = l.seq_id) ORDER BY l.seq_id LIMIT @limit");
        command.Parameters.Add(new NpgsqlParameter<long>("after", afterSequence));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var removed = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            removed.Add(reader.GetInt64(0));
        }
        return removed;
    }

    /// <summary>The stored hashes of the complete subtrees asked for: leaves for level 0, nodes above. Missing ones are absent.</summary>
    public async Task<Dictionary<(int Level, long Index), byte[]>> SubtreesAsync(IReadOnlyCollection<(int Level, long Index)> wanted, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(int, long), byte[]>();
        if (wanted.Count == 0)
        {
            return found;
        }
        await using var command = database.CreateCommand($"""
            SELECT 0, position, leaf_hash FROM {LogLeaves} WHERE position = ANY(@leaves)
            UNION ALL
            SELECT n.level, n."index", n.hash FROM {LogNodes} n JOIN unnest(@levels, @indexes) AS w(level, "index") ON n.level = w.level AND n."index" = w."index"
            """);
        command.Parameters.Add(new NpgsqlParameter<long[]>("leaves", [.. wanted.Where(w => w.Level == 0).Select(w => w.Index)]));
        var nodes = wanted.Where(w => w.Level > 0).ToList();
        command.Parameters.Add(new NpgsqlParameter<int[]>("levels", [.. nodes.Select(w => w.Level)]));
        command.Parameters.Add(new NpgsqlParameter<long[]>("indexes", [.. nodes.Select(w => w.Index)]));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found[(reader.GetInt32(0), reader.GetInt64(1))] = reader.GetFieldValue<byte[]>(2);
        }
        return found;
    }

    /// <summary>
    /// Appends leaves from <paramref name="firstPosition"/>, the complete subtrees they close and the
    /// tree heads made over them, in one transaction. The primary keys refuse a second writer's overlap.
    /// </summary>
    public async Task AppendLogAsync(long firstPosition, IReadOnlyList<(long Sequence, byte[] Hash)> leaves,
        IReadOnlyList<(int Level, long Index, byte[] Hash)> nodes, IReadOnlyList<StoredTreeHead> heads, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (leaves.Count > 0)
        {
            await using var command = new NpgsqlCommand(
                $"INSERT INTO {LogLeaves} (position, seq_id, leaf_hash) SELECT @first + o - 1, s, h FROM unnest(@seqs, @hashes) WITH ORDINALITY AS t(s, h, o)",
                connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<long>("first", firstPosition));
            command.Parameters.Add(new NpgsqlParameter<long[]>("seqs", [.. leaves.Select(l => l.Sequence)]));
            command.Parameters.Add(new NpgsqlParameter("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = leaves.Select(l => l.Hash).ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        if (nodes.Count > 0)
        {
            await using var command = new NpgsqlCommand(
                $"INSERT INTO {LogNodes} (level, \"index\", hash) SELECT * FROM unnest(@levels, @indexes, @hashes)", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<int[]>("levels", [.. nodes.Select(n => n.Level)]));
            command.Parameters.Add(new NpgsqlParameter<long[]>("indexes", [.. nodes.Select(n => n.Index)]));
            command.Parameters.Add(new NpgsqlParameter("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = nodes.Select(n => n.Hash).ToArray() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var head in heads)
        {
            await using var command = new NpgsqlCommand(
                $"INSERT INTO {TreeHeads} (size, root, made_at, key_id, signature) VALUES (@size, @root, @madeAt, @keyId, @signature)", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<long>("size", head.Size));
            command.Parameters.Add(new NpgsqlParameter<byte[]>("root", head.Root));
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("madeAt", head.MadeAt));
            command.Parameters.Add(new NpgsqlParameter<string?>("keyId", head.KeyId));
            command.Parameters.Add(new NpgsqlParameter<string?>("signature", head.Signature));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Tree heads, newest (largest) first, below a size when paging.</summary>
    public async Task<List<StoredTreeHead>> TreeHeadsAsync(long? belowSize, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT size, root, made_at, key_id, signature FROM {TreeHeads} WHERE @below::bigint IS NULL OR size < @below ORDER BY size DESC LIMIT @limit");
        command.Parameters.Add(new NpgsqlParameter<long?>("below", belowSize));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var heads = new List<StoredTreeHead>();
        while (await reader.ReadAsync(cancellationToken))
        {
            heads.Add(new StoredTreeHead(reader.GetInt64(0), reader.GetFieldValue<byte[]>(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)));
        }
        return heads;
    }

    /// <summary>The head of exactly this size, if one was made.</summary>
    public async Task<StoredTreeHead?> TreeHeadAsync(long size, CancellationToken cancellationToken) =>
        (await TreeHeadsAsync(size + 1, 1, cancellationToken)).FirstOrDefault(h => h.Size == size);

    /// <summary>
    /// Proof hashes for the complete subtrees a proof needs, fetched in one query: a first pass with
    /// placeholder hashes finds which subtrees those are (the shape of a proof depends only on the sizes).
    /// </summary>
    public async Task<ISubtreeHashes> SubtreesForAsync(Action<ISubtreeHashes> proof, CancellationToken cancellationToken)
    {
        var wanted = new WantedSubtrees();
        proof(wanted);
        var found = await SubtreesAsync(wanted.Asked, cancellationToken);
        var missing = wanted.Asked.Where(w => !found.ContainsKey(w)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The log lacks {missing.Count} subtree(s) it should hold (first: level {missing[0].Level}, index {missing[0].Index}).");
        }
        return new FoundSubtrees(found);
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

    private sealed class FoundSubtrees(Dictionary<(int Level, long Index), byte[]> found) : ISubtreeHashes
    {
        public byte[] Hash(int level, long index) => found[(level, index)];
    }
}
