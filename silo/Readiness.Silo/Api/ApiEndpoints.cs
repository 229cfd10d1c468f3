using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Readiness.Contracts;
using Readiness.Silo.Admin;
using Readiness.Silo.Audit;
using Readiness.Silo.Hosting;
using Readiness.Silo.Live;
using Readiness.Silo.Region;
using Readiness.Silo.Security;
using Readiness.Silo.Upward;

namespace Readiness.Silo.Api;

public static class ApiEndpoints
{
    public static WebApplication MapReadinessApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        if (!app.Environment.IsDevelopment())
        {
            // Browsers that once reached the silo over HTTPS never fall back to plain HTTP, where a token could be read.
            app.UseHsts();
        }
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseReadinessSecurity();
        app.UseMomentBounds();

        // What orchestrators and integrators need before they hold a token.
        app.MapOpenApi().AllowAnonymous();
        // Metrics name every province's units by level: they need a token that covers the whole store.
        app.MapPrometheusScrapingEndpoint().RequireAuthorization(Policies.View).Reads(ResourceScope.Everything);
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealth,
        }).AllowAnonymous();
        app.MapCommandRoutes();
        app.MapAdminRoutes();
        if (app.Services.GetRequiredService<IOptions<ReadinessOptions>>().Value.Orleans.Dashboard)
        {
            app.MapAdminOrleansDashboard();
        }
        app.MapViewRoutes();
        app.MapTrendRoutes();
        app.MapLiveRoutes();
        app.MapReportRoutes();
        app.MapAuditRoutes();
        app.MapArchiveRoutes();
        app.MapTokenRoutes();
        app.MapPublicKeyRoutes();
        app.MapRegionRoutes();
        app.MapRegionReportRoutes();
        app.MapRegionAdminRoutes();
        app.MapRegionTrendRoutes();
        app.MapTreeRoutes();
        app.MapUpwardRoutes();
        return app;
    }

    /// <summary>
    /// Orchestrators need only each check's status, and ask without a token. Why a check failed names
    /// databases, provinces, the silo's address and PostgreSQL's own error text: an administrator over
    /// the whole store sees that, nobody else.
    /// </summary>
    private static Task WriteHealth(HttpContext context, HealthReport report)
    {
        var details = context.User.IsInRole(Access.Admin) && Access.CoversEverything(context.User.Scopes());
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = details ? e.Value.Description : null }),
        }));
    }
}
