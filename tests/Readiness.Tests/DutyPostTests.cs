using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Actors;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo whose clock the tests move, so a shift can run past its length without waiting a day.</summary>
public sealed class DutyClockFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        Database = await cluster.CreateDatabaseAsync("duty");
        Host = new SiloHost(Database, loadDemo: false, services => services.AddSingleton(new ReadinessClock(Clock)));
        (await Host.StartAndWaitUntilReadyAsync()).Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public class DutyPostTests(DutyClockFixture fixture) : IClassFixture<DutyClockFixture>
{
    private IGrainFactory Grains => fixture.Host.Grains;

    private async Task<string> PostOnDuty()
    {
        var owner = $"p{Guid.NewGuid():N}"[..10];
        var postId = $"{owner}/sscd";
        var at = fixture.Clock.GetUtcNow().AddDays(-2);
        Assert.True((await Grains.GetGrain<IUnitGrain>(owner).Execute(new RegisterUnit(Id(), owner, "Bộ CHQS tỉnh", Echelon.Province, null, 100, at))).Accepted);
        var post = Grains.GetGrain<IDutyPostGrain>(postId);
        Assert.True((await post.Execute(new EstablishDutyPost(Id(), postId, "Trực SSCĐ", DutyKind.CombatReadiness, 6, 24, at))).Accepted);
        Assert.True((await post.Execute(new StartDutyShift(Id(), postId, "Trực ban 1", 6))).Accepted);
        return postId;
    }

    private static string Id() => Guid.NewGuid().ToString();

    private Task<long> Alerts(string postId) => fixture.Database.ScalarAsync(
        "SELECT count(*) FROM readiness.mt_events WHERE stream_id = @s AND type = 'duty_handover_overdue'", ("s", StreamKeys.DutyPost(postId)));

    [Fact]
    public async Task Establishing_a_post_registers_its_reminder_in_PostgreSQL()
    {
        var postId = await PostOnDuty();

        var reminders = await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM orleans_reminders WHERE remindername = @name AND grainid LIKE @grain",
            ("name", DutyPostGrain.HandoverWatch), ("grain", $"%{postId}%"));

        Assert.Equal(1, reminders);
    }

    [Fact]
    public async Task A_shift_past_its_length_is_alerted_once_however_often_the_reminder_ticks()
    {
        var postId = await PostOnDuty();
        var post = Grains.GetGrain<IDutyPostGrain>(postId);

        fixture.Clock.Advance(TimeSpan.FromHours(23));
        var early = await post.CheckHandover();
        fixture.Clock.Advance(TimeSpan.FromHours(2));
        var first = await post.CheckHandover();
        var duplicate = await post.CheckHandover();

        Assert.Null(early);
        Assert.True(first!.Accepted);
        Assert.Null(duplicate);
        Assert.Equal(1, await Alerts(postId));
    }

    [Fact]
    public async Task After_a_handover_a_new_gap_is_alerted_again()
    {
        var postId = await PostOnDuty();
        var post = Grains.GetGrain<IDutyPostGrain>(postId);
        fixture.Clock.Advance(TimeSpan.FromHours(25));
        await post.CheckHandover();

        Assert.True((await post.Execute(new HandOverDutyShift(Id(), postId, "Trực ban 1", "Trực ban 2", 6))).Accepted);
        fixture.Clock.Advance(TimeSpan.FromHours(25));
        await post.CheckHandover();

        Assert.Equal(2, await Alerts(postId));
    }

    [Fact]
    public async Task A_handover_on_a_post_with_no_shift_appends_nothing()
    {
        var postId = await PostOnDuty();
        var post = Grains.GetGrain<IDutyPostGrain>(postId);
        Assert.True((await post.Execute(new EndDutyShift(Id(), postId, "Trực ban 1"))).Accepted);
        var before = await fixture.Database.CountEventsAsync(StreamKeys.DutyPost(postId));

        var handover = await post.Execute(new HandOverDutyShift(Id(), postId, "Trực ban 1", "Trực ban 2", 6));

        Assert.Equal(RejectionKind.Conflict, handover.Rejection?.Kind);
        Assert.Equal(before, await fixture.Database.CountEventsAsync(StreamKeys.DutyPost(postId)));
    }
}
