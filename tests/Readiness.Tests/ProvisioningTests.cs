using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>infra/postgres.sh and the roles it sets up.</summary>
public class ProvisioningTests(SiloFixture silo)
{
    [Fact]
    public async Task Starting_a_running_cluster_again_is_a_no_op()
    {
        var again = await PostgresCluster.RunScriptAsync("start");
        var status = await PostgresCluster.RunScriptAsync("status");

        Assert.Equal(0, again.ExitCode);
        Assert.Contains("already running", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__Readiness=", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("127.0.0.1", status.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_cluster_runs_beside_the_first_on_a_port_of_its_own_and_stops_alone()
    {
        var first = await PostgresCluster.RunScriptAsync("env");
        var started = await PostgresCluster.RunScriptAsync("start", "--cluster", "2");
        try
        {
            Assert.True(started.ExitCode == 0, started.Stderr);
            var superuser = Setting(started.Stdout, "ConnectionStrings__ReadinessSuperuser");
            var firstSuperuser = Setting(first.Stdout, "ConnectionStrings__ReadinessSuperuser");
            Assert.NotEqual(new NpgsqlConnectionStringBuilder(firstSuperuser).Port, new NpgsqlConnectionStringBuilder(superuser).Port);
            // Its own data: wherever the script keeps it (inside the checkout, or outside it for a private clone), not the first's.
            var secondData = await DataDirectory(superuser);
            Assert.NotEqual(await DataDirectory(firstSuperuser), secondData);
            var status = await PostgresCluster.RunScriptAsync("status", "--cluster", "2");
            Assert.Contains($"data in {secondData}", status.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Assert.Equal(0, (await PostgresCluster.RunScriptAsync("stop", "--cluster", "2")).ExitCode);
        }
        Assert.Equal(3, (await PostgresCluster.RunScriptAsync("status", "--cluster", "2")).ExitCode);
        Assert.Equal(0, (await PostgresCluster.RunScriptAsync("status")).ExitCode);
        var refused = await PostgresCluster.RunScriptAsync("status", "--cluster", "x");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--cluster takes a number", refused.Stderr, StringComparison.Ordinal);
    }

    private static async Task<string> DataDirectory(string superuser)
    {
        await using var connection = new NpgsqlConnection(superuser);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('data_directory')", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static string Setting(string output, string name) =>
        output.Split('\n').Select(line => line.Split('=', 2)).First(pair => pair[0] == name)[1].Trim('\'');

    [Theory]
    [InlineData("DROP TABLE orleansquery")]
    [InlineData("DROP TABLE readiness.mt_events")]
    [InlineData("ALTER TABLE readiness.mt_streams ADD COLUMN sneaky int")]
    [InlineData("TRUNCATE readiness.mt_events")]
    public async Task The_application_role_cannot_change_the_schema(string sql)
    {
        await using var connection = new NpgsqlConnection(silo.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Theory]
    [InlineData("UPDATE readiness.mt_events SET data = '{}' WHERE seq_id = (SELECT min(seq_id) FROM readiness.mt_events)")]
    [InlineData("DELETE FROM readiness.mt_events WHERE seq_id = (SELECT max(seq_id) FROM readiness.mt_events)")]
    [InlineData("DELETE FROM readiness.mt_streams WHERE id = (SELECT max(id) FROM readiness.mt_streams)")]
    [InlineData("UPDATE readiness.log_leaves SET leaf_hash = '\\x00' WHERE position = 0")]
    [InlineData("DELETE FROM readiness.log_nodes")]
    [InlineData("UPDATE readiness.tree_heads SET root = '\\x00'")]
    [InlineData("DELETE FROM readiness.tree_heads")]
    [InlineData("TRUNCATE readiness.log_leaves")]
    [InlineData("UPDATE readiness.imported_sequences SET source_seq = source_seq + 1")]
    public async Task The_application_role_can_only_append_events(string sql)
    {
        var before = await silo.Database.CountAllEventsAsync();
        await using var connection = new NpgsqlConnection(silo.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.True(await silo.Database.CountAllEventsAsync() >= before);
    }

    [Fact]
    public async Task The_application_role_is_not_a_superuser()
    {
        await using var connection = new NpgsqlConnection(silo.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = current_user", connection);

        Assert.False((bool)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task The_project_s_PostgreSQL_listens_on_loopback_only()
    {
        Assert.Equal("127.0.0.1", await silo.Database.ScalarTextAsync("SHOW listen_addresses"));
    }

    /// <summary>
    /// The built silo run as an operator runs it, with the <c>Urls</c> its appsettings.json ships; only
    /// the port is swapped for a free one, so that the test runs beside a silo on the shipped port.
    /// </summary>
    [Fact]
    public async Task The_HTTP_API_listens_on_loopback_only_with_the_shipped_settings()
    {
        var appsettings = Path.Combine(PostgresCluster.RepositoryRoot, "silo", "Readiness.Silo", "appsettings.json");
        using var shipped = JsonDocument.Parse(await File.ReadAllTextAsync(appsettings, TestContext.Current.CancellationToken));
        Assert.True(shipped.RootElement.TryGetProperty("Urls", out var urls), $"{appsettings} ships no Urls");
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("loopback");
        var process = new SiloProcess(1, database, $"loopback-{Guid.NewGuid():N}"[..20], urls: port => OnPort(urls.GetString()!, port));
        try
        {
            process.Start();
            await process.WaitUntilReadyAsync(TimeSpan.FromSeconds(120));

            var bound = ListeningSockets.Of(process.Pid!.Value);
            var described = string.Join(", ", bound);
            Assert.True(bound.Any(endpoint => endpoint.Port == process.HttpPort), $"The HTTP API is not among what the silo listens on: {described}");
            Assert.True(bound.All(endpoint => IPAddress.IsLoopback(endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address)),
                $"With the shipped Urls '{urls.GetString()}' the silo listens beyond loopback: {described}");
        }
        finally
        {
            process.Kill();
        }
    }

    /// <summary>Each of the semicolon-separated URLs with its port replaced, its scheme and host kept as written ('*' and '+' included).</summary>
    private static string OnPort(string urls, int port) =>
        string.Join(';', urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(url => Regex.Replace(url, @"^(?<start>[a-z]+://(\[[^\]]*\]|[^:/]+))(:\d+)?", m => $"{m.Groups["start"].Value}:{port}")));
}
