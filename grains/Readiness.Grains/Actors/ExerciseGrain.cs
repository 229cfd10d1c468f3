using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Grains.Actors;

/// <summary>
/// An exercise's grain. Planning looks up the host and participating units; completion credits
/// every participant, each with a command id derived from the exercise, so crediting again after a
/// failure or a retry never counts twice.
/// </summary>
public sealed class ExerciseGrain(ProvinceDatabases databases, ReadinessClock clock, ReadinessTelemetry telemetry, ILogger<ExerciseGrain> logger)
    : EventSourcedGrain<ExerciseState>(databases, clock, telemetry, logger), IExerciseGrain
{
    protected override string StreamKey => StreamKeys.Exercise(Id);

    protected override ExerciseState Initial() => ExerciseState.Initial(Id);

    protected override ExerciseState Evolve(ExerciseState state, object @event) => ExerciseRules.Evolve(state, @event);

    public async Task<CommandResult> Execute(IExerciseCommand command)
    {
        if (Misaddressed(command, command.ExerciseId) is { } refused)
        {
            return refused;
        }
        var result = await Execute(command, async () =>
        {
            var units = command is PlanExercise plan && UnitPath.Problem(Id) is null ? await LookUp(plan) : null;
            return ExerciseRules.Decide(State, command, units, Clock.UtcNow);
        });
        if (command is CompleteExercise complete && result.Accepted)
        {
            await CreditParticipants(complete);
        }
        return result;
    }

    private async Task CreditParticipants(CompleteExercise complete)
    {
        var completedAt = complete.OccurredAt ?? Clock.UtcNow;
        foreach (var unitId in State.ParticipantUnitIds)
        {
            var credited = await GrainFactory.GetGrain<IUnitGrain>(unitId).Execute(new RecordExerciseParticipation(
                $"{complete.CommandId}:credit:{unitId}", unitId, Id, State.Level, State.Kind, State.Grade!.Value, completedAt));
            if (credited.Rejection is { } rejection)
            {
                throw new InvalidOperationException($"Exercise '{Id}' could not credit unit '{unitId}': {rejection.Message}");
            }
        }
    }

    private async Task<ExerciseUnits> LookUp(PlanExercise plan)
    {
        var ids = ExerciseRules.UnitsToLookUp(Id, plan).Where(id => UnitPath.Problem(id) is null).ToList();
        var profiles = await Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IUnitGrain>(id).GetProfile()));
        var byId = ids.Zip(profiles).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        return new ExerciseUnits(byId.GetValueOrDefault(UnitPath.ParentOf(Id) ?? Id), byId);
    }
}
