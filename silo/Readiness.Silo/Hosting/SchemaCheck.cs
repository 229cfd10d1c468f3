using Readiness.Grains.Storage;

namespace Readiness.Silo.Hosting;

/// <summary>
/// The first thing a silo does: it makes sure the schema was applied by the migrate step, and that the
/// role it serves with cannot rewrite history. A silo given the owner's credentials, or a role that
/// may update or delete events, refuses to start rather than run with more power than it needs.
/// </summary>
public sealed class SchemaCheck(IConfiguration configuration, StartupState startup, ILogger<SchemaCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("ReadinessOwner")))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:ReadinessOwner is set for the silo. The owner's credentials belong to the migrate step alone (Readiness.Silo migrate); remove them from the silo's configuration.");
        }
        await using var connection = await DatabaseMigrator.OpenWithPatience(configuration.GetRequiredConnectionString("Readiness"), logger, cancellationToken);
        var state = await EventStore.InspectRoleAsync(connection, cancellationToken);
        if (!state.SchemaApplied)
        {
            throw new InvalidOperationException(
                $"The database '{connection.Database}' has no Readiness schema. Apply it first, as the owner: Readiness.Silo migrate with ConnectionStrings__ReadinessOwner set (run.sh and infra/cluster.sh do this before they start a silo).");
        }
        if (!state.SchemaCurrent)
        {
            throw new InvalidOperationException(
                $"The database '{connection.Database}' has the schema of an older version of Readiness (the append function or the Merkle log's tables are missing). Apply this version's schema first, as the owner: Readiness.Silo migrate with ConnectionStrings__ReadinessOwner set (run.sh and infra/cluster.sh do this before they start a silo).");
        }
        if (state.CanRewriteEvents)
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:Readiness connects as '{state.Role}', which may update or delete events. The silo serves with the application role only (readiness_app, granted by migrate), so that no silo can rewrite the record.");
        }
        startup.SchemaApplied = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
