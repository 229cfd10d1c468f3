using JasperFx;
using Marten;
using Npgsql;
using Readiness.Store;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// How an event class is renamed or reshaped without losing the events stored under its old name,
/// on a real store configured as the silo's (<see cref="ReadinessStore.ConfigureEvents"/>). The rows
/// are written by hand, as an earlier version left them, naming a class that no longer exists.
/// </summary>
public sealed class EventRenameTests : IAsyncLifetime
{
    private const string Schema = "rename";
    private const string Stream = "post:bac-kan/ba-be/chot-1";
    private static readonly DateTimeOffset At = new(2024, 5, 1, 8, 0, 0, TimeSpan.FromHours(7));

    private TestDatabase database = null!;

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        database = await cluster.CreateDatabaseAsync("rename");
    }

    public async ValueTask DisposeAsync() => await database.DisposeAsync();

    // What the class once called WatchPostOpened is called now: the map keeps its stored name.
    public sealed record LookoutPostOpened(string PostId, string Name, DateTimeOffset OccurredAt);

    // The new shape of a reshaped event, and the old one kept only to read what was stored in it.
    public sealed record LookoutStaffingReported(string PostId, int StaffPresent, string Reason, DateTimeOffset OccurredAt);
    public sealed record LookoutStaffedV1(string PostId, int Staff, DateTimeOffset OccurredAt);

    private DocumentStore Store() => DocumentStore.For(options =>
    {
        options.Connection(database.OwnerConnectionString);
        options.DatabaseSchemaName = Schema;
        options.AutoCreateSchemaObjects = AutoCreate.All;
        ReadinessStore.ConfigureEvents(options);
        options.Events.MapEventType<LookoutPostOpened>("watch_post_opened");
        options.Events.MapEventType<LookoutStaffingReported>("lookout_staffing_reported");
        options.Events.Upcast<LookoutStaffedV1, LookoutStaffingReported>(
            "lookout_staffed", old => new LookoutStaffingReported(old.PostId, old.Staff, "reported before the reason was asked", old.OccurredAt));
    });

    private async Task InsertOldRowAsync(long version, string type, string dotnetType, string data)
    {
        await using var connection = new NpgsqlConnection(database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO {Schema}.mt_streams (id, version) VALUES (@stream, @version)
                ON CONFLICT (id) DO UPDATE SET version = excluded.version;
            INSERT INTO {Schema}.mt_events (seq_id, id, stream_id, version, data, type, mt_dotnet_type)
                VALUES (nextval('{Schema}.mt_events_sequence'), gen_random_uuid(), @stream, @version, @data::jsonb, @type, @dotnetType)
            """, connection);
        insert.Parameters.AddWithValue("stream", Stream);
        insert.Parameters.AddWithValue("version", version);
        insert.Parameters.AddWithValue("data", data);
        insert.Parameters.AddWithValue("type", type);
        insert.Parameters.AddWithValue("dotnetType", dotnetType);
        await insert.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_renamed_class_reads_its_old_events_and_appends_under_the_same_name_and_a_reshaped_one_is_upcast()
    {
        await using var store = Store();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await InsertOldRowAsync(1, "watch_post_opened", "Readiness.Tests.WatchPostOpened, Readiness.Tests",
            """{"postId":"chot-1","name":"Chốt 1","occurredAt":"2024-05-01T08:00:00+07:00"}""");
        await InsertOldRowAsync(2, "lookout_staffed", "Readiness.Tests.LookoutStaffed, Readiness.Tests",
            """{"postId":"chot-1","staff":3,"occurredAt":"2024-05-01T08:00:00+07:00"}""");

        await using (var session = store.LightweightSession())
        {
            // The version the stream reaches once both are appended.
            session.Events.Append(Stream, 4L,
                new LookoutPostOpened("chot-2", "Chốt 2", At),
                new LookoutStaffingReported("chot-1", 2, "one sick", At));
            await session.SaveChangesAsync();
        }

        await using var query = store.QuerySession();
        var events = await query.Events.FetchStreamAsync(Stream);
        Assert.Equal(
            [
                new LookoutPostOpened("chot-1", "Chốt 1", At),
                new LookoutStaffingReported("chot-1", 3, "reported before the reason was asked", At),
                new LookoutPostOpened("chot-2", "Chốt 2", At),
                new LookoutStaffingReported("chot-1", 2, "one sick", At),
            ],
            events.Select(e => e.Data));
        Assert.Equal(
            "watch_post_opened lookout_staffed watch_post_opened lookout_staffing_reported",
            await database.ScalarTextAsync($"SELECT string_agg(type, ' ' ORDER BY version) FROM {Schema}.mt_events"));
    }
}
