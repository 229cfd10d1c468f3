using Readiness.Contracts;

namespace Readiness.Domain;

public sealed record ExerciseState(
    string ExerciseId,
    ExerciseStatus? Status,
    string Name,
    ExerciseLevel Level,
    ExerciseKind Kind,
    string HostUnitId,
    IReadOnlyList<string> ParticipantUnitIds,
    DateTimeOffset PlannedAt,
    DateTimeOffset? StartedAt,
    Grade? Grade)
{
    public static ExerciseState Initial(string exerciseId) =>
        new(exerciseId, null, string.Empty, ExerciseLevel.Commune, ExerciseKind.CombatReadiness, string.Empty, [], default, null, null);
}

/// <summary>What planning an exercise needs to know of the units it names.</summary>
public sealed record ExerciseUnits(UnitProfile? Host, IReadOnlyDictionary<string, UnitProfile?> Participants);

/// <summary>Planned → started → completed with a grade, or cancelled; nothing else.</summary>
public static class ExerciseRules
{
    public const int MaxParticipants = 500;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(31);

    /// <summary>How far ahead an exercise may be scheduled; dates near year 9999 overflow once moved into Vietnam time.</summary>
    public static readonly TimeSpan MaxPlanningHorizon = TimeSpan.FromDays(10 * 365);

    /// <summary>The units planning needs: the host (the id without its last level) and the participants.</summary>
    public static IReadOnlyList<string> UnitsToLookUp(string exerciseId, PlanExercise command) =>
        [.. new[] { UnitPath.ParentOf(exerciseId) ?? exerciseId }.Concat(command.ParticipantUnitIds ?? []).Distinct(StringComparer.Ordinal)];

    public static Decision Decide(ExerciseState state, IExerciseCommand command, ExerciseUnits? units, DateTimeOffset now)
    {
        var at = command.OccurredAt ?? now;
        if (command is PlanExercise plan)
        {
            return DecidePlan(state, plan, units ?? new ExerciseUnits(null, new Dictionary<string, UnitProfile?>()), at, now);
        }
        if (state.Status is null)
        {
            return Decision.Reject(RejectionKind.NotFound, $"Exercise '{state.ExerciseId}' has not been planned.");
        }
        var since = state.StartedAt ?? state.PlannedAt;
        if (InputChecks.OccurredAt(at, now, since, $"the last step of exercise '{state.ExerciseId}'") is { } timeProblem)
        {
            return Decision.Reject(RejectionKind.Invalid, timeProblem);
        }

        return command switch
        {
            StartExercise => state.Status switch
            {
                ExerciseStatus.Planned => Decision.Accept(new ExerciseStarted(state.ExerciseId, at)),
                ExerciseStatus.Started => Decision.Reject(RejectionKind.Conflict, $"Exercise '{state.ExerciseId}' has already started."),
                _ => Decision.Reject(RejectionKind.Conflict, $"Exercise '{state.ExerciseId}' is {state.Status.ToString()!.ToLowerInvariant()}; it cannot start."),
            },
            CompleteExercise c => state.Status switch
            {
                ExerciseStatus.Started =>
                    InputChecks.FirstProblem(InputChecks.Defined(c.Grade, "Grade"), InputChecks.Positive(c.Participants, "Participants"))
                    ?? Decision.Accept(new ExerciseCompleted(state.ExerciseId, c.Grade, c.Participants, at)),
                ExerciseStatus.Planned => Decision.Reject(RejectionKind.Conflict, $"Exercise '{state.ExerciseId}' has not started; start it before completing it."),
                ExerciseStatus.Cancelled => Decision.Reject(RejectionKind.Conflict, $"Exercise '{state.ExerciseId}' was cancelled; a cancelled exercise cannot be graded."),
                _ => Decision.Reject(RejectionKind.Conflict, $"Exercise '{state.ExerciseId}' is already completed, graded {state.Grade}."),
            },
            CancelExercise c => state.Status switch
            {
                ExerciseStatus.Planned or ExerciseStatus.Started =>
                    InputChecks.FirstProblem(InputChecks.Text(c.Reason, "A reason"))
                    ?? Decision.Accept(new ExerciseCancelled(state.ExerciseId, c.Reason.Trim(), at)),
                _ => Decision.Reject(RejectionKind.Conflict, $"Exercise '{state.ExerciseId}' is {state.Status.ToString()!.ToLowerInvariant()}; it can no longer be cancelled."),
            },
            _ => Decision.Reject(RejectionKind.Invalid, $"An exercise does not take {command.GetType().Name} commands."),
        };
    }

    public static ExerciseState Evolve(ExerciseState state, object @event) => @event switch
    {
        ExercisePlanned e => state with
        {
            Status = ExerciseStatus.Planned,
            Name = e.Name,
            Level = e.Level,
            Kind = e.Kind,
            HostUnitId = e.HostUnitId,
            ParticipantUnitIds = e.ParticipantUnitIds,
            PlannedAt = e.OccurredAt,
        },
        ExerciseStarted e => state with { Status = ExerciseStatus.Started, StartedAt = e.OccurredAt },
        ExerciseCompleted e => state with { Status = ExerciseStatus.Completed, Grade = e.Grade },
        ExerciseCancelled => state with { Status = ExerciseStatus.Cancelled },
        _ => state,
    };

    public static Echelon HostEchelonFor(ExerciseLevel level) => level switch
    {
        ExerciseLevel.Province => Echelon.Province,
        ExerciseLevel.District => Echelon.District,
        _ => Echelon.Commune,
    };

    private static Decision DecidePlan(ExerciseState state, PlanExercise c, ExerciseUnits units, DateTimeOffset at, DateTimeOffset now)
    {
        if (state.Status is not null)
        {
            return Decision.Reject(RejectionKind.Conflict, $"Exercise '{state.ExerciseId}' is already planned.");
        }
        if (UnitPath.Problem(state.ExerciseId) is { } idProblem)
        {
            return Decision.Reject(RejectionKind.Invalid, idProblem);
        }
        var hostId = UnitPath.ParentOf(state.ExerciseId);
        if (hostId is null)
        {
            return Decision.Reject(RejectionKind.Invalid, $"An exercise id starts with its host unit's id, such as 'bac-kan/ba-be/kvpt-2024'; '{state.ExerciseId}' has no host.");
        }
        var problem = InputChecks.FirstProblem(
            InputChecks.Text(c.Name, "The exercise name", 200),
            InputChecks.Defined(c.Level, "Level"),
            InputChecks.Defined(c.Kind, "Kind"),
            c.ScheduledStart < CommandTime.Earliest ? $"scheduledStart {c.ScheduledStart:O} is before {CommandTime.Earliest:O}, the earliest date the system records." : null,
            c.ScheduledStart > now + MaxPlanningHorizon ? $"scheduledStart {c.ScheduledStart:O} is more than {MaxPlanningHorizon.TotalDays / 365:F0} years ahead; plan it nearer the time." : null,
            c.ScheduledEnd <= c.ScheduledStart ? "scheduledEnd must be after scheduledStart." : null,
            c.ScheduledEnd - c.ScheduledStart > MaxDuration ? $"An exercise lasts at most {MaxDuration.TotalDays} days." : null,
            (c.ParticipantUnitIds?.Count ?? 0) > MaxParticipants ? $"At most {MaxParticipants} participating units." : null,
            InputChecks.OccurredAt(at, now, null, "the exercise"));
        if (problem is not null)
        {
            return problem;
        }
        if (units.Host is not { } host)
        {
            return Decision.Reject(RejectionKind.NotFound, $"Host unit '{hostId}' is not registered.");
        }
        if (host.Echelon != HostEchelonFor(c.Level))
        {
            return Decision.Reject(RejectionKind.Invalid, $"A {c.Level}-level exercise is hosted by a {HostEchelonFor(c.Level)} command; '{hostId}' is a {host.Echelon}.");
        }
        if (at < host.RegisteredAt)
        {
            return Decision.Reject(RejectionKind.Invalid, $"occurredAt {at:O} is before host unit '{hostId}' existed ({host.RegisteredAt:O}).");
        }
        var participants = (c.ParticipantUnitIds is { Count: > 0 } given ? given : [hostId]).Distinct(StringComparer.Ordinal).ToList();
        foreach (var id in participants)
        {
            if (id != hostId && !id.StartsWith(hostId + "/", StringComparison.Ordinal))
            {
                return Decision.Reject(RejectionKind.Invalid, $"Participant '{id}' is not under host '{hostId}'; an exercise draws on its host's own units.");
            }
            if (!units.Participants.TryGetValue(id, out var profile) || profile is null)
            {
                return Decision.Reject(RejectionKind.NotFound, $"Participating unit '{id}' is not registered.");
            }
        }
        return Decision.Accept(new ExercisePlanned(state.ExerciseId, c.Name.Trim(), c.Level, c.Kind, hostId, participants, c.ScheduledStart, c.ScheduledEnd, at));
    }
}
