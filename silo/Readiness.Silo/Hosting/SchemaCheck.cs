using Npgsql;
using Readiness.Store;

namespace Readiness.Silo.Hosting;

/// <summary>
/// The first thing a silo does: it makes sure the schema was applied by the migrate step, and that the
/// role it serves with cannot rewrite history. A silo given the owner's credentials, or a role that
/// may update, delete or truncate events or the Merkle log's tables, refuses to start rather than run
/// with more power than it needs; so does a silo whose store has Marten tables of another shape than
/// the one its own SQL writes into (<see cref="EventStore.MartenTables"/>).
/// </summary>
public sealed partial class SchemaCheck(IConfiguration configuration, StartupState startup, ILogger<SchemaCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("ReadinessOwner")))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:ReadinessOwner is set for the silo. The owner's credentials belong to the migrate step alone (Readiness.Silo migrate); remove them from the silo's configuration.");
        }
        await using (var connection = await DatabaseMigrator.OpenWithPatience(configuration.GetRequiredConnectionString("Readiness"), logger, cancellationToken))
        {
            await CheckAsync(connection, "ConnectionStrings:Readiness", cancellationToken);
        }
        var others = configuration.GetSection($"{ReadinessOptions.Section}:Databases").Get<List<ProvinceDatabaseSetting>>() ?? [];
        foreach (var database in others)
        {
            // A database beside the main one may be away while the silo starts: its provinces answer 503
            // until it is back, and the others are served meanwhile. One that answers must be right.
            NpgsqlConnection connection;
            try
            {
                connection = new NpgsqlConnection(database.Connection);
                await connection.OpenAsync(cancellationToken);
            }
            catch (NpgsqlException ex) when (ex.IsTransient)
            {
                LogAway(logger, database.Name, ex.Message);
                continue;
            }
            await using (connection)
            {
                await CheckAsync(connection, $"Readiness:Databases ({database.Name})", cancellationToken, cluster: false);
            }
        }
        startup.SchemaApplied = true;
    }

    private static async Task CheckAsync(NpgsqlConnection connection, string setting, CancellationToken cancellationToken, bool cluster = true)
    {
        var state = await EventStore.InspectRoleAsync(connection, cancellationToken, cluster);
        if (!state.SchemaApplied)
        {
            throw new InvalidOperationException(
                $"The database '{connection.Database}' has no Readiness schema. Apply it first, as the owner: "
                    + "Readiness.Silo migrate with ConnectionStrings__ReadinessOwner set (run.sh and infra/cluster.sh do this before they start a silo).");
        }
        if (!state.SchemaCurrent)
        {
            throw new InvalidOperationException(
                $"The database '{connection.Database}' has the schema of an older version of Readiness (the append function or the Merkle log's tables are missing). "
                    + "Apply this version's schema first, as the owner: Readiness.Silo migrate with ConnectionStrings__ReadinessOwner set "
                    + "(run.sh and infra/cluster.sh do this before they start a silo).");
        }
        // The custom storage path writes Marten's tables behind its back: a store of another shape is refused before a first append could write it wrongly.
        var changes = await EventStore.MartenShapeChangesAsync(connection, withFunction: true, cancellationToken);
        if (changes.Count > 0)
        {
            throw new InvalidOperationException(MartenShapeRefusal(connection.Database, changes));
        }
        if (state.Rewrites.Count > 0)
        {
            throw new InvalidOperationException(
                $"{setting} connects as '{state.Role}', which may rewrite the record in '{connection.Database}': {string.Join(", ", state.Rewrites)}. "
                    + "The silo serves with the application role only (readiness_app, granted by migrate), which may only append to the events and the Merkle log; "
                    + $"revoke each of them from '{state.Role}' (REVOKE <privilege> ON <table> FROM ...), or connect as readiness_app.");
        }
    }

    /// <summary>
    /// Why a store whose Marten tables or append function are not as this version writes them is refused.
    /// The migrate step does not check: it reconciles Marten's tables to what the installed Marten describes,
    /// so it is a Marten upgrade itself that brings the change, and the silo is the first to write into it.
    /// </summary>
    private static string MartenShapeRefusal(string database, IReadOnlyList<string> changes) =>
        $"The database '{database}' does not have the shape Readiness writes into directly (the append function, the rebuild and the daemon's progress rows): "
            + string.Join("; ", changes) + ". A Marten upgrade that changed its tables must be answered in EventStore.MartenTables and the SQL that relies on them "
            + "(infra/sql/store, EventStore) before a silo serves from this store.";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database {Name} did not answer at start-up ({Reason}); its provinces answer 503 until it does")]
    private static partial void LogAway(ILogger logger, string name, string reason);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
