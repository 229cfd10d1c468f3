using Microsoft.Extensions.Options;
using Readiness.Grains.Storage;

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
}
