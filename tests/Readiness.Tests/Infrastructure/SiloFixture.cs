using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Readiness.Abstractions;
using Readiness.Contracts;

[assembly: AssemblyFixture(typeof(Readiness.Tests.Infrastructure.SiloFixture))]

namespace Readiness.Tests.Infrastructure;

/// <summary>One silo with the demo province loaded, shared by the tests of this assembly.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public IGrainFactory Grains => Host.Grains;

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        Database = await cluster.CreateDatabaseAsync("shared");
        // Tests here send thousands of requests under one subject; RateLimitTests has a silo of its own.
        Host = new SiloHost(Database, loadDemo: true, settings: new Dictionary<string, string>
        {
            ["Readiness:RateLimit:PermitsPerSecond"] = "100000",
            ["Readiness:RateLimit:Burst"] = "100000",
        });
        Http = await Host.StartAndWaitUntilReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>A province of its own for one test, with one district and one commune, so tests never share figures.</summary>
    public async Task<TestProvince> NewProvinceAsync(int communeAuthorised = 10, DateTimeOffset? registeredAt = null)
    {
        var province = $"t{Guid.NewGuid():N}"[..12];
        var tree = new TestProvince(province, $"{province}/district-a", $"{province}/district-a/commune-1");
        var at = registeredAt ?? DateTimeOffset.UtcNow.AddYears(-1);
        await AcceptAsync(new RegisterUnit(NewId(), tree.ProvinceId, "Test province", Echelon.Province, null, 100, at));
        await AcceptAsync(new RegisterUnit(NewId(), tree.DistrictId, "Test district", Echelon.District, null, 20, at));
        await AcceptAsync(new RegisterUnit(NewId(), tree.CommuneId, "Test commune", Echelon.Commune, null, communeAuthorised, at));
        return tree;
    }

    /// <summary>Sends a unit command straight to its grain and insists it is accepted.</summary>
    public async Task<CommandResult> AcceptAsync(IUnitCommand command)
    {
        var result = await Grains.GetGrain<IUnitGrain>(command.UnitId).Execute(command);
        Assert.True(result.Accepted, result.Rejection?.Message);
        return result;
    }

    /// <summary>Records the trainings a unit's echelon needs, so the training area does not decide its level.</summary>
    public async Task TrainAsync(string unitId, int count = 4)
    {
        for (var n = 0; n < count; n++)
        {
            await AcceptAsync(new RecordTraining(NewId(), unitId, $"Bài {n}", 10, Grade.Good, DateTimeOffset.UtcNow.AddDays(-n - 1)));
        }
    }

    /// <summary>Polls a view until it satisfies the condition: the province view is built asynchronously.</summary>
    public async Task<T> EventuallyAsync<T>(string path, Func<T, bool> condition, TimeSpan? patience = null)
    {
        var deadline = DateTimeOffset.UtcNow + (patience ?? TimeSpan.FromSeconds(15));
        T? last = default;
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var response = await Http.GetAsync(new Uri(path, UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                last = (await response.Content.ReadFromJsonAsync<T>(Json))!;
                if (condition(last))
                {
                    return last;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{path} did not reach the expected state; last seen: {JsonSerializer.Serialize(last, Json)}");
    }

    /// <summary>Waits until the asynchronous projections have applied every event appended so far.</summary>
    public async Task WaitForProjectionsAsync() =>
        Assert.True(await Database.RosterCatchesUpAsync(TimeSpan.FromSeconds(30)) is not null, "The province projection did not catch up within 30 s.");

    public static string NewId() => Guid.NewGuid().ToString();
}

public sealed record TestProvince(string ProvinceId, string DistrictId, string CommuneId);
