using Readiness.Silo.Api;
using Readiness.Silo.Hosting;
using Readiness.Silo.Security;

if (args is ["migrate", .. var migrateArgs])
{
    return await DatabaseMigrator.RunAsync(migrateArgs);
}
if (args is ["token", .. var tokenArgs])
{
    return await OperatorToken.RunAsync(tokenArgs);
}

var builder = WebApplication.CreateBuilder(args);
try
{
    builder.AddReadinessSilo();
}
catch (ProductionProfile.IncompleteException incomplete)
{
    // A deployment mistake, said plainly: a stack trace would bury the list of what to fix.
    await Console.Error.WriteLineAsync(incomplete.Message);
    return 1;
}

var app = builder.Build();
app.MapReadinessApi();
await app.RunAsync();
return 0;

/// <summary>The silo's entry point; public so that tests can host it.</summary>
public partial class Program;
