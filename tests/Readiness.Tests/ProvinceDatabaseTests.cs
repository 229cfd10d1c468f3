using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Readiness.Abstractions;
using Readiness.Contracts;
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
        var first = $"f{Guid.NewGuid():N}"[..12];
        var second = silo.SecondProvince;
        foreach (var province in new[] { first, second })
        {
            await Register(province, $"Tỉnh {province}", Echelon.Province, null);
            await Register($"{province}/district-a", "Huyện A", Echelon.District, province);
            await Register($"{province}/district-a/commune-1", "Xã 1", Echelon.Commune, $"{province}/district-a");
        }

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

    private async Task Register(string unitId, string name, Echelon echelon, string? parent)
    {
        var command = new RegisterUnit(SiloFixture.NewId(), unitId, name, echelon, parent, 10, DateTimeOffset.UtcNow.AddDays(-30));
        var result = await silo.Host.Grains.GetGrain<IUnitGrain>(unitId).Execute(command);
        Assert.True(result.Accepted, result.Rejection?.Message);
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
