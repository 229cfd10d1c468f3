using System.Diagnostics;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The Merkle log's writer, as the shared silo runs it with its defaults, meeting a hole in the event sequence.</summary>
public class MerkleLogHoleTests(SiloFixture silo)
{
    [Fact]
    public async Task An_event_after_a_sequence_number_no_append_will_use_is_logged_within_three_seconds_not_after_the_ten_second_gap_wait()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.Database.LeaveSequenceHoleAsync();
        await silo.AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), tree.CommuneId, ForceType.Standing, 1));
        var clock = Stopwatch.StartNew();
        var sequence = await silo.Database.ScalarAsync("SELECT max(seq_id) FROM readiness.mt_events WHERE stream_id = @s", ("s", tree.CommuneId));

        while (await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.log_leaves WHERE seq_id = @s", ("s", sequence)) == 0
               && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(50);
        }

        // The writer polls every 0.5 s and waits 10 s on a hole the daemon has not passed; the daemon
        // passes a dead hole after 0.1 s. Three seconds leave room for a busy machine and none for the wait.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"The event at sequence {sequence} was logged after {clock.Elapsed.TotalMilliseconds:F0} ms.");
    }
}
