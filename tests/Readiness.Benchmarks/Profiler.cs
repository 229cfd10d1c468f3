using System.Diagnostics;
using System.Globalization;

namespace Readiness.Benchmarks;

/// <summary>
/// What PostgreSQL is doing for this database while the grains are under load. The shared cluster
/// has no pg_stat_statements (it needs a restart to load), so this samples pg_stat_activity every
/// 20 ms: the share of samples in which a backend ran a statement estimates how many backends that
/// statement keeps busy. Table statistics say which tables each event writes.
/// </summary>
public sealed class ActivitySampler(BenchDatabase database) : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Dictionary<string, int> statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> waits = new(StringComparer.Ordinal);
    private int samples;
    private Task? loop;

    public void Start() => loop = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            await using (var command = database.Superuser.CreateCommand(
                """
                SELECT COALESCE(wait_event_type, 'CPU') || ':' || COALESCE(wait_event, '-'),
                       left(regexp_replace(query, '\s+', ' ', 'g'), 110)
                FROM pg_stat_activity
                WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
                """))
            {
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    waits[reader.GetString(0)] = waits.GetValueOrDefault(reader.GetString(0)) + 1;
                    statements[reader.GetString(1)] = statements.GetValueOrDefault(reader.GetString(1)) + 1;
                }
            }
            samples++;
            try
            {
                await Task.Delay(20, stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    });

    public async Task<object> FinishAsync()
    {
        await stop.CancelAsync();
        await (loop ?? Task.CompletedTask);
        static IEnumerable<object> Top(Dictionary<string, int> counts, int samples, int n) =>
            counts.OrderByDescending(c => c.Value).Take(n)
                .Select(c => new { busyBackends = Math.Round(c.Value / (double)Math.Max(1, samples), 3), what = c.Key });
        return new { samples, statements = Top(statements, samples, 12).ToList(), waits = Top(waits, samples, 8).ToList() };
    }

    public static async Task<Dictionary<string, long[]>> TablesAsync(BenchDatabase database)
    {
        var tables = new Dictionary<string, long[]>(StringComparer.Ordinal);
        await using var command = database.Superuser.CreateCommand(
            """
            SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, seq_scan, COALESCE(idx_scan, 0), seq_tup_read
            FROM pg_stat_user_tables WHERE schemaname = 'readiness'
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tables[reader.GetString(0)] = [reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)];
        }
        return tables;
    }

    /// <summary>Per event: rows inserted, updated, deleted, sequential and index scans, rows read by sequential scans, for each table touched.</summary>
    public static List<object> PerEvent(Dictionary<string, long[]> before, Dictionary<string, long[]> after, long events) =>
        [.. after.Select(a => (Table: a.Key, Delta: a.Value.Select((v, i) => v - (before.TryGetValue(a.Key, out var b) ? b[i] : 0)).ToArray()))
            .Where(t => t.Delta.Any(d => d != 0))
            .OrderByDescending(t => t.Delta[0] + t.Delta[1] + t.Delta[4])
            .Select(t => (object)new
            {
                table = t.Table,
                insertsPerEvent = Per(t.Delta[0], events),
                updatesPerEvent = Per(t.Delta[1], events),
                deletesPerEvent = Per(t.Delta[2], events),
                seqScansPerEvent = Per(t.Delta[3], events),
                indexScansPerEvent = Per(t.Delta[4], events),
                rowsSeqReadPerEvent = Per(t.Delta[5], events),
            })];

    private static double Per(long count, long events) => events <= 0 ? double.NaN : Math.Round(count / (double)events, 3);

    public ValueTask DisposeAsync()
    {
        stop.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>How to run dotnet-trace: the repository's own tool (<c>.config/dotnet-tools.json</c>, after <c>dotnet tool restore</c>), or one on the path.</summary>
public sealed record TraceTool(string Program, IReadOnlyList<string> Prefix, string WorkingDirectory);

/// <summary>dotnet-trace, when installed, sampling this process's threads for a while; its top methods go into the report.</summary>
public static class ThreadSampler
{
    public static TraceTool? Find()
    {
        var manifest = Path.Combine(BenchDatabase.RepositoryRoot, ".config", "dotnet-tools.json");
        if (File.Exists(manifest) && File.ReadAllText(manifest).Contains("\"dotnet-trace\"", StringComparison.Ordinal))
        {
            return new TraceTool("dotnet", ["tool", "run", "dotnet-trace", "--"], BenchDatabase.RepositoryRoot);
        }
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Append(Path.Combine(home, ".dotnet", "tools"))
            .Select(dir => Path.Combine(dir, "dotnet-trace"))
            .FirstOrDefault(File.Exists);
        return onPath is null ? null : new TraceTool(onPath, [], Environment.CurrentDirectory);
    }

    public static Process? Start(TraceTool tool, string output, TimeSpan duration)
    {
        var start = new ProcessStartInfo(tool.Program,
            [.. tool.Prefix, "collect", "-p", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-sampled-thread-time",
             "--duration", duration.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture), "-o", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = tool.WorkingDirectory,
        };
        return Process.Start(start);
    }

    public static async Task<string> TopAsync(TraceTool tool, string trace, int n, bool inclusive)
    {
        var arguments = new List<string>(tool.Prefix) { "report", trace, "topN", "-n", n.ToString(CultureInfo.InvariantCulture) };
        if (inclusive)
        {
            arguments.Add("--inclusive");
        }
        using var process = Process.Start(new ProcessStartInfo(tool.Program, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = tool.WorkingDirectory,
            })
            ?? throw new InvalidOperationException("dotnet-trace did not start.");
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
