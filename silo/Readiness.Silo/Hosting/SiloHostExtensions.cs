using System.Data.Common;
using System.Net;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Http.Json;
using Npgsql;
using Orleans.Dashboard;
using Orleans.Serialization;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Store;
using Readiness.Silo.Admin;
using Readiness.Silo.Audit;
using Readiness.Silo.Live;
using Readiness.Silo.Region;
using Readiness.Silo.Security;
using Readiness.Silo.Upward;

namespace Readiness.Silo.Hosting;

public static class SiloHostExtensions
{
    private const string AdoInvariant = "Npgsql";

    /// <summary>Everything the silo runs: schema, Marten, Orleans, the demo, health and the HTTP API.</summary>
    public static WebApplicationBuilder AddReadinessSilo(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        configuration.AddSecretFiles();
        ProductionProfile.EnsureComplete(configuration, builder.Environment);
        services.AddOptions<ReadinessOptions>().Bind(configuration.GetSection(ReadinessOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(ReadinessOptions.Section).Get<ReadinessOptions>() ?? new ReadinessOptions();
        var connectionString = configuration.GetRequiredConnectionString("Readiness");

        builder.AddReadinessBasics(connectionString, options);

        // Hosted services start in the order they are registered, so the calls below keep that order:
        // the schema must exist before Orleans reads its tables.
        services.AddHostedService<SchemaCheck>();
        services.AddSingleton<Readiness.Grains.Actors.ClusterCallKey>();
        services.AddHostedService<ClusterCallKeyLoader>();

        services.AddReadinessStore(connectionString, options);
        builder.AddReadinessOrleans(connectionString, options);

        services.AddHostedService<DemoLoader>();
        services.AddProjectionRebuilds();

        builder.AddReadinessTelemetry();
        builder.AddReadinessSecurity();
        services.AddSingleton<EventStore>();
        services.AddSingleton<ProjectionLagReader>();
        builder.AddUpwardReports();
        builder.AddRegion();

        builder.AddReadinessAudit(options);
        builder.AddLiveViews();
        services.AddReadinessHealthChecks();
        services.AddReadinessHttp();

        return builder;
    }

    /// <summary>The policy, the watches' settings, the clocks and the connection every other part shares.</summary>
    private static void AddReadinessBasics(this WebApplicationBuilder builder, string connectionString, ReadinessOptions options)
    {
        var (services, configuration) = (builder.Services, builder.Configuration);
        services.AddSingleton(options.Policy.ToPolicy());
        services.AddOptions<Readiness.Grains.Actors.DutyWatchOptions>().Bind(configuration.GetSection($"{ReadinessOptions.Section}:Duty"));
        services.AddOptions<Readiness.Grains.Actors.ReportWatchOptions>().Bind(configuration.GetSection($"{ReadinessOptions.Section}:Reporting"));
        services.AddOptions<Readiness.Grains.Actors.CallSealOptions>().Bind(configuration.GetSection($"{ReadinessOptions.Section}:Orleans:CallSeal"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(ReadinessClock.System);
        services.AddSingleton<StartupState>();
        services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
    }

    /// <summary>Marten, its async daemon, and the province databases the grains and views read.</summary>
    private static void AddReadinessStore(this IServiceCollection services, string connectionString, ReadinessOptions options)
    {
        services.AddMarten(provider =>
            {
                var storeOptions = new StoreOptions();
                ReadinessStore.Configure(storeOptions, connectionString, provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<RosterCache>(), options.Databases);
                TokenRevocations.Register(storeOptions);
                return storeOptions;
            })
            .AddAsyncDaemon(DaemonMode.HotCold);
        services.AddSingleton<GroupCommit>();
        services.AddSingleton(provider => new ProvinceDatabases(
            provider.GetRequiredService<IDocumentStore>(), provider.GetRequiredService<NpgsqlDataSource>(), provider.GetRequiredService<GroupCommit>(),
            options.Databases, provider.GetRequiredService<Readiness.Store.ReadinessTelemetry>()));
        services.AddSingleton<RosterCache>();
        services.AddSingleton<Readiness.Grains.Structure.ChainOfCommandCache>();
        services.AddSingleton<LiveRosters>();
    }

    /// <summary>The silo: clustering, grain storage and reminders in PostgreSQL, call filters, endpoints behind mutual TLS in a cluster.</summary>
    private static void AddReadinessOrleans(this WebApplicationBuilder builder, string connectionString, ReadinessOptions options)
    {
        DbProviderFactories.RegisterFactory(AdoInvariant, NpgsqlFactory.Instance);
        builder.UseOrleans(silo =>
        {
            silo.Services.AddSerializer(serializer => serializer.AddReadinessContracts());
            var endpoints = options.Orleans;
            if (endpoints.Dashboard)
            {
                // The cluster's own view (activations, calls, silos, reminders) for administrators, under /admin/orleans (Admin/OrleansDashboard.cs).
                silo.AddDashboard();
            }
            silo.Configure<Orleans.Configuration.ClusterOptions>(cluster =>
            {
                cluster.ClusterId = endpoints.ClusterId;
                cluster.ServiceId = endpoints.ServiceId;
            });
            // A dead silo is declared dead in seconds rather than Orleans' default quarter-minute, and no call
            // waits longer than ResponseTimeout: callers get a clear "resend" instead of a hang.
            silo.Configure<Orleans.Configuration.ClusterMembershipOptions>(membership =>
            {
                membership.ProbeTimeout = endpoints.ProbeTimeout;
                membership.NumMissedProbesLimit = endpoints.MissedProbesLimit;
            });
            silo.Configure<Orleans.Configuration.SiloMessagingOptions>(messaging => messaging.ResponseTimeout = endpoints.ResponseTimeout);
            var advertised = Advertised(endpoints.AdvertisedAddress);
            // On one machine everything stays on loopback; in a cluster the silo listens where it is reached,
            // and only behind mutual TLS.
            OrleansTls.Apply(silo, endpoints.Tls, endpoints.AdvertisedAddress, advertised);
            silo.ConfigureEndpoints(advertised, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            silo.UseAdoNetClustering(ado =>
            {
                ado.Invariant = AdoInvariant;
                ado.ConnectionString = connectionString;
            });
            silo.AddAdoNetGrainStorageAsDefault(storage => storage
                .Configure(ado =>
                {
                    ado.Invariant = AdoInvariant;
                    ado.ConnectionString = connectionString;
                })
                .PostConfigure<IServiceProvider>(MovedStateTypes.Wrap));
            if (TelemetryExtensions.TracesExported(builder.Configuration))
            {
                // A grain call's span hangs from its caller's; without tracing it is two filters per call for nothing.
                silo.AddActivityPropagation();
            }
            // Filters run in the order added: a call must be the cluster's own before its scopes mean anything.
            silo.AddOutgoingGrainCallFilter<Readiness.Grains.Actors.SealOutgoingCalls>();
            silo.AddIncomingGrainCallFilter<Readiness.Grains.Actors.InternalCallsOnly>();
            silo.AddIncomingGrainCallFilter<Readiness.Grains.Actors.ScopedCommandFilter>();
            // Orleans refuses a reminder shorter than its floor (a minute); a shorter watch that was asked for
            // lowers the floor rather than failing every post that is established.
            // Orleans refuses reminders under a minute unless told otherwise; a test's watch ticks in seconds.
            silo.Configure<Orleans.Hosting.ReminderOptions>(reminders =>
                reminders.MinimumReminderPeriod = new[] { reminders.MinimumReminderPeriod, options.Duty.HandoverWatchPeriod, options.Reporting.WatchPeriod }.Min());
            silo.UseAdoNetReminderService(ado =>
            {
                ado.Invariant = AdoInvariant;
                ado.ConnectionString = connectionString;
            });
        });
    }

    /// <summary>Each database's audit (history, chain verifier, archive, Merkle log) and the writers that extend the logs.</summary>
    private static void AddReadinessAudit(this WebApplicationBuilder builder, ReadinessOptions options)
    {
        var (services, configuration) = (builder.Services, builder.Configuration);
        services.AddOptions<LogOptions>().Bind(configuration.GetSection(LogOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        // The head key is read while the silo is configured, so that a missing or unusable one stops it before it serves.
        var heads = TreeHeadSigner.Load(configuration, builder.Environment);
        services.AddSingleton(heads);
        services.AddSingleton<IPublishesKeys>(heads);
        services.AddSingleton(heads.Ring);
        services.AddSingleton<AuditAlarms>();
        // Each database's audit; the main one's also by type, for what concerns the cluster's own store (the outbox's proofs).
        services.AddSingleton<AuditDatabases>();
        services.AddSingleton(provider => provider.GetRequiredService<AuditDatabases>().Main.History);
        services.AddSingleton(provider => provider.GetRequiredService<AuditDatabases>().Main.Verifier);
        services.AddSingleton(provider => provider.GetRequiredService<AuditDatabases>().Main.Archive);
        services.AddSingleton(provider => provider.GetRequiredService<AuditDatabases>().Main.Writer);
        services.AddSingleton(provider => provider.GetRequiredService<AuditDatabases>().Main.Log);
        services.AddHostedService(provider => provider.GetRequiredService<MerkleLogWriter>());
        for (var i = 0; i < options.Databases.Count; i++)
        {
            var name = options.Databases[i].Name;
            services.AddSingleton<IHostedService>(provider => provider.GetRequiredService<AuditDatabases>().All.First(a => a.Database.Name == name).Writer);
        }
    }

    /// <summary>The past views, the roster checkpoints, the readiness monitor and the live feed.</summary>
    private static void AddLiveViews(this WebApplicationBuilder builder)
    {
        var (services, configuration) = (builder.Services, builder.Configuration);
        services.AddSingleton<PastViews>();
        services.AddSingleton<RosterCheckpointer>();
        services.AddHostedService(provider => provider.GetRequiredService<RosterCheckpointer>());
        services.AddSingleton<ReadinessMonitor>();
        services.AddHostedService(provider => provider.GetRequiredService<ReadinessMonitor>());
        services.AddOptions<LiveFeedOptions>().Bind(configuration.GetSection(LiveFeedOptions.Section));
        services.AddSingleton<ProvinceLiveFeed>();
        services.AddHostedService(provider => provider.GetRequiredService<ProvinceLiveFeed>());
    }

    private static void AddReadinessHealthChecks(this IServiceCollection services) =>
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", tags: ["ready"])
            .AddCheck<ProvinceDatabasesHealthCheck>("province-databases", tags: ["ready"])
            .AddCheck<OrleansHealthCheck>("orleans", tags: ["ready"])
            .AddCheck<StartupHealthCheck>("startup", tags: ["ready"])
            .AddCheck<ProjectionHealthCheck>("projections", tags: ["ready"])
            .AddCheck<AuditAlarmHealthCheck>("audit-alarms", tags: ["ready"]);

    /// <summary>How the HTTP API reads and answers: one JSON form, problem documents, the OpenAPI document.</summary>
    private static void AddReadinessHttp(this IServiceCollection services)
    {
        // A number is a number: "5" is refused, and the OpenAPI document says "integer", not "integer or string".
        services.Configure<JsonOptions>(json => ContractJson.Apply(json.SerializerOptions));
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddExceptionHandler<UnavailableExceptionHandler>();
        services.Configure<RouteHandlerOptions>(route => route.ThrowOnBadRequest = true);
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Readiness API";
            document.Info.Description = "Readiness tracking for provincial military commands: commands that report what happened, and the readiness views built from them.";
            return Task.CompletedTask;
        }).AddBearerSecurity());
    }

    /// <summary>An IP address as given, or a host name (a container's, say) resolved to its IPv4 address.</summary>
    private static IPAddress Advertised(string address) =>
        IPAddress.TryParse(address, out var ip) ? ip
        : Dns.GetHostAddresses(address).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
          ?? throw new InvalidOperationException($"Readiness:Orleans:AdvertisedAddress '{address}' resolves to no IPv4 address.");

    internal static string GetRequiredConnectionString(this IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"ConnectionStrings:{name} is not configured (environment: ConnectionStrings__{name}).");
}
