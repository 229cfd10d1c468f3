using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Grains.Storage;

namespace Readiness.Grains.Actors;

/// <summary>
/// The grains' own check of a caller's scope: a command sent on behalf of an authenticated caller
/// reaches its actor only inside that caller's scopes, whatever route or client carried it. Calls
/// the system makes for itself (the demo, reminders) carry no caller and pass; that a call without
/// scopes really is the system's own is <see cref="InternalCallsOnly"/>'s to establish, before this.
/// </summary>
public sealed class ScopedCommandFilter : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (AuditContext.Scopes is { } scopes
            && context.Request.GetArgumentCount() == 1
            && context.Request.GetArgument(0) is ICommand command
            && ActorOf(command) is { } actor
            && !Access.Covers(scopes, actor))
        {
            context.Result = CommandResult.Rejected(command.CommandId, actor, 0, RejectionKind.Forbidden,
                scopes.Count == 0
                    ? "The caller may not report: its token holds no reporter role."
                    : $"The caller's scopes ({string.Join(", ", scopes)}) do not cover '{actor}'.");
            return Task.CompletedTask;
        }
        return context.Invoke();
    }

    private static string? ActorOf(ICommand command) => command switch
    {
        IUnitCommand unit => unit.UnitId,
        IExerciseCommand exercise => exercise.ExerciseId,
        IDutyPostCommand post => post.PostId,
        _ => null,
    };
}
