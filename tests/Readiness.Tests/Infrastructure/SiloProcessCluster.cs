using System.Net.Http.Headers;
using Readiness.Contracts;
using Readiness.Silo.Security;

namespace Readiness.Tests.Infrastructure;

/// <summary>
/// Silo processes of one Orleans cluster on a database of their own. The first applies the schema
/// alone; the others then only join, so they start together. Disposing kills every process and drops
/// the database, whatever the test left behind.
/// </summary>
public sealed class SiloProcessCluster : IAsyncDisposable
{
    private SiloProcessCluster(TestDatabase database, string clusterId, IReadOnlyList<SiloProcess> silos)
    {
        Database = database;
        ClusterId = clusterId;
        Silos = silos;
    }

    public TestDatabase Database { get; }
    public string ClusterId { get; }
    public IReadOnlyList<SiloProcess> Silos { get; }

    public static async Task<SiloProcessCluster> StartAsync(string purpose, int count)
    {
        var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync(purpose);
        var clusterId = $"{purpose}-{Guid.NewGuid():N}"[..20];
        var cluster = new SiloProcessCluster(database, clusterId, [.. Enumerable.Range(1, count).Select(n => new SiloProcess(n, database, clusterId))]);
        try
        {
            cluster.Silos[0].Start();
            await cluster.Silos[0].WaitUntilReadyAsync(TimeSpan.FromSeconds(120));
            foreach (var joining in cluster.Silos.Skip(1))
            {
                joining.Start();
            }
            await Task.WhenAll(cluster.Silos.Skip(1).Select(s => s.WaitUntilReadyAsync(TimeSpan.FromSeconds(120))));
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client whose token, signed with the test silos' key, may do anything anywhere.</summary>
    public static HttpClient AdminClient(string subject, TimeSpan timeout)
    {
        var token = new TokenIssuer(TokenIssuer.KeyFrom(SiloHost.SigningKey), new AuthOptions(), TimeProvider.System)
            .Mint(new TokenRequest(subject, [Access.Everywhere], Access.Roles)).Token;
        var http = new HttpClient { Timeout = timeout };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in Silos)
        {
            silo.Kill();
        }
        await Database.DisposeAsync();
    }
}
