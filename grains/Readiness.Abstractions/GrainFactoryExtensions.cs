using Readiness.Contracts;

namespace Readiness.Abstractions;

public static class GrainFactoryExtensions
{
    /// <summary>Sends a command to the actor it names: a unit, an exercise or a duty post.</summary>
    public static Task<CommandResult> Execute(this IGrainFactory grains, ICommand command)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return command switch
        {
            IUnitCommand c => grains.GetGrain<IUnitGrain>(c.UnitId).Execute(c),
            IExerciseCommand c => grains.GetGrain<IExerciseGrain>(c.ExerciseId).Execute(c),
            IDutyPostCommand c => grains.GetGrain<IDutyPostGrain>(c.PostId).Execute(c),
            IReorganisationCommand c => grains.GetGrain<IChainOfCommandGrain>(IChainOfCommandGrain.Key).Execute(c),
            _ => throw new ArgumentException($"No actor takes {command?.GetType().Name ?? "a null command"}.", nameof(command)),
        };
    }
}
