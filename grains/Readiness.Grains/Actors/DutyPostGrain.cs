using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Grains.Actors;

/// <summary>
/// A duty post's grain. A reminder (ADO.NET reminders on PostgreSQL) ticks while the post exists and
/// records an alert when a shift ran past its length with no handover. The alert's command id names
/// the shift, so a duplicate tick, on this silo or another, records nothing new.
/// </summary>
public sealed class DutyPostGrain(ProvinceDatabases databases, ReadinessClock clock, ReadinessTelemetry telemetry, IOptions<DutyWatchOptions> watch, ILogger<DutyPostGrain> logger)
    : EventSourcedGrain<DutyPostState>(databases, clock, telemetry, logger), IDutyPostGrain, IRemindable
{
    public const string HandoverWatch = "handover-watch";

    protected override string StreamKey => StreamKeys.DutyPost(Id);

    protected override DutyPostState Initial() => DutyPostState.Initial(Id);

    protected override DutyPostState Evolve(DutyPostState state, object @event) => DutyPostRules.Evolve(state, @event);

    public async Task<CommandResult> Execute(IDutyPostCommand command)
    {
        if (Misaddressed(command, command.PostId) is { } refused)
        {
            return refused;
        }
        var result = await Execute(command, async () =>
        {
            var owner = command is EstablishDutyPost && UnitPath.ParentOf(Id) is { } ownerId && UnitPath.Problem(ownerId) is null
                ? await GrainFactory.GetGrain<IUnitGrain>(ownerId).GetProfile()
                : null;
            return DutyPostRules.Decide(State, command, owner, Clock.UtcNow);
        });
        if (command is EstablishDutyPost && result.Accepted)
        {
            var period = watch.Value.HandoverWatchPeriod;
            await this.RegisterOrUpdateReminder(HandoverWatch, period, period);
        }
        return result;
    }

    public async Task<CommandResult?> CheckHandover()
    {
        if (DutyPostRules.CheckHandover(State, Clock.UtcNow) is not { } decision)
        {
            return null;
        }
        var alert = (DutyHandoverOverdue)decision.Events[0];
        var command = new SystemCheck($"overdue:{Id}:{alert.ShiftStartedAt.UtcTicks}", alert.OccurredAt);
        return await Execute(command, () => Task.FromResult(DutyPostRules.CheckHandover(State, Clock.UtcNow) ?? Decision.Accept()));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != HandoverWatch)
        {
            return Task.CompletedTask;
        }
        CallerContext.Set($"{CallerContext.System}:{HandoverWatch}");
        return CheckHandover();
    }

    /// <summary>The reminder's own command: recorded by the system, not by a caller.</summary>
    private sealed record SystemCheck(string CommandId, DateTimeOffset? OccurredAt) : ICommand;
}
