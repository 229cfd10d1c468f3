using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Structure;

namespace Readiness.Grains.Actors;

/// <summary>
/// The grains' own check of a caller's scope: a command sent on behalf of an authenticated caller
/// reaches its actor only inside that caller's scopes, whatever route or client carried it, judged by
/// the chain of command at the moment the command is about (when it happened; for a reorganisation,
/// on its date and just before it). Calls the system makes for itself (the demo, reminders) carry no
/// caller and pass; that a call without scopes really is the system's own is
/// <see cref="InternalCallsOnly"/>'s to establish, before this.
/// </summary>
public sealed class ScopedCommandFilter(ChainOfCommandCache chain, ReadinessClock clock) : IIncomingGrainCallFilter
{
    // Not async itself: most calls (between grains, the system's own, reads) carry no command under a
    // caller's scopes, and pass on without a state machine of their own per call.
    public Task Invoke(IIncomingGrainCallContext context) =>
        CallerContext.Scopes is { } scopes
        && context.Request.GetArgumentCount() == 1
        && context.Request.GetArgument(0) is ICommand command
        && ActorsOf(command) is { Count: > 0 } actors
            ? CheckThenInvoke(context, scopes, command, actors)
            : context.Invoke();

    private async Task CheckThenInvoke(IIncomingGrainCallContext context, IReadOnlyList<string> scopes, ICommand command, IReadOnlyList<string> actors)
    {
        var tree = await chain.GetAsync();
        var outside = command is IReorganisationCommand order
            ? tree.OutsideOrder(scopes, actors, order.EffectiveFrom)
            : actors.FirstOrDefault(actor => !tree.Covers(scopes, actor, command.OccurredAt ?? clock.UtcNow));
        if (outside is not null)
        {
            context.Result = CommandResult.Rejected(command.CommandId, outside, 0, RejectionKind.Forbidden,
                scopes.Count == 0
                    ? "The caller may not report: its token holds no reporter role."
                    : $"The caller's scopes ({string.Join(", ", scopes)}) do not cover '{outside}'.");
            return;
        }
        await context.Invoke();
    }

    private static IReadOnlyList<string> ActorsOf(ICommand command) => command switch
    {
        IUnitCommand unit => [unit.UnitId],
        IExerciseCommand exercise => [exercise.ExerciseId],
        IDutyPostCommand post => [post.PostId],
        IReorganisationCommand order => ReorganisationSteps.UnitsNamed(order),
        _ => [],
    };
}
