namespace Readiness.Tests.Infrastructure;

/// <summary>
/// A silo on a database of its own, without the demo, for a test class whose store must hold only
/// what it wrote: it watches the store for changes, breaks it on purpose, or runs whole-store jobs.
/// </summary>
public abstract class OwnSilo(string purpose, IReadOnlyDictionary<string, string>? settings = null) : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;

    /// <summary>A client whose token may do anything, anywhere.</summary>
    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync(purpose);
        Host = new SiloHost(Database, loadDemo: false, settings: settings);
        Http = await Host.StartAndWaitUntilReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
