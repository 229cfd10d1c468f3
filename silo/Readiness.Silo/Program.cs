using Readiness.Silo.Api;
using Readiness.Silo.Hosting;

if (args is ["migrate", .. var rest])
{
    return await MigrateCommand.RunAsync(rest);
}

var builder = WebApplication.CreateBuilder(args);
builder.AddReadinessSilo();

var app = builder.Build();
app.MapReadinessApi();
await app.RunAsync();
return 0;

/// <summary>The silo's entry point; public so that tests can host it.</summary>
public partial class Program;
