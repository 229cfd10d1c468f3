using System.Diagnostics.Metrics;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Store;
using Readiness.Store.Projections;
using Readiness.Silo.Audit;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo of its own: the test breaks a province's history in its database on purpose.</summary>
public sealed class CheckpointSiloFixture() : OwnSilo("checkpoints");

public class CheckpointerTests(CheckpointSiloFixture fixture) : IClassFixture<CheckpointSiloFixture>
{
    [Fact]
    public async Task A_province_whose_checkpoints_fail_is_counted_and_the_provinces_after_it_still_get_theirs()
    {
        var at = DateTimeOffset.UtcNow.AddMonths(-5);
        // Ordinal order puts the broken province first, where it used to stop the whole pass.
        var broken = "a" + Guid.NewGuid().ToString("N")[..10];
        var sound = "z" + Guid.NewGuid().ToString("N")[..10];
        foreach (var province in new[] { broken, sound })
        {
            var result = await fixture.Host.Grains.GetGrain<IUnitGrain>(province)
                .Execute(new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh " + province, Echelon.Province, null, 100, at));
            Assert.True(result.Accepted, result.Rejection?.Message);
        }
        Assert.NotNull(await fixture.Database.RosterCatchesUpAsync(TimeSpan.FromSeconds(30)));
        // What the rules now refuse, but a store written before them may hold: a unit registered in year 1,
        // whose first month cannot even be expressed in Vietnam time.
        await fixture.Database.ScalarAsync(
            "UPDATE readiness.mt_events SET headers = jsonb_set(headers, '{occurred-at}', '\"0001-01-01T00:00:00.0000000Z\"') WHERE stream_id = @stream",
            ("stream", broken));
        var checkpointer = fixture.Host.Services.GetRequiredService<RosterCheckpointer>();
        var counted = new List<string>();
        using var listener = Counting(fixture.Host.Services.GetRequiredService<ReadinessTelemetry>().Meter, counted);

        var failed = await checkpointer.RefreshAllAsync(backlog: 0, CancellationToken.None);

        Assert.Equal([broken], failed);
        Assert.Equal([broken], counted);
        await using var session = fixture.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        Assert.Equal(0, await session.Query<RosterCheckpoint>().CountAsync(c => c.ProvinceId == broken));
        Assert.InRange(await session.Query<RosterCheckpoint>().CountAsync(c => c.ProvinceId == sound), 4, 6);
    }

    private static MeterListener Counting(Meter meter, List<string> provinces)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter && instrument.Name == "readiness.checkpoints.failed")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "province")
                {
                    lock (provinces)
                    {
                        provinces.Add((string)tag.Value!);
                    }
                }
            }
        });
        listener.Start();
        return listener;
    }
}
