using Npgsql;
using Readiness.Store;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The schema is applied by a migrate step of its own, as the owner; a silo serves with the
/// application role alone and refuses to start with more.
/// </summary>
public class MigrateStepTests
{
    [Fact]
    public async Task A_silo_given_a_role_that_may_rewrite_events_refuses_to_start()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("ownersilo");
        await using var silo = new SiloHost(database, loadDemo: false, settings: new Dictionary<string, string>
        {
            ["ConnectionStrings:Readiness"] = database.OwnerConnectionString,
        });

        var refusal = await StartupFailure(silo);

        Assert.Contains("may rewrite the record", refusal, StringComparison.Ordinal);
        Assert.Contains("UPDATE on readiness.mt_events", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("log_leaves", "UPDATE")]
    [InlineData("log_nodes", "DELETE")]
    [InlineData("tree_heads", "TRUNCATE")]
    [InlineData("imported_sequences", "UPDATE")]
    [InlineData("mt_events", "TRUNCATE")]
    [InlineData("mt_streams", "DELETE")]
    public async Task A_silo_whose_application_role_was_granted_a_rewrite_of_a_kept_table_refuses_to_start_and_names_the_table_and_the_privilege(string table, string privilege)
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("grantedlog");
        await Grant(database, privilege, table);
        await using var silo = new SiloHost(database, loadDemo: false);

        var refusal = await StartupFailure(silo);

        Assert.Contains($"{privilege} on readiness.{table}", refusal, StringComparison.Ordinal);
        Assert.Contains("may rewrite the record", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_whose_application_role_may_update_a_province_databases_log_refuses_to_start_and_names_that_database()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var main = await cluster.CreateDatabaseAsync("grantmain");
        await using var province = await cluster.CreateDatabaseAsync("grantprovince", cluster: false);
        await Grant(province, "UPDATE", "log_leaves");
        await using var silo = new SiloHost(main, loadDemo: false, settings: new Dictionary<string, string>
        {
            ["Readiness:Databases:0:Name"] = "second",
            ["Readiness:Databases:0:Connection"] = province.AppConnectionString,
            ["Readiness:Databases:0:Provinces:0"] = "grant-province",
        });

        var refusal = await StartupFailure(silo);

        Assert.Contains("Readiness:Databases (second)", refusal, StringComparison.Ordinal);
        Assert.Contains("UPDATE on readiness.log_leaves", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_given_the_owners_credentials_refuses_to_start()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("ownerset");
        await using var silo = new SiloHost(database, loadDemo: false, settings: new Dictionary<string, string>
        {
            ["ConnectionStrings:ReadinessOwner"] = database.OwnerConnectionString,
        });

        var refusal = await StartupFailure(silo);

        Assert.Contains("belong to the migrate step alone", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_on_a_database_never_migrated_refuses_to_start_and_names_the_step()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("unmigrated", migrate: false);
        await using var silo = new SiloHost(database, loadDemo: false);

        var refusal = await StartupFailure(silo);

        Assert.Contains("Readiness.Silo migrate", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_on_a_schema_applied_by_an_older_version_refuses_to_start_until_migrate_brings_it_up_to_date()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("oldschema");
        // What a database migrated before the group commit became one statement lacks.
        await using (var owner = new NpgsqlConnection(database.OwnerConnectionString))
        {
            await owner.OpenAsync();
            await using var drop = new NpgsqlCommand("DROP FUNCTION readiness.append_streams", owner);
            await drop.ExecuteNonQueryAsync();
        }
        await using (var silo = new SiloHost(database, loadDemo: false))
        {
            var refusal = await StartupFailure(silo);

            Assert.Contains("older version", refusal, StringComparison.Ordinal);
            Assert.Contains("Readiness.Silo migrate", refusal, StringComparison.Ordinal);
        }

        var migrated = await RunMigrate(("ConnectionStrings__Readiness", database.AppConnectionString), ("ConnectionStrings__ReadinessOwner", database.OwnerConnectionString));
        await using var upgraded = new SiloHost(database, loadDemo: false);
        using var http = await upgraded.StartAndWaitUntilReadyAsync();
        var registered = await upgraded.Grains.GetGrain<Readiness.Abstractions.IUnitGrain>("oldschema")
            .Execute(new Readiness.Contracts.RegisterUnit(Guid.NewGuid().ToString(), "oldschema", "Tỉnh", Readiness.Contracts.Echelon.Province, null, 100));

        Assert.Equal(0, migrated.ExitCode);
        Assert.True(registered.Accepted, registered.Rejection?.Message);
        Assert.Equal(1, await database.CountEventsAsync("oldschema"));
    }

    [Fact]
    public async Task The_migrate_command_applies_the_schema_and_grants_the_application_role_append_only_events()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("migratecmd", migrate: false);

        var missing = await RunMigrate(("ConnectionStrings__Readiness", database.AppConnectionString));
        var applied = await RunMigrate(("ConnectionStrings__Readiness", database.AppConnectionString), ("ConnectionStrings__ReadinessOwner", database.OwnerConnectionString));

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("ConnectionStrings__ReadinessOwner", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, applied.ExitCode);
        await using var connection = new NpgsqlConnection(database.AppConnectionString);
        await connection.OpenAsync();
        await using var rights = new NpgsqlCommand(
            "SELECT has_table_privilege('readiness.mt_events', 'INSERT'), has_table_privilege('readiness.mt_events', 'UPDATE'), has_table_privilege('readiness.mt_events', 'DELETE')", connection);
        await using var reader = await rights.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((true, false, false), (reader.GetBoolean(0), reader.GetBoolean(1), reader.GetBoolean(2)));
    }

    [Fact]
    public async Task Migrating_a_store_whose_rosters_were_kept_whole_per_province_drops_them_for_the_daemon_to_fold_again_by_district()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("migratesplit", migrate: false);
        (string, string)[] owner = [("ConnectionStrings__ReadinessOwner", database.OwnerConnectionString), ("ConnectionStrings__Readiness", database.AppConnectionString)];
        Assert.Equal(0, (await RunMigrate(owner)).ExitCode);
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        // As an older silo left them: one roster per province, with no province_id column value, and the daemon's progress on it.
        await using (var older = new NpgsqlCommand("""
            INSERT INTO readiness.mt_doc_provinceroster (id, data, mt_version, mt_dotnet_type, mt_last_modified)
              VALUES ('bac-kan', '{"id": "bac-kan", "sequence": 42}', 1, 'Readiness.Store.Projections.ProvinceRoster', now());
            INSERT INTO readiness.mt_event_progression (name, last_seq_id, last_updated) VALUES ('province-roster:All', 42, now());
            """, connection))
        {
            await older.ExecuteNonQueryAsync();
        }

        var again = await RunMigrate(owner);
        var split = await RunMigrate(owner);

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("dropped", again.Stdout + again.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, split.ExitCode);
        Assert.DoesNotContain("dropped", split.Stdout + split.Stderr, StringComparison.Ordinal);
        await using var left = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM readiness.mt_doc_provinceroster) + (SELECT count(*) FROM readiness.mt_event_progression WHERE name = 'province-roster:All')", connection);
        Assert.Equal(0L, await left.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrate_creates_the_event_indexes_Marten_is_told_to_leave_be_over_the_header_the_views_select_by()
    {
        // The indexes are written in infra/sql/store and named in ReadinessStore.AuditIndexes: the two must agree.
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("eventindexes", cluster: false);
        await using var connection = new NpgsqlConnection(database.OwnerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = @schema AND tablename = 'mt_events' AND indexname = ANY(@names)", connection);
        command.Parameters.AddWithValue("schema", ReadinessStore.Schema);
        command.Parameters.AddWithValue("names", ReadinessStore.AuditIndexes.ToArray());
        var indexes = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                indexes[reader.GetString(0)] = reader.GetString(1);
            }
        }

        Assert.Equal(ReadinessStore.AuditIndexes.Order(StringComparer.Ordinal), indexes.Keys.Order(StringComparer.Ordinal));
        Assert.Contains($"'{EventHeaders.OccurredAt}'", indexes["mt_events_occurred_at"], StringComparison.Ordinal);
    }

    /// <summary>What an operator's hand might grant the application role after migrate, as the tables' owner.</summary>
    private static async Task Grant(TestDatabase database, string privilege, string table)
    {
        await using var owner = new NpgsqlConnection(database.OwnerConnectionString);
        await owner.OpenAsync();
        var role = new NpgsqlConnectionStringBuilder(database.AppConnectionString).Username;
        await using var grant = new NpgsqlCommand($"GRANT {privilege} ON readiness.{table} TO \"{role}\"", owner);
        await grant.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartupFailure(SiloHost silo)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => silo.StartAndWaitUntilReadyAsync(TimeSpan.FromSeconds(60)));
        return string.Join(" | ", Chain(failure).Select(e => e.Message));
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }

    private static Task<ScriptRun> RunMigrate(params (string Name, string Value)[] environment)
    {
        var settings = new Dictionary<string, string?> { ["ConnectionStrings__ReadinessOwner"] = null };
        foreach (var (name, value) in environment)
        {
            settings[name] = value;
        }
        return ProcessRun.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "Readiness.Silo.dll"), "migrate"], AppContext.BaseDirectory,
            settings, TimeSpan.FromMinutes(2));
    }
}
