namespace Readiness.Silo.Hosting;

/// <summary>What start-up has finished; the readiness probe reads it from other threads.</summary>
public sealed class StartupState
{
    private volatile bool schemaApplied;
    private volatile bool demoLoaded;
    private volatile string? demoFailure;

    public bool SchemaApplied { get => schemaApplied; set => schemaApplied = value; }
    public bool DemoLoaded { get => demoLoaded; set => demoLoaded = value; }
    public string? DemoFailure { get => demoFailure; set => demoFailure = value; }
}
