using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Storage;

namespace Readiness.Grains.Actors;

/// <summary>A unit's grain: registration asks the parent for its echelon; everything else is the unit's own history.</summary>
public sealed class UnitGrain(GroupCommit commits, ReadinessClock clock, ReadinessTelemetry telemetry, ILogger<UnitGrain> logger)
    : EventSourcedGrain<UnitState>(commits, clock, telemetry, logger), IUnitGrain
{
    protected override string StreamKey => StreamKeys.Unit(Id);

    protected override UnitState Initial() => UnitState.Initial(Id);

    protected override UnitState Evolve(UnitState state, object @event) => UnitRules.Evolve(state, @event);

    public Task<CommandResult> Execute(IUnitCommand command)
    {
        if (Misaddressed(command, command.UnitId) is { } refused)
        {
            return Task.FromResult(refused);
        }
        return command is RegisterUnit register
            ? Execute(command, async () => UnitRules.Decide(State, register, await Parent(), Clock.UtcNow))
            : Execute(command, () => Task.FromResult(UnitRules.Decide(State, command, Clock.UtcNow)));
    }

    public Task<UnitProfile?> GetProfile() => Task.FromResult(
        State.Registered
            ? new UnitProfile(Id, State.Name, State.Echelon, State.ParentId, State.AuthorisedStrength, State.ActualStrength, Version, State.RegisteredAt)
            : null);

    private async Task<ParentFacts?> Parent()
    {
        if (UnitPath.ParentOf(Id) is not { } parentId || UnitPath.Problem(parentId) is not null)
        {
            return null;
        }
        var profile = await GrainFactory.GetGrain<IUnitGrain>(parentId).GetProfile();
        return profile is null ? null : new ParentFacts(profile.UnitId, profile.Echelon, profile.RegisteredAt);
    }
}
