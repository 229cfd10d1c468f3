using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Silo.Audit;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The province holds its own log to account: heads and reports are signed by keys of their own for one
/// purpose each, an unsigned head is never passed as signed, the writer signs nothing that does not extend
/// the head it kept outside the database, and one stream's verify sees its tail cut. Each tampering is done
/// as the database's owner would, and undone after.
/// </summary>
public sealed class LogAnchorTests(LogSiloFixture log) : IClassFixture<LogSiloFixture>
{
    private static readonly string[] KeptTables = ["mt_streams", "mt_events", "log_leaves", "log_nodes", "tree_heads"];

    private HttpClient Http => log.Http;

    [Fact]
    public async Task A_heads_signature_never_passes_for_a_reports_nor_a_report_keys_signature_for_a_heads()
    {
        var head = (await Http.GetFromJsonAsync<TreeHeadPage>(new Uri("/api/audit/tree-heads?limit=1", UriKind.Relative), SiloFixture.Json))!.Heads[0];
        var jwks = await Http.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));
        var payload = Encoding.UTF8.GetBytes(TreeHeadText.Payload(head));

        // The head names its purpose and its log under its signature, and holds as a head.
        Assert.Equal(log.Database.Name, head.Log);
        Assert.Contains("\"purpose\":\"readiness-tree-head/v1\"", TreeHeadText.Payload(head), StringComparison.Ordinal);
        Assert.Null(SignedHead.SignatureProblem(head, jwks));

        // Presented to the echelon above as a report, it is refused.
        Assert.NotNull(SignedReport.SignatureProblem(payload, head.Signature!, jwks));

        // The report key signing a head's exact payload (what one key for both allowed) makes no head.
        using var reportKey = Es256Key.FromPem(SiloHost.ReportKeyPem, "the test report key");
        var byReportKey = head with { KeyId = reportKey.KeyId, Signature = reportKey.SignDetached(payload) };
        Assert.NotNull(SignedHead.SignatureProblem(byReportKey, jwks));
        Assert.False(log.Host.Services.GetRequiredService<TreeHeadSigner>().Holds(byReportKey, head.Log!));

        // Nor does a head of another database's log pass for this one's.
        Assert.NotNull(SignedHead.SignatureProblem(head with { Log = "another" }, jwks));
    }

    [Fact]
    public async Task A_head_stored_without_a_signature_is_reported_unsigned_and_the_log_not_intact()
    {
        await KeepStoreAsync();
        try
        {
            await ExecuteAsOwnerAsync("UPDATE readiness.tree_heads SET key_id = NULL, signature = NULL WHERE size = (SELECT max(size) FROM readiness.tree_heads)");

            var report = await VerifyAsync();

            Assert.False(report.Intact);
            Assert.False(report.Log!.Intact);
            Assert.False(report.Log.HeadSignatureValid);
            Assert.Null(report.Log.LatestHead!.Signature);
            Assert.Contains("unsigned", report.Log.FirstDisagreement!.Problem, StringComparison.Ordinal);
        }
        finally
        {
            await RestoreStoreAsync();
        }
    }

    [Fact]
    public async Task A_history_rewritten_and_relogged_by_the_owner_gets_no_new_head_but_an_alarm_and_verify_does_not_pass_it()
    {
        var kept = log.Writer.KeptHead();
        Assert.NotNull(kept);
        var fileBefore = await File.ReadAllTextAsync(log.Writer.HeadFile, TestContext.Current.CancellationToken);
        var sequence = await log.Database.ScalarAsync("SELECT min(seq_id) + 10 FROM readiness.mt_events WHERE stream_id <> 'mt_tombstone'");
        await KeepStoreAsync();
        try
        {
            await ExecuteAsOwnerAsync($$"""
                UPDATE readiness.mt_events SET data = jsonb_set(data, '{forged}', '1') WHERE seq_id = {{sequence}};
                DELETE FROM readiness.log_leaves; DELETE FROM readiness.log_nodes; DELETE FROM readiness.tree_heads;
                """);

            await log.CatchUpAsync();

            // The log is rebuilt over the changed history, but no head is signed over it.
            Assert.Equal(await log.ReportedAsync(), await log.LeavesAsync());
            Assert.Equal(0, await log.Database.ScalarAsync("SELECT count(*) FROM readiness.tree_heads"));
            Assert.Equal(fileBefore, await File.ReadAllTextAsync(log.Writer.HeadFile, TestContext.Current.CancellationToken));
            var alarm = Assert.Single(log.Host.Services.GetRequiredService<AuditAlarms>().Raised);
            Assert.Contains("does not extend the last head kept", alarm.Value, StringComparison.Ordinal);
            using var ready = await Http.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Contains("Degraded", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

            // The whole-store verify holds the store to the kept head, not to the log it rebuilt.
            var report = await VerifyAsync();
            Assert.False(report.Intact);
            Assert.False(report.Log!.Intact);
            Assert.False(report.Log.HeadSignatureValid);
            Assert.Equal(kept.Size, report.Log.KeptHead!.Size);
            Assert.Contains($"size {kept.Size}", report.Log.FirstDisagreement!.Problem, StringComparison.Ordinal);
        }
        finally
        {
            await RestoreStoreAsync();
        }
    }

    [Fact]
    public async Task A_log_deleted_but_history_untouched_is_rebuilt_and_signed_again_without_an_alarm()
    {
        await KeepStoreAsync();
        try
        {
            await ExecuteAsOwnerAsync("DELETE FROM readiness.log_leaves; DELETE FROM readiness.log_nodes; DELETE FROM readiness.tree_heads;");

            await log.CatchUpAsync();

            Assert.True(await log.Database.ScalarAsync("SELECT count(*) FROM readiness.tree_heads") > 0);
            Assert.Empty(log.Host.Services.GetRequiredService<AuditAlarms>().Raised);
            var report = await VerifyAsync();
            Assert.True(report.Intact, report.Log?.FirstDisagreement?.Problem);
            Assert.True(report.Log!.HeadSignatureValid);
        }
        finally
        {
            await RestoreStoreAsync();
        }
    }

    [Fact]
    public async Task One_streams_verify_sees_its_tail_cut_and_its_version_lowered_by_the_owner()
    {
        var stream = await log.Database.ScalarTextAsync("""
            SELECT s.id FROM readiness.mt_streams s JOIN readiness.log_leaves l ON l.seq_id = (SELECT max(seq_id) FROM readiness.mt_events e WHERE e.stream_id = s.id)
            WHERE s.id <> 'mt_tombstone' AND s.version > 2 ORDER BY s.id LIMIT 1
            """);
        var last = await log.Database.ScalarAsync("SELECT max(seq_id) FROM readiness.mt_events WHERE stream_id = @s", ("s", stream!));
        var address = $"/api/audit/verify?stream={Uri.EscapeDataString(stream!)}";
        var before = (await Http.GetFromJsonAsync<VerifyReport>(new Uri(address, UriKind.Relative), SiloFixture.Json))!;
        Assert.True(before.Intact, before.FirstBreak?.Problem);
        await KeepStoreAsync();
        try
        {
            await ExecuteAsOwnerAsync($"""
                DELETE FROM readiness.mt_events WHERE seq_id = {last};
                UPDATE readiness.mt_streams SET version = version - 1 WHERE id = '{stream}';
                """);

            var report = (await Http.GetFromJsonAsync<VerifyReport>(new Uri(address, UriKind.Relative), SiloFixture.Json))!;

            Assert.False(report.Intact);
            Assert.Equal(stream, report.FirstBreak!.Stream);
            Assert.Contains($"sequence {last}", report.FirstBreak.Problem, StringComparison.Ordinal);
            Assert.Contains("no longer holds", report.FirstBreak.Problem, StringComparison.Ordinal);
        }
        finally
        {
            await RestoreStoreAsync();
        }
    }

    [Fact]
    public void The_head_file_is_where_the_silo_was_started_not_under_its_content_root()
    {
        var environment = log.Host.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostEnvironment>();
        using var database = NpgsqlDataSource.Create(log.Database.AppConnectionString);
        var writer = new MerkleLogWriter(null!, database, log.Host.Services.GetRequiredService<TreeHeadSigner>(),
            Microsoft.Extensions.Options.Options.Create(new LogOptions()), log.Host.Services.GetRequiredService<AuditAlarms>(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MerkleLogWriter>.Instance);

        // As docs/audit.md says: .local/tree-heads/tree-heads.jsonl from where the silo started, as .local/dev-token is.
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), ".local", "tree-heads", "tree-heads.jsonl"), writer.HeadFile);
        Assert.NotEqual(Path.GetFullPath(Directory.GetCurrentDirectory()), Path.GetFullPath(environment.ContentRootPath));
        Assert.False(writer.HeadFile.StartsWith(Path.GetFullPath(environment.ContentRootPath) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    private async Task<VerifyReport> VerifyAsync() =>
        (await Http.GetFromJsonAsync<VerifyReport>(new Uri("/api/audit/verify", UriKind.Relative), SiloFixture.Json))!;

    /// <summary>As the database's owner: what the silo's own role may not do (update, delete) is what is tried here.</summary>
    private async Task ExecuteAsOwnerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(log.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private Task KeepStoreAsync() => ExecuteAsOwnerAsync(string.Join('\n',
        KeptTables.Select(t => $"DROP TABLE IF EXISTS public.anchor_{t}; CREATE TABLE public.anchor_{t} AS TABLE readiness.{t};")));

    private async Task RestoreStoreAsync()
    {
        await ExecuteAsOwnerAsync($"""
            BEGIN;
            {string.Join('\n', KeptTables.Reverse().Select(t => $"DELETE FROM readiness.{t};"))}
            {string.Join('\n', KeptTables.Select(t => $"INSERT INTO readiness.{t} SELECT * FROM public.anchor_{t};"))}
            COMMIT;
            {string.Join('\n', KeptTables.Select(t => $"DROP TABLE public.anchor_{t};"))}
            """);
        // The next head over the store as it was extends the kept one, and clears any alarm.
        await log.CatchUpAsync();
    }
}
