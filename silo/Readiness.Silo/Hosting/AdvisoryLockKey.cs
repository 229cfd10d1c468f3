namespace Readiness.Silo.Hosting;

/// <summary>
/// Every PostgreSQL advisory lock Readiness takes, by the number PostgreSQL knows it by. A lock is
/// only a number shared by whoever takes it, so two purposes under one number would block each other
/// (or worse, each think it works alone), and a changed number would let a silo of this version work
/// beside a silo of the previous one that still holds the old number. Never reuse or renumber a key:
/// retire it and add a new one. AdvisoryLockTests pins the values.
/// Marten's own locks (the projection daemon's, its schema changes') are Marten's numbers, not these.
/// </summary>
internal enum AdvisoryLockKey : long
{
    /// <summary>
    /// The migrate step, for the whole of its run on one database, so that two runs started together
    /// (two silos' containers, a developer's run.sh beside infra/cluster.sh) take turns.
    /// </summary>
    Migration = 0x5265616479_01,

    /// <summary>One silo of a cluster works the upward-report outbox at a time, so a report is sent once.</summary>
    Outbox = 0x5265616479_02,

    /// <summary>
    /// One silo writes a database's Merkle log at a time, so that positions are handed out by one
    /// writer; taken in each database, since each keeps a log of its own.
    /// </summary>
    MerkleLog = 0x5265616479_04,

    /// <summary>
    /// One projection rebuild runs in a cluster at a time: two swapping documents in at once would each
    /// overwrite the other's catch-up. The number spells "REBUILD".
    /// </summary>
    Rebuild = 0x5245_4255_494C_44,

    /// <summary>
    /// Taken inside each of infra/sql's Orleans scripts, in the script's own transaction
    /// (written there as the number, which AdvisoryLockTests matches against this), so that the scripts
    /// applied by hand with psql cannot race each other; migrate holds <see cref="Migration"/> besides.
    /// </summary>
    ClusterScripts = 4242010001,
}
