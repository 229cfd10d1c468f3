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
    public async Task The_server_listens_on_loopback_only()
    {
        Assert.Equal("127.0.0.1", await silo.Database.ScalarTextAsync("SHOW listen_addresses"));
    }
}
