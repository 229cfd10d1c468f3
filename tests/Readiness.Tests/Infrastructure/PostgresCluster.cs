using System.Diagnostics;
using Npgsql;

namespace Readiness.Tests.Infrastructure;

/// <summary>
/// The project's own PostgreSQL, started through infra/postgres.sh exactly as a developer would,
/// so the tests need nothing set up by hand. Each fixture gets a database of its own.
/// </summary>
public sealed class PostgresCluster
{
    private static readonly Lazy<Task<PostgresCluster>> Started = new(StartAsync);

    private PostgresCluster(string app, string owner, string superuser)
    {
        AppConnectionString = app;
        OwnerConnectionString = owner;
        SuperuserConnectionString = superuser;
    }

    public string AppConnectionString { get; }
    public string OwnerConnectionString { get; }
    public string SuperuserConnectionString { get; }

    public static Task<PostgresCluster> EnsureStartedAsync() => Started.Value;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public async Task<TestDatabase> CreateDatabaseAsync(string purpose)
    {
        var name = $"readiness_{purpose}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(SuperuserConnectionString))
        {
            await connection.OpenAsync();
            var owner = new NpgsqlConnectionStringBuilder(OwnerConnectionString).Username;
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER \"{owner}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new TestDatabase(name, WithDatabase(AppConnectionString, name), WithDatabase(OwnerConnectionString, name),
            WithDatabase(SuperuserConnectionString, name), SuperuserConnectionString);
    }

    public static async Task<ScriptRun> RunScriptAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash", ["infra/postgres.sh", .. arguments])
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run infra/postgres.sh.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        return new ScriptRun(process.ExitCode, await stdout, await stderr);
    }

    private static async Task<PostgresCluster> StartAsync()
    {
        var run = await RunScriptAsync("start");
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/postgres.sh start failed ({run.ExitCode}):\n{run.Stderr}");
        }
        var settings = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1].Trim('\''), StringComparer.Ordinal);
        return new PostgresCluster(
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

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
