using Microsoft.Extensions.Options;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Silo.Audit;

/// <summary>What auditors work with in one database: its history, its chains, its Merkle log, its archive.</summary>
public sealed class DatabaseAudit(ProvinceDatabase database, MerkleLogWriter writer, MerkleLogReader log, ChainVerifier verifier, EventArchive archive, EventHistory history)
{
    public ProvinceDatabase Database { get; } = database;
    public MerkleLogWriter Writer { get; } = writer;
    public MerkleLogReader Log { get; } = log;
    public ChainVerifier Verifier { get; } = verifier;
    public EventArchive Archive { get; } = archive;
    public EventHistory History { get; } = history;
}

/// <summary>
/// One <see cref="DatabaseAudit"/> per database: each keeps its own sequence, chains and Merkle log,
/// so a province's history, verification and proofs come from the database it lives in, and a
/// whole-store job (verify, export, import) names a database or runs over each.
/// </summary>
public sealed class AuditDatabases
{
    private readonly Dictionary<string, DatabaseAudit> byName = new(StringComparer.Ordinal);
    private readonly ProvinceDatabases databases;

    public AuditDatabases(ProvinceDatabases databases, TreeHeadSigner signer, IOptions<LogOptions> options, AuditAlarms alarms, ILoggerFactory loggers)
    {
        this.databases = databases;
        foreach (var database in databases.All)
        {
            var writer = new MerkleLogWriter(database.Events, database.DataSource, signer, options, alarms, loggers.CreateLogger<MerkleLogWriter>(),
                database.IsMain ? null : database.Name);
            var log = new MerkleLogReader(database.Events, signer, writer);
            byName[database.Name] = new DatabaseAudit(database, writer, log, new ChainVerifier(database.Events, log), new EventArchive(database.Events), new EventHistory(database.Events));
        }
        All = [.. databases.All.Select(d => byName[d.Name])];
    }

    public DatabaseAudit Main => byName[ProvinceDatabases.MainName];

    public IReadOnlyList<DatabaseAudit> All { get; }

    /// <summary>The audit of the database the province lives in.</summary>
    public DatabaseAudit Of(string provinceId) => byName[databases.Of(provinceId).Name];

    public DatabaseAudit For(ProvinceDatabase database) => byName[database.Name];

    /// <summary>
    /// An area's streams, database by database: those of every unit the chain of command says it ever
    /// covered, its predecessors' included, each stored where its id began (<see cref="StreamKeys.HomeOf"/>);
    /// an area the tree does not know, by its id as a path in its province's database.
    /// </summary>
    public IReadOnlyList<(DatabaseAudit Audit, StreamArea Streams)> Spread(string area, ChainOfCommand tree) =>
        tree.Knows(area)
            ? [.. tree.EverCoveredBy(area)
                .GroupBy(unit => Of(StreamKeys.HomeOf(unit)).Database.Name, StringComparer.Ordinal)
                .OrderBy(part => part.Key == ProvinceDatabases.MainName ? "" : part.Key, StringComparer.Ordinal)
                .Select(part => (byName[part.Key], StreamArea.Of(part)))]
            : [(Of(StreamKeys.HomeOf(area)), StreamArea.Under(area))];

    /// <summary>The last hash of every stream of an area (<see cref="Spread"/>), in every database its units are stored in.</summary>
    public async Task<IReadOnlyList<ChainHead>> ChainHeadsAsync(string area, ChainOfCommand tree, CancellationToken cancellationToken)
    {
        var heads = new List<ChainHead>();
        foreach (var (audit, streams) in Spread(area, tree))
        {
            heads.AddRange(await audit.Verifier.HeadsAsync(streams, cancellationToken));
        }
        heads.Sort((a, b) => string.CompareOrdinal(a.Stream, b.Stream));
        return heads;
    }
}
