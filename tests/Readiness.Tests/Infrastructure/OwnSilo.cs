namespace Readiness.Tests.Infrastructure;

/// <summary>
/// A silo on a database of its own, without the demo, for a test class whose store must hold only
/// what it wrote: it watches the store for changes, breaks it on purpose, or runs whole-store jobs.
/// </summary>
public abstract class OwnSilo(string purpose, IReadOnlyDictionary<string, string>? settings = null) : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync(purpose);
        Host = new SiloHost(Database, loadDemo: false, settings: settings);
        (await Host.StartAndWaitUntilReadyAsync()).Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
