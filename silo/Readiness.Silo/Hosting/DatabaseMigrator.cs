using JasperFx;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;
using Readiness.Grains.Storage;
using Readiness.Silo.Security;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Applies the schema before Orleans starts (its ADO.NET providers need their tables): our Orleans
/// scripts, then Marten's objects, then the application role's grants. It runs as the owner role,
/// so the role the silo serves with never needs the right to change the schema. Idempotent, and
/// serialised across silos by an advisory lock.
/// </summary>
public sealed partial class DatabaseMigrator(
    IConfiguration configuration,
    StartupState startup,
    ILogger<DatabaseMigrator> logger) : IHostedService
{
    // Any fixed number; every silo of a cluster takes the same lock.
    private const long MigrationLockKey = 0x5265616479_01;
    private static readonly TimeSpan ConnectPatience = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var ownerConnectionString = configuration.GetConnectionString("ReadinessOwner");
        if (string.IsNullOrWhiteSpace(ownerConnectionString))
        {
            LogSkipped();
            startup.SchemaApplied = true;
            return;
        }
        var appRole = new NpgsqlConnectionStringBuilder(configuration.GetRequiredConnectionString("Readiness")).Username
            ?? throw new InvalidOperationException("ConnectionStrings:Readiness names no Username; the migrator grants that role its rights.");

        var started = DateTimeOffset.UtcNow;
        await using var connection = await OpenWithPatience(ownerConnectionString, cancellationToken);
        await Execute(connection, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
        try
        {
            foreach (var (name, sql) in OrleansScripts())
            {
                LogApplying(name);
                await Execute(connection, sql, cancellationToken);
            }

            await using (var ownerStore = DocumentStore.For(options =>
            {
                ReadinessStore.Configure(options, ownerConnectionString, TimeProvider.System);
                TokenRevocations.Register(options);
                options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
                // This store only applies the schema; the silo's own store runs the projections.
                options.Projections.AsyncMode = DaemonMode.ExternallyManaged;
            }))
            {
                await ownerStore.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            }
            await EventStore.ApplyAuditIndexesAsync(connection, cancellationToken);
            await EventStore.ApplyLogSchemaAsync(connection, cancellationToken);
            await EventStore.GrantAppRoleAsync(connection, appRole, cancellationToken);
        }
        finally
        {
            await Execute(connection, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
        startup.SchemaApplied = true;
        LogApplied((DateTimeOffset.UtcNow - started).TotalMilliseconds);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static IEnumerable<(string Name, string Sql)> OrleansScripts()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("sql/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (name, reader.ReadToEnd());
        }
    }

    private async Task<NpgsqlConnection> OpenWithPatience(string connectionString, CancellationToken cancellationToken)
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
                LogWaiting(ex.Message);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "No ConnectionStrings:ReadinessOwner configured; assuming the schema was applied by the operator")]
    private partial void LogSkipped();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Script}")]
    private partial void LogApplying(string script);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema applied in {Milliseconds:F0} ms")]
    private partial void LogApplied(double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for PostgreSQL: {Reason}")]
    private partial void LogWaiting(string reason);
}
