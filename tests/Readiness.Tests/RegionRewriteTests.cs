using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Silo.Audit;
using Readiness.Silo.Hosting;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A province's silo reporting to a region's silo every few seconds, each on a database of its own, for a
/// test that rewrites the province's history as its database's owner would: a class of its own, since the
/// province it spoils is no use to any other test.
/// </summary>
public sealed class RewriteFixture : IAsyncLifetime
{
    public const string ProvinceId = "tinh-sua";
    public const int IntervalSeconds = 3;

    public int RegionPort { get; } = LoopbackPorts.Next();
    private readonly string regionKeyPem = Es256Key.NewPem();
    private readonly string witnessKeys = Path.Combine(Path.GetTempPath(), "readiness-tests", $"witness-{Guid.NewGuid():N}.jwks.json");
    public TestDatabase ProvinceDatabase { get; private set; } = null!;
    public TestDatabase RegionDatabase { get; private set; } = null!;
    public SiloHost Province { get; private set; } = null!;
    public SiloHost Region { get; private set; } = null!;
    public HttpClient RegionHttp { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Federation.PinWitnessKey(witnessKeys, regionKeyPem);
        var cluster = await PostgresCluster.EnsureStartedAsync();
        ProvinceDatabase = await cluster.CreateDatabaseAsync("rewritten");
        RegionDatabase = await cluster.CreateDatabaseAsync("witness");
        Province = new SiloHost(ProvinceDatabase, loadDemo: false, settings: Federation.ProvinceReportingTo(RegionPort, witnessKeys, IntervalSeconds));
        (await Province.StartAndWaitUntilReadyAsync()).Dispose();
        await Province.Grains.GetGrain<IUnitGrain>(ProvinceId).Execute(
            new RegisterUnit(SiloFixture.NewId(), ProvinceId, "Tỉnh sửa sử", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));
        for (var i = 0; i < 5; i++)
        {
            await Province.Grains.GetGrain<IUnitGrain>($"{ProvinceId}/huyen-{i}").Execute(
                new RegisterUnit(SiloFixture.NewId(), $"{ProvinceId}/huyen-{i}", $"Huyện {i}", Echelon.District, ProvinceId, 20, DateTimeOffset.UtcNow.AddYears(-1)));
        }
        Region = new SiloHost(RegionDatabase, loadDemo: false, settings: Federation.Region(regionKeyPem, [Federation.SiloHostProvince(ProvinceId, IntervalSeconds)]),
            httpPort: RegionPort);
        RegionHttp = await Region.StartAndWaitUntilReadyAsync();
    }

    public MerkleLogWriter Writer => Province.Services.GetRequiredService<AuditDatabases>().Main.Writer;

    public async Task<WitnessedProvince> WitnessedAsync() =>
        (await RegionHttp.GetFromJsonAsync<List<WitnessedProvince>>(new Uri("/api/region/provinces", UriKind.Relative), SiloFixture.Json))!.Single(p => p.Id == ProvinceId);

    public async ValueTask DisposeAsync()
    {
        RegionHttp.Dispose();
        await Region.DisposeAsync();
        await Province.DisposeAsync();
        await RegionDatabase.DisposeAsync();
        await ProvinceDatabase.DisposeAsync();
        File.Delete(witnessKeys);
    }
}

public class RegionRewriteTests(RewriteFixture rewrite) : IClassFixture<RewriteFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<T> Eventually<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan patience)
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        while (true)
        {
            var value = await read();
            if (done(value) || DateTimeOffset.UtcNow > deadline)
            {
                return value;
            }
            await Task.Delay(100, Cancel);
        }
    }

    [Fact]
    public async Task A_province_rewritten_and_relogged_by_its_owner_signs_nothing_while_the_region_cosigned_head_stands_and_once_that_is_gone_the_region_raises_history_rewritten_within_one_interval()
    {
        // The region has witnessed the province's log, and the province kept the head it cosigned.
        var witnessed = await Eventually(rewrite.WitnessedAsync, p => p.WitnessedHead is not null, TimeSpan.FromSeconds(60));
        Assert.NotNull(witnessed.WitnessedHead);
        await Eventually(() => Task.FromResult(File.Exists(rewrite.Writer.CosignedFile)), kept => kept, TimeSpan.FromSeconds(30));
        Assert.True(File.Exists(rewrite.Writer.CosignedFile));

        // The owner changes an old event, deletes the log and the head file beside it: only the region's cosigned head is left.
        // Between two passes of the writer (its lock held): a pass under way would write the head file again after its
        // removal, or append leaves after the rows were deleted, and the alarm would then be about something else.
        await using (var owner = new NpgsqlConnection(rewrite.ProvinceDatabase.SuperuserConnectionString))
        {
            await owner.OpenAsync(Cancel);
            await using var betweenPasses = await AdvisoryLock.AcquireAsync(owner, AdvisoryLockKey.MerkleLog, Cancel);
            File.Delete(rewrite.Writer.HeadFile);
            // The third event stored, not the third sequence number: a number left unused by a rolled-back append would change nothing.
            await using var forging = new NpgsqlCommand("""
                UPDATE readiness.mt_events SET data = jsonb_set(data, '{forged}', '1')
                WHERE seq_id = (SELECT seq_id FROM readiness.mt_events WHERE stream_id <> 'mt_tombstone' ORDER BY seq_id OFFSET 2 LIMIT 1)
                """, owner);
            Assert.Equal(1, await forging.ExecuteNonQueryAsync(Cancel));
            await using var unlogging = new NpgsqlCommand("DELETE FROM readiness.log_leaves; DELETE FROM readiness.log_nodes; DELETE FROM readiness.tree_heads;", owner);
            await unlogging.ExecuteNonQueryAsync(Cancel);
        }
        var alarms = rewrite.Province.Services.GetRequiredService<AuditAlarms>();
        var raised = await Eventually(() => Task.FromResult(alarms.Raised.Values.FirstOrDefault(a => a.Contains(rewrite.Writer.CosignedFile, StringComparison.Ordinal))),
            alarm => alarm is not null, TimeSpan.FromSeconds(30));
        Assert.NotNull(raised);
        Assert.Contains("does not extend the last head kept in", raised, StringComparison.Ordinal);
        // The log is rebuilt, and stays unsigned for two more head intervals.
        await Task.Delay(TimeSpan.FromSeconds(2), Cancel);
        Assert.Equal(0, await rewrite.ProvinceDatabase.ScalarAsync("SELECT count(*) FROM readiness.tree_heads"));
        Assert.False(File.Exists(rewrite.Writer.HeadFile));
        // Its reports then carry no head, and the region says so: a province that stops showing its log is an alarm too.
        var headless = await Eventually(rewrite.WitnessedAsync, p => p.Alarm is not null, TimeSpan.FromSeconds(RewriteFixture.IntervalSeconds * 3));
        Assert.Contains("carries no tree head", headless.Alarm, StringComparison.Ordinal);

        // The owner deletes the cosigned file too: the province signs over the rewritten log, and its next report
        // shows the region a head that does not extend the one it witnessed.
        File.Delete(rewrite.Writer.CosignedFile);
        var clock = Stopwatch.StartNew();
        var refused = await Eventually(rewrite.WitnessedAsync, p => p.Alarm?.Contains("History rewritten", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(RewriteFixture.IntervalSeconds * 4));
        var elapsed = clock.Elapsed;
        Assert.Contains($"History rewritten at province {RewriteFixture.ProvinceId}", refused.Alarm, StringComparison.Ordinal);
        Assert.Equal(witnessed.WitnessedHead!.Root, refused.WitnessedHead!.Root);
        Assert.Contains($"History rewritten at province {RewriteFixture.ProvinceId}",
            rewrite.Region.Services.GetRequiredService<AuditAlarms>().Raised[$"province {RewriteFixture.ProvinceId}"], StringComparison.Ordinal);
        // Within one report interval, plus a head interval (1 s) for the province to sign and a poll (1 s) to send.
        Assert.True(elapsed < TimeSpan.FromSeconds(RewriteFixture.IntervalSeconds + 2 + 2),
            $"The region raised the alarm {elapsed.TotalSeconds:F1} s after the last anchor on the province's machine was gone.");
        TestContext.Current.SendDiagnosticMessage($"From the cosigned file's removal to the region's alarm: {elapsed.TotalSeconds:F2} s (report interval {RewriteFixture.IntervalSeconds} s)");
    }
}
