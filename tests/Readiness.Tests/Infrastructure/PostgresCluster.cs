using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Readiness.Silo.Hosting;

namespace Readiness.Tests.Infrastructure;

/// <summary>
/// The project's own PostgreSQL, started through infra/postgres.sh exactly as a developer would,
/// so the tests need nothing set up by hand. Each fixture gets a database of its own.
/// </summary>
public sealed class PostgresCluster
{
    private static readonly Lazy<Task<PostgresCluster>> Started = new(() => StartAsync(new Dictionary<string, string>()));

    private readonly IReadOnlyDictionary<string, string> scriptEnvironment;

    private PostgresCluster(IReadOnlyDictionary<string, string> scriptEnvironment, string app, string owner, string superuser)
    {
        this.scriptEnvironment = scriptEnvironment;
        AppConnectionString = app;
        OwnerConnectionString = owner;
        SuperuserConnectionString = superuser;
    }

    public string AppConnectionString { get; }
    public string OwnerConnectionString { get; }
    public string SuperuserConnectionString { get; }

    public static Task<PostgresCluster> EnsureStartedAsync() => Started.Value;

    /// <summary>
    /// A cluster of its own (in .local/postgres-<paramref name="name"/>, on <paramref name="port"/>),
    /// for a test that restarts or stops PostgreSQL without pulling it from under every other test.
    /// </summary>
    public static Task<PostgresCluster> StartDedicatedAsync(string name, int port) =>
        StartAsync(new Dictionary<string, string>
        {
            ["READINESS_PG_STATE"] = Path.Combine(RepositoryRoot, ".local", $"postgres-{name}"),
            ["READINESS_PG_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>pg_ctl restart -m fast: every connection cut at once.</summary>
    public Task RestartAsync() => MustRunAsync("restart");

    public Task StopAsync() => MustRunAsync("stop");

    public Task StartAgainAsync() => MustRunAsync("start");

    private async Task MustRunAsync(string command)
    {
        var run = await RunScriptAsync(scriptEnvironment, command);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/postgres.sh {command} failed ({run.ExitCode}):\n{run.Stderr}");
        }
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <param name="purpose">Part of the database's name.</param>
    /// <param name="migrate">Whether to apply the schema.</param>
    /// <param name="cluster">Whether the schema includes the cluster's own tables, as the main database's does; a province database's does not.</param>
    public async Task<TestDatabase> CreateDatabaseAsync(string purpose, bool migrate = true, bool cluster = true)
    {
        var name = $"readiness_{purpose}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(SuperuserConnectionString))
        {
            await connection.OpenAsync();
            var owner = new NpgsqlConnectionStringBuilder(OwnerConnectionString).Username;
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER \"{owner}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        var database = new TestDatabase(name, WithDatabase(AppConnectionString, name), WithDatabase(OwnerConnectionString, name),
            WithDatabase(SuperuserConnectionString, name), SuperuserConnectionString);
        if (migrate)
        {
            // The migrate step, as run.sh runs it before a silo starts: silos serve with the application role alone.
            await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance)
                .ApplyAsync(database.OwnerConnectionString, new NpgsqlConnectionStringBuilder(AppConnectionString).Username!, CancellationToken.None, cluster);
        }
        return database;
    }

    public static Task<ScriptRun> RunScriptAsync(params string[] arguments) => RunScriptAsync(new Dictionary<string, string>(), arguments);

    private static Task<ScriptRun> RunScriptAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        ProcessRun.RunAsync("bash", ["infra/postgres.sh", .. arguments], RepositoryRoot,
            environment.ToDictionary(e => e.Key, string? (e) => e.Value), TimeSpan.FromMinutes(10));

    private static async Task<PostgresCluster> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var run = await RunScriptAsync(environment, "start");
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/postgres.sh start failed ({run.ExitCode}):\n{run.Stderr}");
        }
        var settings = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1].Trim('\''), StringComparer.Ordinal);
        return new PostgresCluster(
            environment,
            settings["ConnectionStrings__Readiness"],
            settings["ConnectionStrings__ReadinessOwner"],
            settings["ConnectionStrings__ReadinessSuperuser"]);
    }

    private static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Readiness.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Readiness.sln not found above the test binaries.");
    }
}

public sealed record ScriptRun(int ExitCode, string Stdout, string Stderr);

/// <summary>A database for one fixture, dropped when it is done.</summary>
public sealed class TestDatabase(string name, string app, string owner, string superuser, string maintenance) : IAsyncDisposable
{
    public string Name { get; } = name;
    public string AppConnectionString { get; } = app;
    public string OwnerConnectionString { get; } = owner;
    public string SuperuserConnectionString { get; } = superuser;

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (parameter, value) in parameters)
        {
            command.Parameters.AddWithValue(parameter, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<string?> ScalarTextAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString();
    }

    public Task<long> CountEventsAsync(string streamKey) =>
        ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE stream_id = @stream", ("stream", streamKey));

    public Task<long> CountAllEventsAsync() => ScalarAsync("SELECT count(*) FROM readiness.mt_events");

    /// <summary>The highest event sequence stored.</summary>
    public Task<long> HeadAsync() => ScalarAsync("SELECT coalesce(max(seq_id), 0) FROM readiness.mt_events");

    /// <summary>Draws a number from the event sequence that no event will carry: what a refused or rolled-back append leaves behind.</summary>
    public Task<long> LeaveSequenceHoleAsync() => ScalarAsync("SELECT nextval('readiness.mt_events_sequence')");

    /// <summary>
    /// How long until the province roster has applied every event up to <paramref name="head"/> (by
    /// default, every event stored when the call began); null when it has not within <paramref name="patience"/>.
    /// A failed query (the database restarting) is tried again.
    /// </summary>
    public async Task<TimeSpan?> RosterCatchesUpAsync(TimeSpan patience, long? head = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < patience)
        {
            try
            {
                head ??= await HeadAsync();
                if (await ScalarAsync("SELECT coalesce(max(last_seq_id), 0) FROM readiness.mt_event_progression WHERE name = 'province-roster:All'") >= head)
                {
                    return clock.Elapsed;
                }
            }
            catch (NpgsqlException)
            {
            }
            await Task.Delay(50);
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
