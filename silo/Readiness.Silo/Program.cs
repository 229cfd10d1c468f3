using Readiness.Silo.Api;
using Readiness.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddReadinessSilo();

var app = builder.Build();
app.MapReadinessApi();
app.Run();

/// <summary>The silo's entry point; public so that tests can host it.</summary>
public partial class Program;
