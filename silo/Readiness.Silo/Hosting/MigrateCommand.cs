namespace Readiness.Silo.Hosting;

/// <summary>
/// <c>Readiness.Silo migrate</c>: applies the schema as the owner role and exits, so that the silos
/// started after it are given the application role alone. A silo that holds the owner's credentials
/// could rewrite events and every hash after them; one started without them cannot.
/// </summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString("ReadinessOwner")))
        {
            await Console.Error.WriteLineAsync("migrate needs ConnectionStrings:ReadinessOwner (environment: ConnectionStrings__ReadinessOwner), the owner role's connection string.");
            return 2;
        }
        using var loggers = LoggerFactory.Create(logging => logging.AddConsole());
        var migrator = new DatabaseMigrator(builder.Configuration, new StartupState(), loggers.CreateLogger<DatabaseMigrator>());
        try
        {
            await migrator.StartAsync(CancellationToken.None);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }
        return 0;
    }
}
