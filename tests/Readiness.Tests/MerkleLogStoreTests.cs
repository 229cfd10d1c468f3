extern alias cli;

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Silo.Audit;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A silo of its own with the demo, whose log is written on the test's command (the writer's own
/// loop is off), so that each tampering below meets a log that stands still.
/// </summary>
public sealed class LogSiloFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public MerkleLogWriter Writer => Host.Services.GetRequiredService<MerkleLogWriter>();

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        Database = await cluster.CreateDatabaseAsync("merkle");
        Host = new SiloHost(Database, loadDemo: true, settings: new Dictionary<string, string>
        {
            ["Readiness:Log:Enabled"] = "false",
            ["Readiness:Log:HeadEvery"] = "1000",
            ["Readiness:Log:GapWait"] = "00:00:00.2",
        });
        Http = await Host.StartAndWaitUntilReadyAsync();
        await CatchUpAsync();
    }

    /// <summary>Runs the writer until every reported event is a leaf, then once more after the head interval so the last head covers them all.</summary>
    public async Task CatchUpAsync()
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        while (await LeavesAsync() < await ReportedAsync())
        {
            await Writer.RunOnceAsync(CancellationToken.None);
            Assert.True(DateTimeOffset.UtcNow < deadline, "The log did not catch up with the events.");
            await Task.Delay(100);
        }
        await Task.Delay(1100);
        await Writer.RunOnceAsync(CancellationToken.None);
    }

    public Task<long> LeavesAsync() => Database.ScalarAsync("SELECT count(*) FROM readiness.log_leaves");

    public Task<long> ReportedAsync() => Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE stream_id <> 'mt_tombstone'");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>
/// The Merkle log over the whole store: heads, proofs, and tampering by a superuser, each caught at
/// the first position where the events and the log part.
/// </summary>
public class MerkleLogStoreTests(LogSiloFixture log) : IClassFixture<LogSiloFixture>
{
    private HttpClient Http => log.Http;

    private async Task<VerifyReport> VerifyAsync() =>
        (await Http.GetFromJsonAsync<VerifyReport>(new Uri("/api/audit/verify", UriKind.Relative), SiloFixture.Json))!;

    private async Task ExecuteAsSuperuserAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(log.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The log position of the reported event with this sequence.</summary>
    private Task<long> PositionOf(long sequence) => log.Database.ScalarAsync("SELECT position FROM readiness.log_leaves WHERE seq_id = @s", ("s", sequence));

    /// <summary>A sequence in the middle of the store, of an event neither first nor last of its stream.</summary>
    private Task<long> MiddleSequenceAsync() => log.Database.ScalarAsync("""
        SELECT e.seq_id FROM readiness.mt_events e JOIN readiness.mt_streams s ON s.id = e.stream_id
        WHERE e.stream_id <> 'mt_tombstone' AND e.version > 1 AND e.version < s.version
          AND e.seq_id > (SELECT max(seq_id) / 3 FROM readiness.mt_events)
        ORDER BY e.seq_id LIMIT 1
        """);

    private static readonly string[] KeptTables = ["mt_streams", "mt_events", "log_leaves", "log_nodes", "tree_heads"];

    /// <summary>Copies the events and the log aside, so a tampering can be undone whatever it did.</summary>
    private Task KeepStoreAsync() => ExecuteAsSuperuserAsync(string.Join('\n',
        KeptTables.Select(t => $"DROP TABLE IF EXISTS public.kept_{t}; CREATE TABLE public.kept_{t} AS TABLE readiness.{t};")));

    /// <summary>Puts back what <see cref="KeepStoreAsync"/> kept, in one transaction, and drops the copies.</summary>
    private Task RestoreStoreAsync() => ExecuteAsSuperuserAsync($"""
        BEGIN;
        {string.Join('\n', KeptTables.Reverse().Select(t => $"DELETE FROM readiness.{t};"))}
        {string.Join('\n', KeptTables.Select(t => $"INSERT INTO readiness.{t} SELECT * FROM public.kept_{t};"))}
        COMMIT;
        {string.Join('\n', KeptTables.Select(t => $"DROP TABLE public.kept_{t};"))}
        """);

    /// <summary>Runs a tampering, checks what verify says, and puts the store back as it was, whatever happened.</summary>
    private async Task<LogDisagreement> TamperedAsync(string tampering)
    {
        await KeepStoreAsync();
        try
        {
            await ExecuteAsSuperuserAsync(tampering);
            var report = await VerifyAsync();
            Assert.False(report.Intact);
            Assert.NotNull(report.Log);
            Assert.False(report.Log.Intact);
            return report.Log.FirstDisagreement!;
        }
        finally
        {
            await RestoreStoreAsync();
        }
    }

    [Fact]
    public async Task The_log_covers_every_event_and_verify_finds_it_intact_against_a_signed_head()
    {
        Assert.Equal(await log.ReportedAsync(), await log.LeavesAsync());
        var report = await VerifyAsync();
        Assert.True(report.Intact, report.Log?.FirstDisagreement?.Problem);
        Assert.NotNull(report.Log);
        Assert.True(report.Log.Intact);
        Assert.True(report.Log.HeadSignatureValid);
        Assert.Equal(await log.LeavesAsync(), report.Log.LatestHead!.Size);

        var page = (await Http.GetFromJsonAsync<TreeHeadPage>(new Uri("/api/audit/tree-heads?limit=2", UriKind.Relative), SiloFixture.Json))!;
        Assert.Equal(2, page.Heads.Count);
        Assert.True(page.Heads[0].Size > page.Heads[1].Size);
        Assert.NotNull(page.Next);
        var older = (await Http.GetFromJsonAsync<TreeHeadPage>(new Uri(page.Next, UriKind.Relative), SiloFixture.Json))!;
        Assert.True(older.Heads[0].Size < page.Heads[1].Size);

        // The head is in the file outside the database, and its signature holds under the published key alone.
        var file = Path.Combine(log.Host.HeadDirectory, "tree-heads.jsonl");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(PrivateMode, File.GetUnixFileMode(file));
        }
        // Other tests of this class tamper with the store and let the writer sign what it then finds, so the
        // file may hold later heads than the one the store now serves; the store's newest must be among its lines.
        var filed = File.ReadAllLines(file).Select(line => System.Text.Json.JsonSerializer.Deserialize<TreeHead>(line, SiloFixture.Json)!).ToList();
        Assert.Contains(page.Heads[0], filed);
        var kept = page.Heads[0];
        var jwks = await Http.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));
        using var keys = System.Text.Json.JsonDocument.Parse(jwks);
        var key = keys.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("kid").GetString() == kept.KeyId);
        Assert.True(DetachedJws.VerifyEs256(kept.Signature!, Encoding.UTF8.GetBytes(TreeHeadText.Payload(kept)), key.GetProperty("x").GetString()!, key.GetProperty("y").GetString()!));
    }

    private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public async Task Proofs_of_inclusion_and_consistency_verify_against_the_heads_and_are_logarithmic()
    {
        var heads = (await Http.GetFromJsonAsync<TreeHeadPage>(new Uri("/api/audit/tree-heads?limit=1000", UriKind.Relative), SiloFixture.Json))!.Heads;
        var latest = heads[0];
        var earlier = heads[^1];
        var sequence = await MiddleSequenceAsync();
        var eventId = await log.Database.ScalarTextAsync($"SELECT id::text FROM readiness.mt_events WHERE seq_id = {sequence}");

        var inclusion = (await Http.GetFromJsonAsync<InclusionProof>(new Uri($"/api/audit/proof/inclusion?event={eventId}&treeSize={latest.Size}", UriKind.Relative), SiloFixture.Json))!;
        Assert.Equal(await PositionOf(sequence), inclusion.LeafIndex);
        Assert.Equal(latest.Root, inclusion.Root);
        Assert.InRange(inclusion.AuditPath.Count, 1, (int)Math.Ceiling(Math.Log2(latest.Size)));
        Assert.True(MerkleLog.VerifyInclusion(Convert.FromBase64String(inclusion.LeafHash), inclusion.LeafIndex, latest.Size,
            [.. inclusion.AuditPath.Select(Convert.FromBase64String)], Convert.FromBase64String(latest.Root)));

        var consistency = (await Http.GetFromJsonAsync<ConsistencyProof>(new Uri($"/api/audit/proof/consistency?from={earlier.Size}&to={latest.Size}", UriKind.Relative), SiloFixture.Json))!;
        Assert.True(consistency.Path.Count <= Math.Ceiling(Math.Log2(latest.Size)) + 1);
        Assert.True(MerkleLog.VerifyConsistency(earlier.Size, latest.Size, Convert.FromBase64String(earlier.Root), Convert.FromBase64String(latest.Root),
            [.. consistency.Path.Select(Convert.FromBase64String)]));

        foreach (var bad in new[]
        {
            "/api/audit/proof/inclusion", "/api/audit/proof/inclusion?event=nope", $"/api/audit/proof/inclusion?event={eventId}&treeSize=0",
            $"/api/audit/proof/inclusion?event={eventId}&treeSize=x", "/api/audit/proof/consistency?from=5", "/api/audit/proof/consistency?from=9&to=3",
            "/api/audit/proof/consistency?from=-1&to=3", "/api/audit/tree-heads?limit=0", "/api/audit/tree-heads?before=-4", "/api/audit/tree-heads?limit=abc",
        })
        {
            using var response = await Http.GetAsync(new Uri(bad, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{bad}: {response.StatusCode}");
        }
        foreach (var missing in new[]
        {
            $"/api/audit/proof/inclusion?event={Guid.NewGuid()}&treeSize={latest.Size}", $"/api/audit/proof/inclusion?event={eventId}&treeSize={latest.Size + 7}",
            $"/api/audit/proof/consistency?from={earlier.Size + 1}&to={latest.Size}",
        })
        {
            using var response = await Http.GetAsync(new Uri(missing, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{missing}: {response.StatusCode}");
        }
    }

    [Theory]
    [InlineData("data", "UPDATE readiness.mt_events SET data = jsonb_set(data, '{forged}', '1') WHERE seq_id = {S}")]
    [InlineData("headers", "UPDATE readiness.mt_events SET headers = headers || '{\"recorded-by\":\"someone-else\"}' WHERE seq_id = {S}")]
    [InlineData("recorded-at", "UPDATE readiness.mt_events SET timestamp = timestamp - interval '3 days' WHERE seq_id = {S}")]
    [InlineData("one event mid-stream", "DELETE FROM readiness.mt_events WHERE seq_id = {S}")]
    [InlineData("reorder", "UPDATE readiness.mt_events SET seq_id = -1 WHERE seq_id = {S}; " +
        "UPDATE readiness.mt_events SET seq_id = {S} WHERE seq_id = {S} + 1; UPDATE readiness.mt_events SET seq_id = {S} + 1 WHERE seq_id = -1")]
    public async Task A_change_to_one_event_is_caught_at_its_position(string what, string sql)
    {
        var sequence = await MiddleSequenceAsync();
        var position = await PositionOf(sequence);

        var first = await TamperedAsync(sql.Replace("{S}", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        Assert.True(first.Position == position, $"{what}: {first}");
        Assert.Equal(sequence, first.Sequence);
    }

    [Fact]
    public async Task A_stream_tail_removed_with_its_version_lowered_is_caught_where_the_tail_was()
    {
        var (stream, last) = await LastOfAStreamAsync();
        var position = await PositionOf(last);

        var first = await TamperedAsync($"""
            DELETE FROM readiness.mt_events WHERE seq_id = {last};
            UPDATE readiness.mt_streams SET version = version - 1 WHERE id = '{stream}';
            """);

        Assert.Equal(position, first.Position);
        Assert.Equal(last, first.Sequence);
    }

    [Fact]
    public async Task A_whole_stream_removed_is_caught_at_its_first_event()
    {
        var (stream, _) = await LastOfAStreamAsync();
        var firstSequence = await log.Database.ScalarAsync($"SELECT min(seq_id) FROM readiness.mt_events WHERE stream_id = '{stream}'");

        var first = await TamperedAsync($"""
            DELETE FROM readiness.mt_events WHERE stream_id = '{stream}';
            DELETE FROM readiness.mt_streams WHERE id = '{stream}';
            """);

        Assert.Equal(await PositionOf(firstSequence), first.Position);
        Assert.Equal(firstSequence, first.Sequence);
    }

    [Fact]
    public async Task A_forged_event_slipped_into_the_history_is_caught_where_it_sits()
    {
        var sequence = await MiddleSequenceAsync();
        // Placed before every other event: the only place a superuser finds a free sequence inside history.
        var first = await TamperedAsync($"""
            CREATE TEMP TABLE forged AS SELECT * FROM readiness.mt_events WHERE seq_id = {sequence};
            UPDATE forged SET seq_id = 0, id = gen_random_uuid(), version = 100000;
            INSERT INTO readiness.mt_events SELECT * FROM forged;
            """);

        Assert.Equal(0, first.Position);
        Assert.Equal(0, first.Sequence);
    }

    [Fact]
    public async Task A_store_rebuilt_whole_and_self_consistent_fails_against_a_head_kept_outside()
    {
        var exportBefore = Path.GetTempFileName();
        var headFile = Path.GetTempFileName();
        var jwksFile = Path.GetTempFileName();
        var exportAfter = Path.GetTempFileName();
        try
        {
            var kept = File.ReadAllLines(Path.Combine(log.Host.HeadDirectory, "tree-heads.jsonl"))[^1];
            await File.WriteAllTextAsync(headFile, kept);
            await File.WriteAllTextAsync(jwksFile, await Http.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative)));
            await File.WriteAllBytesAsync(exportBefore, await Http.GetByteArrayAsync(new Uri("/api/export", UriKind.Relative)));
            var intact = await CliRun.RunAsync(cli::Readiness.Cli.VerifyCommand.RunAsync, "--head", headFile, "--events", exportBefore, "--jwks", jwksFile);
            Assert.True(intact.Code == 0, intact.Output + intact.Error);
            Assert.Contains("INTACT", intact.Output, StringComparison.Ordinal);

            var sequence = await MiddleSequenceAsync();
            await KeepStoreAsync();
            try
            {
                // The owner rewrites an event and rebuilds the whole log from the rewritten store: the store agrees with itself.
                await ExecuteAsSuperuserAsync($$"""
                    UPDATE readiness.mt_events SET data = jsonb_set(data, '{forged}', '1') WHERE seq_id = {{sequence}};
                    DELETE FROM readiness.log_leaves; DELETE FROM readiness.log_nodes; DELETE FROM readiness.tree_heads;
                    """);
                await log.CatchUpAsync();
                // The silo signs no head over it (LogAnchorTests), and verify holds the store to the head it kept outside.
                var report = await VerifyAsync();
                Assert.False(report.Log!.Intact);

                await File.WriteAllBytesAsync(exportAfter, await Http.GetByteArrayAsync(new Uri("/api/export", UriKind.Relative)));
                var broken = await CliRun.RunAsync(cli::Readiness.Cli.VerifyCommand.RunAsync, "--head", headFile, "--events", exportAfter, "--jwks", jwksFile);
                Assert.True(broken.Code == 1, broken.Output + broken.Error);
                Assert.Contains("BROKEN", broken.Output, StringComparison.Ordinal);
                Assert.Contains("from position 0", broken.Output, StringComparison.Ordinal);
            }
            finally
            {
                await RestoreStoreAsync();
            }
        }
        finally
        {
            foreach (var file in new[] { exportBefore, headFile, jwksFile, exportAfter })
            {
                File.Delete(file);
            }
        }
    }

    private async Task<(string Stream, long Last)> LastOfAStreamAsync()
    {
        var last = await log.Database.ScalarAsync("""
            SELECT e.seq_id FROM readiness.mt_events e JOIN readiness.mt_streams s ON s.id = e.stream_id AND s.version = e.version
            WHERE e.stream_id <> 'mt_tombstone' AND s.version > 2 AND e.seq_id < (SELECT max(seq_id) FROM readiness.mt_events) / 2
            ORDER BY e.seq_id DESC LIMIT 1
            """);
        var stream = (await log.Database.ScalarTextAsync($"SELECT stream_id FROM readiness.mt_events WHERE seq_id = {last}"))!;
        return (stream, last);
    }

    [Fact]
    public async Task Verify_of_the_whole_store_stays_fast()
    {
        var watch = Stopwatch.StartNew();
        var report = await VerifyAsync();
        Assert.True(report.Log!.EventsPerSecond > 1000, $"{report.Log.EventsPerSecond} events/s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
    }
}
