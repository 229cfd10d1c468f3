using Npgsql;
using Readiness.Store;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The custom storage path (the append function, the rebuild's swap, the daemon's progress rows moved
/// by hand) writes Marten's tables behind its back. These pin what it relies on, so that a Marten
/// upgrade that reshapes them fails here, naming what changed, and a silo on such a store refuses to
/// start rather than write it wrongly.
/// </summary>
public class MartenShapeTests
{
    [Fact]
    public async Task Marten_creates_its_events_streams_and_progression_tables_and_the_append_function_exactly_as_the_custom_storage_path_writes_them()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("martenshape", cluster: false);
        await using var connection = new NpgsqlConnection(database.AppConnectionString);
        await connection.OpenAsync();

        var changes = await EventStore.MartenShapeChangesAsync(connection, withFunction: true, CancellationToken.None);

        Assert.True(changes.Count == 0, "Marten's tables are not as the custom storage path expects:\n" + string.Join("\n", changes));
    }

    [Fact]
    public async Task The_daemon_keeps_its_progress_in_rows_named_as_the_rebuild_and_the_live_rosters_move_and_read_them()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("progressrows");
        await using var silo = new SiloHost(database, loadDemo: false);
        using var http = await silo.StartAndWaitUntilReadyAsync();
        var registered = await silo.Grains.GetGrain<Readiness.Abstractions.IUnitGrain>("progressrows")
            .Execute(new Readiness.Contracts.RegisterUnit(Guid.NewGuid().ToString(), "progressrows", "Tỉnh", Readiness.Contracts.Echelon.Province, null, 100));
        Assert.True(registered.Accepted, registered.Rejection?.Message);
        await using var connection = new NpgsqlConnection(database.AppConnectionString);
        await connection.OpenAsync();

        // HighWaterMarkAsync reads 'HighWaterMark'; ProjectionRebuilder and LiveRosters move and read '<projection>:All'.
        var names = new List<string>();
        for (var waited = 0; waited < 300 && !(names.Contains("HighWaterMark") && names.Contains("province-roster:All")); waited++)
        {
            await Task.Delay(100);
            names.Clear();
            await using var command = new NpgsqlCommand("SELECT name FROM readiness.mt_event_progression WHERE last_seq_id >= 1", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        Assert.Contains("HighWaterMark", names);
        Assert.Contains($"{Readiness.Store.Projections.ProvinceRosterProjection.ProjectionName}:All", names);
    }

    [Fact]
    public async Task A_silo_on_a_store_whose_event_table_was_reshaped_refuses_to_start_and_names_the_column_and_what_changed()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("reshaped");
        // What a Marten upgrade could do: a new column the append function does not fill, and a column relaxed.
        await Owner(database, "ALTER TABLE readiness.mt_events ADD COLUMN event_kind integer NOT NULL DEFAULT 0; ALTER TABLE readiness.mt_streams ALTER COLUMN created DROP NOT NULL");
        await using var silo = new SiloHost(database, loadDemo: false);

        var refusal = (await Assert.ThrowsAnyAsync<Exception>(() => silo.StartAndWaitUntilReadyAsync(TimeSpan.FromSeconds(60)))).ToString();

        Assert.Contains("readiness.mt_events.event_kind: expected no such column, found integer not null", refusal, StringComparison.Ordinal);
        Assert.Contains("readiness.mt_streams.created: expected timestamp with time zone not null, found timestamp with time zone null", refusal, StringComparison.Ordinal);
        Assert.Contains("EventStore.MartenTables", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_whose_append_function_takes_other_arguments_refuses_to_start_and_names_the_signature_found()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("resigned");
        await Owner(database, "DROP FUNCTION readiness.append_streams; CREATE FUNCTION readiness.append_streams(stream_ids varchar[]) RETURNS void LANGUAGE sql AS 'SELECT 1'");
        await using var silo = new SiloHost(database, loadDemo: false);

        var refusal = (await Assert.ThrowsAnyAsync<Exception>(() => silo.StartAndWaitUntilReadyAsync(TimeSpan.FromSeconds(60)))).ToString();

        Assert.Contains("readiness.append_streams: expected (stream_ids character varying[], from_versions bigint[]", refusal, StringComparison.Ordinal);
        Assert.Contains("found (stream_ids character varying[]) returns void", refusal, StringComparison.Ordinal);
    }

    private static async Task Owner(TestDatabase database, string sql)
    {
        await using var owner = new NpgsqlConnection(database.OwnerConnectionString);
        await owner.OpenAsync();
        await using var command = new NpgsqlCommand(sql, owner);
        await command.ExecuteNonQueryAsync();
    }
}
