using System.Text.Json.Serialization;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using JasperFx.OpenTelemetry;
using Marten;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Store.Outbox;
using Weasel.Core;

namespace Readiness.Store;

/// <summary>The one place that says how Readiness uses Marten: schema, event identity, projections.</summary>
public static class ReadinessStore
{
    public const string Schema = "readiness";

    /// <summary>The indexes on the event table beyond Marten's own, which infra/sql/store/010-event-indexes.sql creates.</summary>
    public static readonly IReadOnlyList<string> AuditIndexes = ["mt_events_occurred_at", "mt_events_timestamp", "mt_events_structure"];

    /// <param name="options">The store's options to fill in.</param>
    /// <param name="connectionString">The application role's connection.</param>
    /// <param name="clock">The projections' clock.</param>
    /// <param name="rosters">Where the daemon's committed roster parts go on this silo, when it keeps them in memory.</param>
    /// <param name="databases">The databases beside the main one, and their provinces (<see cref="ProvinceDatabases"/>).</param>
    public static void Configure(StoreOptions options, string connectionString, TimeProvider clock, RosterCache? rosters = null,
        IReadOnlyCollection<ProvinceDatabaseSetting>? databases = null)
    {
        if (databases is { Count: > 0 })
        {
            // Database per tenant: each database beside the main one is a tenant under its own name and
            // its provinces' ids; the main one is the default, so a session that names no tenant (the
            // cluster's own documents, the provinces it holds) goes there. Marten's daemon then runs per
            // database, each with its own leader across the cluster.
            options.MultiTenantedDatabases(tenancy =>
            {
                tenancy.AddMultipleTenantDatabase(connectionString, ProvinceDatabases.MainName).ForTenants(ProvinceDatabases.MainName).AsDefault();
                foreach (var database in databases)
                {
                    tenancy.AddMultipleTenantDatabase(database.Connection, database.Name).ForTenants([database.Name, .. database.Provinces]);
                }
            });
            // Marten turns the default tenant off with several databases; here it is the main one.
            options.Advanced.DefaultTenantUsageEnabled = true;
        }
        else
        {
            options.Connection(connectionString);
        }
        options.DatabaseSchemaName = Schema;
        // The application role may not change the schema; the migrator applies it as the owner.
        options.AutoCreateSchemaObjects = AutoCreate.None;
        ConfigureEvents(options);
        options.OpenTelemetry.TrackConnections = TrackLevel.Normal;
        options.OpenTelemetry.TrackEventCounters();

        options.Projections.Add(new ProvinceRosterProjection(clock), ProjectionLifecycle.Async);
        options.Projections.AsyncListeners.Add(new ProjectionBatchTracer());
        if (rosters is not null)
        {
            options.Projections.AsyncListeners.Add(rosters);
        }
        // The command centre should see a report within a second: poll for new events often.
        options.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
        options.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(200);
        // A refused or rolled-back append leaves a hole in the event sequence, and the daemon holds every
        // projection below it until it judges the hole dead: Marten's 3 s would stall the command centre
        // 3 s per refusal. Waiting a tenth of a second is safe because, before it passes a hole, the daemon asks
        // PostgreSQL whether a transaction that could still fill it is alive (UseTransactionEvidenceForGapSkipping,
        // on by default), and a slow append is waited out rather than skipped.
        options.Projections.StaleSequenceThreshold = TimeSpan.FromMilliseconds(100);
        options.Schema.For<ProvinceRoster>().Duplicate(r => r.ProvinceId);
        options.Schema.For<StreamSnapshot>();
        options.Schema.For<OutboxMessage>().Duplicate(m => m.Delivered).Duplicate(m => m.NextAttemptTicks);
        options.Schema.For<UpwardReportState>();
        options.Schema.For<PublishedSigningKey>();
        // Columns of their own, so choosing a checkpoint never reads the rosters it passes over.
        options.Schema.For<RosterCheckpoint>().Duplicate(c => c.ProvinceId).Duplicate(c => c.AsOfTicks).Duplicate(c => c.Sequence);
    }

    /// <summary>How events are serialised and stored, and nothing else: what the benchmark's plain-Marten baseline shares with the silo.</summary>
    public static void ConfigureEvents(StoreOptions options)
    {
        options.UseSystemTextJsonForSerialization(
            EnumStorage.AsString,
            Casing.CamelCase,
            json => json.Converters.Add(new JsonStringEnumConverter()));

        options.Events.StreamIdentity = StreamIdentity.AsString;
        options.Events.AppendMode = EventAppendMode.Quick;
        options.Events.MetadataConfig.HeadersEnabled = true;
        options.Events.MetadataConfig.CorrelationIdEnabled = true;
        options.Events.MetadataConfig.CausationIdEnabled = true;
        // Each event under its written-down name (EventCatalogue): Marten would otherwise derive it
        // from the class name, and renaming a class would cut it off from its history and its chain.
        foreach (var type in EventCatalogue.Stored)
        {
            options.Events.MapEventType(type, EventCatalogue.StoredNameOf(type));
        }
        // Views of the past select events by when they happened and when they were recorded; the
        // migrator adds these indexes, and Marten must leave them be.
        foreach (var index in AuditIndexes)
        {
            options.Events.IgnoreIndex(index);
        }
    }
}
