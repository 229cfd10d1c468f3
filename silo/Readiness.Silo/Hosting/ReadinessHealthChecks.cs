using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Readiness.Store;

namespace Readiness.Silo.Hosting;

/// <summary>PostgreSQL answers a query as the application role.</summary>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL is unreachable: {ex.Message}");
        }
    }
}

/// <summary>
/// The databases beside the main one answer. One that does not leaves the silo ready, degraded: the
/// provinces of the others are served, and its own answer 503 until it is back.
/// </summary>
public sealed class ProvinceDatabasesHealthCheck(ProvinceDatabases databases) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var away = new List<string>();
        foreach (var database in databases.All.Where(d => !d.IsMain))
        {
            try
            {
                await using var command = database.DataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                away.Add($"{database.Name} ({string.Join(", ", database.Provinces!)}): {ex.Message}");
            }
        }
        return away.Count == 0
            ? HealthCheckResult.Healthy($"{databases.All.Count} database(s)")
            : HealthCheckResult.Degraded("Unreachable, their provinces answer 503: " + string.Join("; ", away));
    }
}

/// <summary>This silo is an active member of the cluster.</summary>
public sealed class OrleansHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var membership = services.GetService<IClusterMembershipService>();
        var local = services.GetService<ILocalSiloDetails>();
        if (membership is null || local is null)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Orleans is not running in this process."));
        }
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Silo {local.SiloAddress} is active.")
            : HealthCheckResult.Unhealthy($"Silo {local.SiloAddress} is {status}."));
    }
}

/// <summary>The schema is applied and the demo province (when enabled) is loaded.</summary>
public sealed class StartupHealthCheck(StartupState startup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            !startup.SchemaApplied ? HealthCheckResult.Unhealthy("The database schema is being applied.")
            : !startup.DemoLoaded ? HealthCheckResult.Unhealthy(startup.DemoFailure is { } failure
                ? $"Loading the demo province failed, retrying: {failure}"
                : "The demo province is loading.")
            : HealthCheckResult.Healthy());
}
