using System.Net;
using System.Net.Sockets;
using Npgsql;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A newcomer's first <c>infra/postgres.sh start</c>: a fresh clone in a private directory whose path
/// has a space, no settings, and another cluster (this suite's) already running. As root the server
/// runs as its own OS user, which cannot enter a 0700 directory; the script must keep the cluster
/// where that user can reach it rather than fail as it once did ("mkdir: cannot create directory").
/// </summary>
public class NewcomerProvisioningTests
{
    private const int DefaultPort = 55432;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_fresh_private_clone_starts_a_cluster_of_its_own_on_a_free_port()
    {
        var suite = await PostgresCluster.EnsureStartedAsync();
        var suitePort = new NpgsqlConnectionStringBuilder(suite.AppConnectionString).Port;
        // The default port is held for the whole run, by the suite's cluster when it runs there, else
        // here: the newcomer's start must always find it taken and move on.
        using var holder = HoldIfFree(DefaultPort);

        var home = Directory.CreateTempSubdirectory("readiness-newcomer-");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var clone = Path.Combine(home.FullName, "clone with space");
        // As a newcomer's shell has them: no port and no state directory chosen.
        var unset = new Dictionary<string, string?> { ["READINESS_PG_PORT"] = null, ["READINESS_PG_STATE"] = null };
        string? elsewhere = null;
        try
        {
            var cloned = await ProcessRun.RunAsync("git", ["clone", "--quiet", "--no-hardlinks", PostgresCluster.RepositoryRoot, clone],
                home.FullName, null, Bound);
            Assert.True(cloned.ExitCode == 0, $"git clone failed:\n{cloned.Stderr}");

            var started = await ProcessRun.RunAsync("bash", ["infra/postgres.sh", "start"], clone, unset, Bound);
            elsewhere = ClusterDirectory(clone);

            Assert.True(started.ExitCode == 0, $"infra/postgres.sh start in the clone failed ({started.ExitCode}):\n{started.Stderr}");
            if (Environment.UserName == "root")
            {
                Assert.True(elsewhere is not null, "as root the server's user cannot enter the private clone, so the cluster must live outside it:\n" + started.Stderr);
            }
            var printed = started.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('=', 2))
                .Where(pair => pair.Length == 2)
                .ToDictionary(pair => pair[0], pair => pair[1].Trim('\''), StringComparer.Ordinal);
            var app = new NpgsqlConnectionStringBuilder(printed["ConnectionStrings__Readiness"]) { Pooling = false };
            Assert.NotEqual(suitePort, app.Port);
            Assert.NotEqual(DefaultPort, app.Port);
            Assert.Contains($"port {DefaultPort} on 127.0.0.1 is taken", started.Stderr, StringComparison.Ordinal);
            Assert.All(printed.Values, connection => Assert.Equal(app.Port, new NpgsqlConnectionStringBuilder(connection).Port));

            await using var connection = new NpgsqlConnection(app.ConnectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var select = new NpgsqlCommand("SELECT 1", connection);
            Assert.Equal(1, await select.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        }
        finally
        {
            if (File.Exists(Path.Combine(clone, "infra", "postgres.sh")))
            {
                await ProcessRun.RunAsync("bash", ["infra/postgres.sh", "stop"], clone, unset, Bound);
            }
            home.Delete(recursive: true);
            // Kept outside the clone because the server's user could not reach inside it: gone with the clone.
            if (elsewhere is not null && Directory.Exists(elsewhere))
            {
                Directory.Delete(elsewhere, recursive: true);
            }
        }
    }

    /// <summary>Where the clone's cluster really lives when the script had to keep it outside the clone; null when inside.</summary>
    private static string? ClusterDirectory(string clone)
    {
        var state = new DirectoryInfo(Path.Combine(clone, ".local", "postgres"));
        return state.LinkTarget is { } target ? Path.GetFullPath(target, Path.GetDirectoryName(state.FullName)!) : null;
    }

    private static TcpListener? HoldIfFree(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            listener.Dispose();
            return null;
        }
    }
}
