using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo that looks at the store only once a minute: whatever reaches its live stream sooner was announced by its own daemon's commit.</summary>
public sealed class SlowPollingSilo() : OwnSilo("live_push", new Dictionary<string, string> { ["Readiness:Live:StorePollInterval"] = "00:01:00" });

public sealed class LivePushTests(SlowPollingSilo silo) : IClassFixture<SlowPollingSilo>
{
    [Fact]
    public async Task The_daemon_s_commit_reaches_the_live_stream_within_a_second_without_waiting_for_a_look_at_the_store()
    {
        var province = $"p{Guid.NewGuid():N}"[..12];
        var commune = $"{province}/district-a/commune-1";
        await AcceptAsync(new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh thử", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));
        await AcceptAsync(new RegisterUnit(SiloFixture.NewId(), $"{province}/district-a", "Huyện thử", Echelon.District, null, 20, DateTimeOffset.UtcNow.AddYears(-1)));
        await AcceptAsync(new RegisterUnit(SiloFixture.NewId(), commune, "Xã thử", Echelon.Commune, null, 10, DateTimeOffset.UtcNow.AddYears(-1)));
        Assert.NotNull(await silo.Database.RosterCatchesUpAsync(TimeSpan.FromSeconds(30)));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/provinces/{province}/live");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await silo.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, patience.Token);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(patience.Token));
        var first = await NextViewAsync(reader, patience.Token);
        Assert.Equal(0, Strength(first));

        var clock = Stopwatch.StartNew();
        await AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), commune, ForceType.MilitiaSelfDefence, 3));
        ProvinceReadinessView view;
        do
        {
            view = await NextViewAsync(reader, patience.Token);
        }
        while (Strength(view) != 3);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1),
            $"The change reached the stream {clock.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)} ms after it was sent, on a silo that looks at the store once a minute.");
    }

    private async Task AcceptAsync(IUnitCommand command)
    {
        var result = await silo.Host.Grains.GetGrain<IUnitGrain>(command.UnitId).Execute(command);
        Assert.True(result.Accepted, result.Rejection?.Message);
    }

    private static int Strength(ProvinceReadinessView view) =>
        view.Districts.SelectMany(d => d.Communes).SingleOrDefault()?.ActualStrength ?? -1;

    private static async Task<ProvinceReadinessView> NextViewAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using var data = JsonDocument.Parse(line[6..]);
                return data.RootElement.GetProperty("view").Deserialize<ProvinceReadinessView>(SiloFixture.Json)!;
            }
        }
        throw new InvalidOperationException("The stream ended.");
    }
}
