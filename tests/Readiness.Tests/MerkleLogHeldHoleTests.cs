using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Silo.Audit;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A database of its own: a hole held open stops its projection daemon too, which the shared silo's
/// other tests must not wait on.
/// </summary>
public sealed class HeldHoleSilo() : OwnSilo("heldhole");

/// <summary>
/// The Merkle log's writer, with its default settings, meeting a hole that an append still in flight
/// holds open: a transaction that took a sequence number and inserted its event, and has not committed.
/// The daemon's high-water mark does not pass such a hole, so only the writer's own wait decides.
/// </summary>
public class MerkleLogHeldHoleTests(HeldHoleSilo silo) : IClassFixture<HeldHoleSilo>
{
    /// <summary>Reading the events, hashing and inserting a few leaves, on a busy machine.</summary>
    private static readonly TimeSpan Handling = TimeSpan.FromSeconds(1);

    private LogOptions Log => silo.Host.Services.GetRequiredService<IOptions<LogOptions>>().Value;

    [Fact]
    public async Task A_hole_an_open_append_holds_is_waited_on_for_GapWait_and_passed_at_the_next_poll_and_the_log_goes_on_past_it()
    {
        var (holder, other) = await TwoCommunesAsync();
        await using var held = await HoldHoleAsync(holder);
        var sinceBeforeCommit = Stopwatch.StartNew();
        var after = await AppendAsync(other);
        var committedBy = sinceBeforeCommit.Elapsed;

        var patience = Log.GapWait + 2 * Log.PollInterval + Handling + TimeSpan.FromSeconds(5);
        var loggedAfter = await LoggedWithinAsync(after, patience, sinceBeforeCommit);

        // The writer first meets the hole at its first poll after the commit, waits GapWait from then, and
        // passes it at the poll that finds GapWait gone: the commit plus GapWait plus up to two polls.
        var bound = committedBy + Log.GapWait + 2 * Log.PollInterval + Handling;
        Assert.True(loggedAfter <= bound,
            $"The event after a hole an open transaction holds was logged {(loggedAfter is { } t ? $"{t.TotalMilliseconds:F0} ms" : $"not within {patience.TotalSeconds:F1} s")} after its commit; " +
                $"GapWait {Log.GapWait.TotalSeconds} s, polls every {Log.PollInterval.TotalMilliseconds} ms: bound {bound.TotalMilliseconds:F0} ms.");
        Assert.True(loggedAfter >= Log.GapWait,
            $"The event after a hole an open transaction holds was logged {loggedAfter?.TotalMilliseconds:F0} ms after its commit: " +
                $"before GapWait ({Log.GapWait.TotalSeconds} s), while that append could still commit into the hole.");
        // Passed as an append that rolled back: no leaf for it, and the next event takes the next position.
        Assert.Equal(0, await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.log_leaves WHERE seq_id = @s", ("s", held.Sequence)));
        Assert.Equal(await PositionAsync(held.Sequence - 1) + 1, await PositionAsync(after));

        // The hole is behind the log now: the next event, with the transaction still open, is not waited on again.
        var sinceNext = Stopwatch.StartNew();
        var next = await AppendAsync(other);
        var nextLogged = await LoggedWithinAsync(next, Log.GapWait, sinceNext);
        Assert.True(nextLogged <= 2 * Log.PollInterval + Handling,
            $"An event after a hole already passed was logged {nextLogged?.TotalMilliseconds:F0} ms after it was sent, with the hole's transaction still open.");
        Assert.True(held.Open, "The hole's transaction ended before the log passed it; the test held nothing open.");
    }

    [Fact]
    public async Task An_append_that_commits_into_its_hole_within_GapWait_is_logged_in_its_place_before_the_event_after_it()
    {
        var (holder, other) = await TwoCommunesAsync();
        await using var held = await HoldHoleAsync(holder);
        var sinceAfter = Stopwatch.StartNew();
        var after = await AppendAsync(other);

        // Long enough for the writer to have polled past the later event several times, well short of GapWait.
        await Task.Delay(4 * Log.PollInterval);
        Assert.True(await PositionAsync(after) is null,
            $"The event after a hole an open transaction holds was in the log {sinceAfter.ElapsedMilliseconds} ms after its commit, " +
                $"before the hole was filled or GapWait ({Log.GapWait.TotalSeconds} s) had passed.");
        await held.CommitAsync();
        var sinceFill = Stopwatch.StartNew();
        Assert.True(sinceAfter.Elapsed < Log.GapWait, "The hole was filled too late to test a fill within GapWait.");

        var filledLogged = await LoggedWithinAsync(held.Sequence, Log.GapWait, sinceFill);
        var afterLogged = await LoggedWithinAsync(after, Log.GapWait, sinceFill);
        Assert.True(filledLogged <= 2 * Log.PollInterval + Handling && afterLogged <= 2 * Log.PollInterval + Handling,
            $"After the hole was filled, its event was logged in {filledLogged?.TotalMilliseconds:F0} ms and the one after it in {afterLogged?.TotalMilliseconds:F0} ms; " +
                $"polls every {Log.PollInterval.TotalMilliseconds} ms.");
        // In sequence order: the filled hole's event, then the one after it, side by side.
        Assert.Equal(await PositionAsync(held.Sequence) + 1, await PositionAsync(after));
        Assert.Equal(await PositionAsync(held.Sequence - 1) + 1, await PositionAsync(held.Sequence));
    }

    private async Task<(string Holder, string Other)> TwoCommunesAsync()
    {
        var province = $"h{Guid.NewGuid():N}"[..12];
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await AcceptAsync(new RegisterUnit(NewId(), province, "Province", Echelon.Province, null, 100, at));
        await AcceptAsync(new RegisterUnit(NewId(), $"{province}/district-a", "District", Echelon.District, null, 20, at));
        await AcceptAsync(new RegisterUnit(NewId(), $"{province}/district-a/commune-1", "Commune 1", Echelon.Commune, null, 10, at));
        await AcceptAsync(new RegisterUnit(NewId(), $"{province}/district-a/commune-2", "Commune 2", Echelon.Commune, null, 10, at));
        return ($"{province}/district-a/commune-1", $"{province}/district-a/commune-2");
    }

    /// <summary>
    /// An append as the application role makes it, left open: the stream's version raised, a sequence
    /// number drawn and the event inserted (a copy of the stream's last, under a command id of its own),
    /// in a transaction that neither commits nor rolls back until told.
    /// </summary>
    private async Task<HeldAppend> HoldHoleAsync(string stream)
    {
        var connection = new NpgsqlConnection(silo.Database.AppConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var append = new NpgsqlCommand("""
            WITH raised AS (UPDATE readiness.mt_streams SET version = version + 1 WHERE id = @stream RETURNING version)
            INSERT INTO readiness.mt_events (seq_id, id, stream_id, version, data, type, mt_dotnet_type, headers, correlation_id, causation_id, tenant_id)
            SELECT nextval('readiness.mt_events_sequence'), gen_random_uuid(), e.stream_id, raised.version, e.data, e.type, e.mt_dotnet_type,
                   e.headers || jsonb_build_object('command-id', gen_random_uuid()::text), e.correlation_id, e.causation_id, e.tenant_id
            FROM readiness.mt_events e, raised WHERE e.stream_id = @stream AND e.version = raised.version - 1
            RETURNING seq_id
            """, connection, transaction);
        append.Parameters.AddWithValue("stream", stream);
        var sequence = (long)(await append.ExecuteScalarAsync())!;
        return new HeldAppend(connection, transaction, sequence);
    }

    private sealed class HeldAppend(NpgsqlConnection connection, NpgsqlTransaction transaction, long sequence) : IAsyncDisposable
    {
        private bool committed;

        public long Sequence => sequence;
        public bool Open => !committed && connection.State == System.Data.ConnectionState.Open;

        public async Task CommitAsync()
        {
            await transaction.CommitAsync();
            committed = true;
        }

        // Uncommitted, it rolls back here: the hole it held becomes one no append will fill.
        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>Appends an event to the unit's stream and returns its sequence number.</summary>
    private async Task<long> AppendAsync(string unit)
    {
        await AcceptAsync(new RecordMembersJoined(NewId(), unit, ForceType.Standing, 1));
        return await silo.Database.ScalarAsync("SELECT max(seq_id) FROM readiness.mt_events WHERE stream_id = @s", ("s", unit));
    }

    /// <summary>When, on <paramref name="clock"/>, the event at <paramref name="sequence"/> was first seen in the log; null if not within <paramref name="patience"/> of now.</summary>
    private async Task<TimeSpan?> LoggedWithinAsync(long sequence, TimeSpan patience, Stopwatch clock)
    {
        var deadline = clock.Elapsed + patience;
        while (clock.Elapsed < deadline)
        {
            if (await PositionAsync(sequence) is not null)
            {
                return clock.Elapsed;
            }
            await Task.Delay(50);
        }
        return null;
    }

    private async Task<long?> PositionAsync(long sequence)
    {
        var position = await silo.Database.ScalarAsync("SELECT coalesce((SELECT position FROM readiness.log_leaves WHERE seq_id = @s), -1)", ("s", sequence));
        return position < 0 ? null : position;
    }

    private async Task AcceptAsync(IUnitCommand command)
    {
        var result = await silo.Host.Grains.GetGrain<IUnitGrain>(command.UnitId).Execute(command);
        Assert.True(result.Accepted, result.Rejection?.Message);
    }

    private static string NewId() => Guid.NewGuid().ToString();
}
