extern alias cli;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain.Integrity;
using Readiness.Store;
using Readiness.Silo.Audit;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// One silo over two databases: the main one, and a second that the map gives one province. Each
/// database keeps its own events, roster and daemon; the views that span provinces read both.
/// </summary>
public sealed class TwoDatabaseSilo : IAsyncLifetime
{
    public const string SecondName = "second";

    public TestDatabase Main { get; private set; } = null!;
    public TestDatabase Second { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The province the map puts in the second database.</summary>
    public string SecondProvince { get; } = $"s{Guid.NewGuid():N}"[..12];

    /// <summary>A province the map leaves in the main database.</summary>
    public string FirstProvince { get; } = $"f{Guid.NewGuid():N}"[..12];

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        Main = await cluster.CreateDatabaseAsync("twodb_main");
        Second = await cluster.CreateDatabaseAsync("twodb_second", cluster: false);
        Host = new SiloHost(Main, loadDemo: false, settings: new Dictionary<string, string>
        {
            ["Readiness:Databases:0:Name"] = SecondName,
            ["Readiness:Databases:0:Connection"] = Second.AppConnectionString,
            ["Readiness:Databases:0:Provinces:0"] = SecondProvince,
        });
        Http = await Host.StartAndWaitUntilReadyAsync();
        foreach (var province in new[] { FirstProvince, SecondProvince })
        {
            await Register(province, $"Tỉnh {province}", Echelon.Province);
            await Register($"{province}/district-a", "Huyện A", Echelon.District);
            await Register($"{province}/district-a/commune-1", "Xã 1", Echelon.Commune);
        }
    }

    private async Task Register(string unitId, string name, Echelon echelon)
    {
        var result = await Host.Grains.GetGrain<IUnitGrain>(unitId)
            .Execute(new RegisterUnit(SiloFixture.NewId(), unitId, name, echelon, null, 10, DateTimeOffset.UtcNow.AddDays(-30)));
        Assert.True(result.Accepted, result.Rejection?.Message);
    }

    /// <summary>
    /// After a test has cut the second database's connections: ClearAllPools does not reach the silo's
    /// own data sources, so their idle connections are dead and would answer the class's next test
    /// with a 503. Empties them and waits until a read from that database answers.
    /// </summary>
    public async Task SecondDatabaseAnswersAgainAsync()
    {
        Host.Services.GetRequiredService<ProvinceDatabases>().Named(SecondName)!.DataSource.Clear();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        var path = new Uri($"/api/history?unit={Uri.EscapeDataString($"{SecondProvince}/district-a/commune-1")}", UriKind.Relative);
        while (true)
        {
            using var response = await Http.GetAsync(path);
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            Assert.True(DateTimeOffset.UtcNow < deadline, $"The second database still does not answer reads: {(int)response.StatusCode}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Second.DisposeAsync();
        await Main.DisposeAsync();
    }
}

public sealed class ProvinceDatabaseTests(TwoDatabaseSilo silo) : IClassFixture<TwoDatabaseSilo>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    [Fact]
    public async Task Each_province_s_events_and_roster_live_in_the_database_the_map_names_and_the_views_span_both()
    {
        var first = silo.FirstProvince;
        var second = silo.SecondProvince;
        Assert.Equal(3, await CountStreams(silo.Main, first));
        Assert.Equal(0, await CountStreams(silo.Main, second));
        Assert.Equal(3, await CountStreams(silo.Second, second));
        Assert.Equal(0, await CountStreams(silo.Second, first));

        // Each database's own daemon projects its own provinces' rosters, into that database.
        Assert.NotNull(await silo.Second.RosterCatchesUpAsync(TimeSpan.FromSeconds(30)));
        Assert.NotNull(await silo.Main.RosterCatchesUpAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await silo.Second.ScalarAsync("SELECT count(*) FROM readiness.mt_doc_provinceroster WHERE province_id = @p", ("p", second)) > 0);
        Assert.Equal(0, await silo.Main.ScalarAsync("SELECT count(*) FROM readiness.mt_doc_provinceroster WHERE province_id = @p", ("p", second)));

        foreach (var province in new[] { first, second })
        {
            var view = await Eventually<ProvinceReadinessView>($"/api/provinces/{province}/readiness", v => v.Units.Total == 3);
            Assert.Equal(province, view.Id);
            var unit = await Get<UnitReadinessView>($"/api/units/{province}/district-a/commune-1");
            Assert.Equal("Xã 1", unit.Name);
            var before = await Get<ProvinceReadinessView>($"/api/provinces/{province}/readiness?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"))}");
            Assert.Equal(3, before.Units.Total);
        }

        var region = await Get<List<ProvinceAtAGlance>>("/api/region/provinces");
        Assert.Contains(region, p => p.Id == first);
        Assert.Contains(region, p => p.Id == second);

        var lags = await Get<List<JsonElement>>("/api/projections");
        Assert.Equal(["main", TwoDatabaseSilo.SecondName], lags.Select(l => l.GetProperty("database").GetString()).Distinct().Order().ToArray());
    }

    [Fact]
    public async Task History_verification_the_Merkle_log_export_and_rebuild_work_per_database()
    {
        var second = silo.SecondProvince;
        var commune = $"{second}/district-a/commune-1";
        var inSecond = await silo.Second.CountAllEventsAsync();
        var inMain = await silo.Main.CountAllEventsAsync();

        var history = await Get<HistoryPage>($"/api/history?unit={Uri.EscapeDataString(commune)}");
        Assert.Equal(commune, Assert.Single(history.Events).Stream);
        var heads = await Get<List<ChainHead>>($"/api/provinces/{second}/chain-heads");
        Assert.Equal(3, heads.Count);

        var everywhere = await Get<VerifyReport>("/api/audit/verify");
        Assert.True(everywhere.Intact, JsonSerializer.Serialize(everywhere, Json));
        Assert.Equal(["main", TwoDatabaseSilo.SecondName], everywhere.Databases!.Select(d => d.Database).ToArray());
        Assert.Equal(inMain + inSecond, everywhere.EventsChecked);
        var secondOnly = await Get<VerifyReport>($"/api/audit/verify?database={TwoDatabaseSilo.SecondName}");
        Assert.True(secondOnly.Intact && secondOnly.EventsChecked == inSecond && secondOnly.Log is { Intact: true },
            JsonSerializer.Serialize(secondOnly, Json));

        // The second database's own log: its heads count its events alone, and prove them.
        var head = await EventuallyHead(TwoDatabaseSilo.SecondName, inSecond);
        var eventId = history.Events[0].EventId;
        var proof = await Get<InclusionProof>($"/api/audit/proof/inclusion?event={eventId}&treeSize={head.Size}&database={TwoDatabaseSilo.SecondName}");
        Assert.Equal(eventId, proof.EventId);
        // The root recomputed from the event's leaf and the audit path is the second database's head's.
        Assert.True(MerkleLog.VerifyInclusion(Convert.FromBase64String(proof.LeafHash), proof.LeafIndex, head.Size,
            [.. proof.AuditPath.Select(Convert.FromBase64String)], Convert.FromBase64String(head.Root)),
            $"The inclusion proof of {eventId} does not lead to the root of the second database's head of {head.Size}: {JsonSerializer.Serialize(proof, Json)}");
        using (var inMainLog = await silo.Http.GetAsync(new Uri($"/api/audit/proof/inclusion?event={eventId}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, inMainLog.StatusCode);
        }

        var exported = await silo.Http.GetStringAsync(new Uri($"/api/export?database={TwoDatabaseSilo.SecondName}", UriKind.Relative));
        Assert.Equal(inSecond, exported.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(second, exported, StringComparison.Ordinal);
        using (var whole = await silo.Http.GetAsync(new Uri("/api/export", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, whole.StatusCode);
            Assert.Contains(TwoDatabaseSilo.SecondName, await whole.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        // The command line names a database the same way.
        var token = silo.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        var url = silo.Host.BaseAddress.ToString();
        var verified = await CliRun.RunAsync(cli::Readiness.Cli.VerifyCommand.RunAsync, "--database", TwoDatabaseSilo.SecondName, "--url", url, "--token", token);
        Assert.True(verified.Code == 0, verified.Error + verified.Output);
        var file = Path.Combine(Path.GetTempPath(), $"second-{Guid.NewGuid():N}.events.jsonl");
        try
        {
            var written = await CliRun.RunAsync(cli::Readiness.Cli.ExportCommand.RunAsync, "--database", TwoDatabaseSilo.SecondName, "--out", file, "--url", url, "--token", token);
            Assert.True(written.Code == 0, written.Error + written.Output);
            Assert.Equal(inSecond, File.ReadLines(file).Count());
        }
        finally
        {
            File.Delete(file);
        }
        using (var unknown = await silo.Http.PostAsync(new Uri("/api/admin/projections/rebuild?database=nowhere", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // The rebuild reads the events the daemon has settled (its high-water mark) and leaves any later
        // ones to it: wait until it has settled and projected every event, or the rebuild has fewer to read.
        Assert.NotNull(await silo.Second.RosterCatchesUpAsync(TimeSpan.FromSeconds(30)));
        var before = await Get<ProvinceReadinessView>($"/api/provinces/{second}/readiness");
        using var started = await silo.Http.PostAsync(new Uri($"/api/admin/projections/rebuild?database={TwoDatabaseSilo.SecondName}", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var job = (await started.Content.ReadFromJsonAsync<RebuildStatus>(Json))!;
        var done = await Eventually<RebuildStatus>($"/api/admin/rebuilds/{job.Id}", s => s.State != RebuildState.Running);
        Assert.True(done.State == RebuildState.Succeeded, done.Error);
        Assert.Equal(inSecond, done.EventsProcessed);
        var after = await Get<ProvinceReadinessView>($"/api/provinces/{second}/readiness");
        Assert.Equal(ComparableViews.Of(before), ComparableViews.Of(after));
    }

    [Fact]
    public async Task A_token_for_one_province_cannot_reach_a_whole_database_by_naming_it()
    {
        using var auditor = silo.Host.ClientWith(silo.Host.Token([silo.FirstProvince], Access.Roles));
        foreach (var path in new[]
        {
            $"/api/export?database={TwoDatabaseSilo.SecondName}",
            "/api/export?database=main",
            $"/api/audit/verify?database={TwoDatabaseSilo.SecondName}",
            $"/api/audit/tree-heads?database={TwoDatabaseSilo.SecondName}",
        })
        {
            using var response = await auditor.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{path}: {(int)response.StatusCode}");
        }
        using var rebuild = await auditor.PostAsync(new Uri($"/api/admin/projections/rebuild?database={TwoDatabaseSilo.SecondName}", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Forbidden, rebuild.StatusCode);
        // Its own province's history and verification still answer, from whichever database holds it.
        using var own = await auditor.GetAsync(new Uri($"/api/audit/verify?area={silo.FirstProvince}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);

        // A district's token: naming a database beside a sibling district's area is refused for the area,
        // and beside its own area for the combination, before anything is read.
        var district = $"{silo.FirstProvince}/district-a";
        using var officer = silo.Host.ClientWith(silo.Host.Token([district], Access.Roles));
        foreach (var (path, status) in new[]
        {
            ($"/api/audit/verify?area={silo.FirstProvince}/district-b&database=main", HttpStatusCode.Forbidden),
            ($"/api/export?area={silo.FirstProvince}/district-b&database=main", HttpStatusCode.Forbidden),
            ($"/api/audit/verify?database=main", HttpStatusCode.Forbidden),
            ($"/api/audit/verify?area={district}&database=main", HttpStatusCode.BadRequest),
            ($"/api/export?area={district}&database={TwoDatabaseSilo.SecondName}", HttpStatusCode.BadRequest),
        })
        {
            using var response = await officer.GetAsync(new Uri(path, UriKind.Relative));
            Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode}, expected {(int)status}");
        }
    }

    [Fact]
    public async Task With_the_second_database_refusing_connections_the_main_database_s_provinces_still_get_their_checkpoints()
    {
        var checkpointer = silo.Host.Services.GetRequiredService<RosterCheckpointer>();
        Assert.NotNull(await silo.Main.RosterCatchesUpAsync(TimeSpan.FromSeconds(30)));
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var admin = new NpgsqlConnection(cluster.SuperuserConnectionString);
        await admin.OpenAsync();
        await Execute(admin, $"ALTER DATABASE \"{silo.Second.Name}\" ALLOW_CONNECTIONS false");
        try
        {
            await Execute(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{silo.Second.Name}' AND pid <> pg_backend_pid()");
            NpgsqlConnection.ClearAllPools();

            var failed = await checkpointer.RefreshAllAsync(backlog: 0, CancellationToken.None);

            Assert.Empty(failed);
            Assert.True(await silo.Main.ScalarAsync("SELECT count(*) FROM readiness.mt_doc_rostercheckpoint WHERE province_id = @p", ("p", silo.FirstProvince)) > 0);
        }
        finally
        {
            await Execute(admin, $"ALTER DATABASE \"{silo.Second.Name}\" ALLOW_CONNECTIONS true");
            await silo.SecondDatabaseAnswersAgainAsync();
        }
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<TreeHead> EventuallyHead(string database, long size)
    {
        var page = await Eventually<TreeHeadPage>($"/api/audit/tree-heads?database={database}", p => p.Heads.Count > 0 && p.Heads[0].Size >= size);
        return page.Heads[0];
    }

    private static Task<long> CountStreams(TestDatabase database, string province) =>
        database.ScalarAsync("SELECT count(*) FROM readiness.mt_streams WHERE id = @p OR id LIKE @under", ("p", province), ("under", province + "/%"));

    private async Task<T> Get<T>(string path)
    {
        using var response = await silo.Http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    private async Task<T> Eventually<T>(string path, Func<T, bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(15);
        while (true)
        {
            using var response = await silo.Http.GetAsync(new Uri(path, UriKind.Relative));
            if (response.IsSuccessStatusCode && (await response.Content.ReadFromJsonAsync<T>(Json))! is var value && condition(value))
            {
                return value;
            }
            Assert.True(DateTimeOffset.UtcNow < deadline, $"{path} did not reach the expected state: {(int)response.StatusCode}");
            await Task.Delay(100);
        }
    }
}
