using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Readiness.Silo.Hosting;

namespace Readiness.Benchmarks;

/// <summary>
/// The project's own PostgreSQL, started through infra/postgres.sh as a developer would, and one
/// fresh database for this run, dropped at the end.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private static int created;
    private readonly string maintenance;

    private BenchDatabase(string name, string app, string owner, string superuser, string maintenance)
    {
        Name = name;
        AppConnectionString = app;
        OwnerConnectionString = owner;
        SuperuserConnectionString = superuser;
        this.maintenance = maintenance;
        Superuser = NpgsqlDataSource.Create(superuser);
    }

    public string Name { get; }
    public string AppConnectionString { get; }
    public string OwnerConnectionString { get; }
    public string SuperuserConnectionString { get; }

    /// <summary>For the benchmark's own reads (probes, statistics), outside the silo's pools.</summary>
    public NpgsqlDataSource Superuser { get; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <param name="cluster">Which of the checkout's PostgreSQL clusters (infra/postgres.sh --cluster N); a cluster beside the first holds provinces only.</param>
    public static async Task<BenchDatabase> CreateAsync(int cluster = 1)
    {
        var start = new ProcessStartInfo("bash", ["infra/postgres.sh", "start", "--cluster", cluster.ToString(CultureInfo.InvariantCulture)])
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not run infra/postgres.sh.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"infra/postgres.sh start failed ({process.ExitCode}):\n{await stderr}");
        }
        var settings = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1].Trim('\''), StringComparer.Ordinal);
        var app = settings["ConnectionStrings__Readiness"];
        var owner = settings["ConnectionStrings__ReadinessOwner"];
        var superuser = settings["ConnectionStrings__ReadinessSuperuser"];

        // A name of its own, so a run never touches a developer's or a test's database.
        var name = $"readiness_bench_{DateTime.UtcNow:yyyyMMddHHmmss}_{Environment.ProcessId}_{Interlocked.Increment(ref created)}";
        await using (var connection = new NpgsqlConnection(superuser))
        {
            await connection.OpenAsync();
            var ownerRole = new NpgsqlConnectionStringBuilder(owner).Username;
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER \"{ownerRole}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        // The migrate step, as run.sh runs it: the silo serves with the application role alone.
        await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance)
            .ApplyAsync(WithDatabase(owner, name), new NpgsqlConnectionStringBuilder(app).Username!, CancellationToken.None, cluster: cluster == 1);
        return new BenchDatabase(name, WithDatabase(app, name), WithDatabase(owner, name), WithDatabase(superuser, name), superuser);
    }

    public async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Superuser.CreateCommand(sql);
        foreach (var (parameter, value) in parameters)
        {
            command.Parameters.AddWithValue(parameter, value);
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? 0 : Convert.ToInt64(result, CultureInfo.InvariantCulture);
    }

    public async Task<string> TextAsync(string sql)
    {
        await using var command = Superuser.CreateCommand(sql);
        return (await command.ExecuteScalarAsync())?.ToString() ?? string.Empty;
    }

    public async Task ExecuteAsync(string sql, int timeoutSeconds = 600)
    {
        await using var command = Superuser.CreateCommand(sql);
        command.CommandTimeout = timeoutSeconds;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Copies every province of the store into new provinces (ids tagged k1…, k2…), <paramref name="copies"/>
    /// times, in SQL: a store as large as asked without sending every event through the grains.
    /// </summary>
    public async Task CopyProvincesAsync(int copies)
    {
        var eventColumns = await ColumnsAsync("mt_events", "seq_id", "id", "stream_id", "data");
        var streamColumns = await ColumnsAsync("mt_streams", "id");
        for (var k = 1; k <= copies; k++)
        {
            // Another province per copy: its stream ids and the ids inside its events renamed, events in the same order.
            var tag = $"k{k}{CountryLoad.ProvincePrefix}";
            await ExecuteAsync(
                $"""
                INSERT INTO readiness.mt_streams (id, {streamColumns})
                SELECT replace(id, '{CountryLoad.ProvincePrefix}', '{tag}'), {streamColumns} FROM readiness.mt_streams
                WHERE id ~ '^(exercise:|post:)?{CountryLoad.ProvincePrefix}';
                INSERT INTO readiness.mt_events (seq_id, id, stream_id, data, {eventColumns})
                SELECT nextval('readiness.mt_events_sequence'), gen_random_uuid(), replace(stream_id, '{CountryLoad.ProvincePrefix}', '{tag}'),
                       replace(data::text, '"{CountryLoad.ProvincePrefix}', '"{tag}')::jsonb, {eventColumns}
                FROM (SELECT * FROM readiness.mt_events WHERE stream_id ~ '^(exercise:|post:)?{CountryLoad.ProvincePrefix}' ORDER BY seq_id) original;
                """);
        }
    }

    private async Task<string> ColumnsAsync(string table, params string[] except) =>
        await TextAsync(
            $"""
            SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns
            WHERE table_schema = 'readiness' AND table_name = '{table}' AND column_name NOT IN ({string.Join(", ", except.Select(e => $"'{e}'"))})
            """);

    public Task<long> HighestSequenceAsync() => ScalarAsync("SELECT COALESCE(max(seq_id), 0) FROM readiness.mt_events");

    /// <summary>Counters of the server: this database's commits and rows, and the WAL's records, bytes and flushes.</summary>
    public async Task<ServerCounters> CountersAsync()
    {
        await using var command = Superuser.CreateCommand(
            """
            SELECT d.xact_commit, d.xact_rollback, d.tup_inserted, d.tup_updated, d.blks_read, d.blks_hit,
                   w.wal_records, w.wal_bytes::bigint, w.wal_sync, w.wal_write,
                   (SELECT array_agg(pid) FROM pg_stat_activity WHERE datname = current_database())
            FROM pg_stat_database d, pg_stat_wal w
            WHERE d.datname = current_database()
            """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new ServerCounters(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9),
            PostgresCpuSeconds(reader.GetFieldValue<int[]>(10)),
            Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, GC.GetTotalAllocatedBytes(), Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// CPU time of the server processes serving this database, from /proc: the cluster is shared
    /// with other work, so only this run's backends count (the WAL writer and checkpointer do not).
    /// </summary>
    private static double PostgresCpuSeconds(int[] backends)
    {
        double ticks = 0;
        foreach (var pid in backends)
        {
            var dir = $"/proc/{pid}";
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after the command name, which is in parentheses and may hold spaces.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }
        // USER_HZ is 100 on Linux.
        return ticks / 100;
    }

    public async ValueTask DisposeAsync()
    {
        await Superuser.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(maintenance);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
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
        throw new InvalidOperationException("Readiness.sln not found above the benchmark's binaries.");
    }
}

/// <summary>A snapshot of server and process counters; the difference of two says what a phase cost.</summary>
public sealed record ServerCounters(
    long Commits, long Rollbacks, long RowsInserted, long RowsUpdated, long BlocksRead, long BlocksHit,
    long WalRecords, long WalBytes, long WalSyncs, long WalWrites, double PostgresCpuSeconds, double BenchmarkCpuSeconds, long AllocatedBytes, long Timestamp)
{
    public PhaseCost Since(ServerCounters before) => new(
        Commits - before.Commits, Rollbacks - before.Rollbacks, RowsInserted - before.RowsInserted, RowsUpdated - before.RowsUpdated,
        WalRecords - before.WalRecords, WalBytes - before.WalBytes, WalSyncs - before.WalSyncs,
        PostgresCpuSeconds - before.PostgresCpuSeconds, BenchmarkCpuSeconds - before.BenchmarkCpuSeconds, AllocatedBytes - before.AllocatedBytes,
        Stopwatch.GetElapsedTime(before.Timestamp, Timestamp).TotalSeconds);
}

public sealed record PhaseCost(
    long Commits, long Rollbacks, long RowsInserted, long RowsUpdated, long WalRecords, long WalBytes, long WalSyncs,
    double PostgresCpuSeconds, double BenchmarkCpuSeconds, long AllocatedBytes, double Seconds);
