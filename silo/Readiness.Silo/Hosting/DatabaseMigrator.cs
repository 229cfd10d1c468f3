using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Readiness.Store;
using Readiness.Silo.Security;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Applies the schema as the owner role, in a step of its own before any silo starts (<c>migrate</c>,
/// which run.sh and infra/cluster.sh run first): the scripts of infra/sql/cluster (Orleans' tables and
/// the call keys, in the main database alone), then Marten's objects as its configuration
/// (<see cref="ReadinessStore"/>) describes them, then the scripts of infra/sql/store (our indexes, the
/// Merkle log, the append function and, last, the application role's grants). Every table and function
/// is defined in one of those places alone; the code that uses them only names them. The silo itself
/// serves with the application role alone and never holds the owner's credentials, so a compromised
/// silo cannot alter the schema or the grants that keep events append-only. Idempotent, and serialised
/// across concurrent runs by an advisory lock.
/// </summary>
public sealed partial class DatabaseMigrator(ILogger<DatabaseMigrator> logger)
{
    private static readonly TimeSpan ConnectPatience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// <c>Readiness.Silo migrate</c>: reads ConnectionStrings:ReadinessOwner (the owner, who applies the
    /// schema) and ConnectionStrings:Readiness (whose role is granted its rights) from the usual
    /// configuration sources, applies the schema, and returns the process's exit code.
    /// </summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddSecretFiles();
        using var host = builder.Build();
        var logger = host.Services.GetRequiredService<ILogger<DatabaseMigrator>>();
        var owner = builder.Configuration.GetConnectionString("ReadinessOwner");
        var app = builder.Configuration.GetConnectionString("Readiness");
        if (string.IsNullOrWhiteSpace(owner) || string.IsNullOrWhiteSpace(app))
        {
            await Console.Error.WriteLineAsync(
                "migrate needs ConnectionStrings__ReadinessOwner (the schema owner) and ConnectionStrings__Readiness (the role to grant); infra/postgres.sh start prints both.");
            return 2;
        }
        var appRole = new NpgsqlConnectionStringBuilder(app).Username;
        if (string.IsNullOrWhiteSpace(appRole))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings__Readiness names no Username; migrate grants that role its rights.");
            return 2;
        }
        var others = builder.Configuration.GetSection($"{ReadinessOptions.Section}:Databases").Get<List<ProvinceDatabaseSetting>>() ?? [];
        if (others.FirstOrDefault(d => string.IsNullOrWhiteSpace(d.OwnerConnection)) is { } unowned)
        {
            await Console.Error.WriteLineAsync(
                $"migrate needs the owner's connection of every database: Readiness:Databases names '{unowned.Name}' without OwnerConnection.");
            return 2;
        }
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            var migrator = new DatabaseMigrator(logger);
            await migrator.ApplyAsync(owner, appRole, stop.Token);
            foreach (var database in others)
            {
                // The cluster's own tables (Orleans, tokens) live in the main database alone.
                await migrator.ApplyAsync(database.OwnerConnection!, new NpgsqlConnectionStringBuilder(database.Connection).Username ?? appRole, stop.Token, cluster: false);
                LogAppliedTo(logger, database.Name);
            }
            return 0;
        }
        catch (Exception ex) when (ex is InvalidOperationException or NpgsqlException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"migrate failed: {ex.Message}");
            return 1;
        }
    }

    /// <param name="ownerConnectionString">The schema owner's connection to the database.</param>
    /// <param name="appRole">The role the silos serve with, granted its rights.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <param name="cluster">Whether the database holds the cluster's own tables (Orleans'): the main one does.</param>
    public async Task ApplyAsync(string ownerConnectionString, string appRole, CancellationToken cancellationToken, bool cluster = true)
    {
        var started = DateTimeOffset.UtcNow;
        await using var connection = await OpenWithPatience(ownerConnectionString, logger, cancellationToken);
        await using (await AdvisoryLock.AcquireAsync(connection, AdvisoryLockKey.Migration, cancellationToken))
        {
            if (cluster)
            {
                await ApplyScriptsAsync(connection, "cluster", cancellationToken);
            }

            await using (var ownerStore = DocumentStore.For(options =>
            {
                ReadinessStore.Configure(options, ownerConnectionString, TimeProvider.System);
                TokenRevocations.Register(options);
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                // This store only applies the schema; the silos' own stores run the projections.
                options.Projections.AsyncMode = DaemonMode.ExternallyManaged;
            }))
            {
                await ownerStore.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            }
            if (await EventStore.DropUnsplitRostersAsync(connection, cancellationToken))
            {
                LogRostersSplit();
            }
            // The grants script reads the role from the session, so that the script stays plain SQL.
            await using (var role = new NpgsqlCommand("SELECT set_config('readiness.app_role', $1, false)", connection))
            {
                role.Parameters.Add(new NpgsqlParameter { Value = appRole });
                await role.ExecuteNonQueryAsync(cancellationToken);
            }
            await ApplyScriptsAsync(connection, "store", cancellationToken);
        }
        LogApplied((DateTimeOffset.UtcNow - started).TotalMilliseconds);
    }

    /// <summary>Applies the scripts of one folder of infra/sql, in the order of their names.</summary>
    private async Task ApplyScriptsAsync(NpgsqlConnection connection, string folder, CancellationToken cancellationToken)
    {
        var prefix = $"sql/{folder}/";
        foreach (var name in typeof(DatabaseMigrator).Assembly.GetManifestResourceNames()
                     .Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            LogApplying(name);
            await Execute(connection, Script(name[4..]), cancellationToken);
        }
    }

    /// <summary>The text of a script of infra/sql, as the silo carries it (<c>store/010-event-indexes.sql</c>).</summary>
    public static string Script(string path)
    {
        using var stream = typeof(DatabaseMigrator).Assembly.GetManifestResourceStream("sql/" + path)
            ?? throw new ArgumentException($"No script infra/sql/{path} in the silo.", nameof(path));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Opens a connection, waiting up to a minute for a PostgreSQL that is still starting.</summary>
    public static async Task<NpgsqlConnection> OpenWithPatience(string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + ConnectPatience;
        while (true)
        {
            var connection = new NpgsqlConnection(connectionString);
            try
            {
                await connection.OpenAsync(cancellationToken);
                return connection;
            }
            catch (NpgsqlException ex) when (DateTimeOffset.UtcNow < deadline && ex.IsTransient)
            {
                await connection.DisposeAsync();
                LogWaiting(logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (NpgsqlException ex)
            {
                await connection.DisposeAsync();
                var where = new NpgsqlConnectionStringBuilder(connectionString);
                throw new InvalidOperationException(
                    $"Cannot reach PostgreSQL at {where.Host}:{where.Port} as {where.Username}: {ex.Message}. Start the local cluster with 'infra/postgres.sh start'.", ex);
            }
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rosters stored under another layout of parts were dropped: the projection folds them again from the first event")]
    private partial void LogRostersSplit();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Script}")]
    private partial void LogApplying(string script);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema applied in {Milliseconds:F0} ms")]
    private partial void LogApplied(double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema applied to database {Name}")]
    private static partial void LogAppliedTo(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for PostgreSQL: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string reason);
}
