using System.Security.Cryptography;
using Npgsql;
using Readiness.Grains.Actors;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Reads the cluster's call key before Orleans starts (writing a fresh one if this is the service's
/// first silo), so that the silo neither sends an unsealed call nor turns a sealed one away.
/// </summary>
public sealed class ClusterCallKeyLoader(NpgsqlDataSource database, ClusterCallKey key, IConfiguration configuration) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var serviceId = configuration.GetSection(ReadinessOptions.Section).Get<ReadinessOptions>()?.Orleans.ServiceId ?? new OrleansEndpointOptions().ServiceId;
        await using (var insert = database.CreateCommand("INSERT INTO readiness_call_keys (serviceid, callkey) VALUES ($1, $2) ON CONFLICT (serviceid) DO NOTHING"))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = serviceId });
            insert.Parameters.Add(new NpgsqlParameter { Value = RandomNumberGenerator.GetBytes(ClusterCallKey.Bytes) });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        // A statement of its own: it sees the row of a silo that won the race to insert it.
        await using var select = database.CreateCommand("SELECT callkey FROM readiness_call_keys WHERE serviceid = $1");
        select.Parameters.Add(new NpgsqlParameter { Value = serviceId });
        key.Set(await select.ExecuteScalarAsync(cancellationToken) as byte[]
            ?? throw new InvalidOperationException($"No call key for service '{serviceId}' in readiness_call_keys; apply infra/sql/cluster/050-readiness-call-key.sql."));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
