using System.Net.Http.Json;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Grains.Actors;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A long stream activates from a snapshot and the events after it, with the same state, the same
/// answers to retried command ids and the same chain, as a fold from the start; a snapshot the
/// stored events no longer bear out is ignored.
/// </summary>
public class SnapshotTests(SiloFixture silo)
{
    private const int Outreach = UnitGrainBase.SnapshotEvery + 20;

    private static class UnitGrainBase
    {
        public const int SnapshotEvery = EventSourcedGrain<object>.SnapshotEvery;
    }

    private async Task<(TestProvince Tree, string FirstCommandId, CommandResult First)> LongStreamAsync()
    {
        var tree = await silo.NewProvinceAsync();
        var unit = silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId);
        var firstId = SiloFixture.NewId();
        var first = await unit.Execute(new RecordOutreachSession(firstId, tree.CommuneId, "Luật Quốc phòng", 40, DateTimeOffset.UtcNow.AddDays(-30)));
        for (var i = 1; i < Outreach; i++)
        {
            Assert.True((await unit.Execute(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10 + i % 7, DateTimeOffset.UtcNow.AddDays(-30).AddMinutes(i)))).Accepted);
        }
        return (tree, firstId, first);
    }

    private async Task<long> SnapshotVersionAsync(string streamKey)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (true)
        {
            var version = await silo.Database.ScalarAsync("SELECT coalesce((SELECT (data->>'version')::bigint FROM readiness.mt_doc_streamsnapshot WHERE id = @id), 0)", ("id", streamKey));
            if (version > 0 || DateTimeOffset.UtcNow > deadline)
            {
                return version;
            }
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_long_stream_activates_from_its_snapshot_with_the_state_and_the_retries_a_whole_fold_gives()
    {
        var (tree, firstId, first) = await LongStreamAsync();
        var unit = silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId);
        var before = await unit.GetProfile();
        Assert.Equal(UnitGrainBase.SnapshotEvery, await SnapshotVersionAsync(tree.CommuneId));

        using var loads = new StreamLoads(tree.CommuneId);
        await silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await unit.GetProfile();
        var activation = loads.Seen;
        // A command id from before the snapshot is still answered with its first result, and nothing is appended.
        var retry = await unit.Execute(new RecordOutreachSession(firstId, tree.CommuneId, "Luật Quốc phòng", 40, DateTimeOffset.UtcNow.AddDays(-30)));
        // The next event links to the chain the snapshot carried: verify finds the stream intact.
        var next = await unit.Execute(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 5, DateTimeOffset.UtcNow.AddDays(-1)));
        var verified = (await silo.Http.GetFromJsonAsync<VerifyReport>(new Uri($"/api/audit/verify?stream={Uri.EscapeDataString(tree.CommuneId)}", UriKind.Relative),
            SiloFixture.Json, TestContext.Current.CancellationToken))!;

        // A new activation read the snapshot and only the events after it.
        Assert.Equal([new StreamLoad(UnitGrainBase.SnapshotEvery, Outreach + 1 - UnitGrainBase.SnapshotEvery)], activation);
        Assert.Equal(before, after);
        Assert.Equal(Outreach + 1, after!.Version);
        Assert.True(retry.AlreadyApplied);
        Assert.Equal(first.Version, retry.Version);
        Assert.Equal(Outreach + 2, next.Version);
        Assert.Equal(Outreach + 2, await silo.Database.CountEventsAsync(tree.CommuneId));
        Assert.True(verified.Intact);
        Assert.Equal(Outreach + 2, verified.EventsChecked);
    }

    [Fact]
    public async Task A_snapshot_the_stored_events_do_not_bear_out_is_ignored_and_the_stream_folded_from_its_start()
    {
        var (tree, _, _) = await LongStreamAsync();
        var unit = silo.Grains.GetGrain<IUnitGrain>(tree.CommuneId);
        var before = await unit.GetProfile();
        Assert.Equal(UnitGrainBase.SnapshotEvery, await SnapshotVersionAsync(tree.CommuneId));
        // As someone with the database's rights might: the authorised strength inflated, and the link it was taken at changed.
        await silo.Database.ScalarAsync("""
            UPDATE readiness.mt_doc_streamsnapshot
               SET data = jsonb_set(data, '{state}', to_jsonb(regexp_replace(data->>'state', '"AuthorisedStrength":[0-9]+', '"AuthorisedStrength":999')))
             WHERE id = @id
            """, ("id", tree.CommuneId));
        await silo.Database.ScalarAsync("""
            UPDATE readiness.mt_doc_streamsnapshot SET data = jsonb_set(data, '{lastHash}', '"0000"') WHERE id = @id
            """, ("id", tree.CommuneId));

        using var loads = new StreamLoads(tree.CommuneId);
        await silo.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var after = await unit.GetProfile();

        // A new activation folded the whole stream, not the snapshot.
        Assert.Equal([new StreamLoad(0, Outreach + 1)], loads.Seen);
        Assert.Equal(before, after);
    }
}
