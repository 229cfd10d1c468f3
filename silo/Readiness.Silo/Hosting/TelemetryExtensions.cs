using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Readiness.Store;
using Readiness.Silo.Live;

namespace Readiness.Silo.Hosting;

public static class TelemetryExtensions
{
    private static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];

    /// <summary>
    /// Where traces go: over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, or to an exporter added
    /// in code when <c>Readiness:Telemetry:Tracing</c> is true (false turns them off beside an endpoint).
    /// </summary>
    public const string TracingSetting = "Readiness:Telemetry:Tracing";

    /// <summary>
    /// Whether spans go anywhere. Only then does the silo listen to its sources and pass the trace
    /// along grain calls: a listener makes every grain call, Npgsql command (with its whole command
    /// text) and decision build a span, and with nowhere to send it that was a good part of what a
    /// command cost (docs/performance/2026-12-08-calls.md).
    /// </summary>
    public static bool TracesExported(IConfiguration configuration) =>
        configuration.GetValue<bool?>(TracingSetting) ?? !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    /// <summary>
    /// Traces, metrics and logs through OpenTelemetry: our own spans and meter, ASP.NET Core, Orleans,
    /// Marten and Npgsql, and the .NET runtime. Metrics are scraped at /metrics; everything goes over
    /// OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard OTEL_* variables apply), and
    /// spans are made only when they go somewhere (<see cref="TracesExported"/>).
    /// </summary>
    public static WebApplicationBuilder AddReadinessTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReadinessTelemetry>();
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("readiness-silo", serviceInstanceId: Environment.MachineName));
        if (TracesExported(builder.Configuration))
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(ReadinessTelemetry.Name, "Marten")
                .AddSource(OrleansSources)
                .AddNpgsql()
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsNoise(context.Request.Path))
                .AddHttpClientInstrumentation());
        }
        telemetry.WithMetrics(metrics => metrics
            .AddMeter(ReadinessTelemetry.Name, "Microsoft.Orleans", "Marten", "Npgsql")
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    // Probes, scrapes and static files would drown the traces that matter.
    private static bool IsNoise(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || !path.StartsWithSegments("/api");
}

/// <summary>Ready stays healthy through a short projection lag and reports degraded past the configured bound.</summary>
public sealed class ProjectionHealthCheck(ReadinessMonitor monitor, IConfiguration configuration) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var bound = configuration.GetValue("Readiness:Health:MaxProjectionLagSeconds", 30.0);
        var behind = monitor.Lags.Where(l => l.LagSeconds > bound).ToList();
        return Task.FromResult(behind.Count == 0
            ? HealthCheckResult.Healthy(string.Join("; ", monitor.Lags.Select(l => $"{Named(l)}: {l.LagEvents} events, {l.LagSeconds:F1} s behind")))
            : HealthCheckResult.Degraded(string.Join("; ", behind.Select(l => $"{Named(l)} is {l.LagSeconds:F0} s ({l.LagEvents} events) behind, past the {bound} s bound"))));
    }

    private static string Named(ProjectionLag lag) => lag.Database == Readiness.Store.ProvinceDatabases.MainName ? lag.Projection : $"{lag.Projection} in {lag.Database}";
}
