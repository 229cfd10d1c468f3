using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>
/// The rules of reorganising the chain of command: decide(tree, command) → events. Every step of an
/// order is checked against the tree as it would stand with the whole order applied, so an order that
/// moves a district's communes and dissolves the district in one go is accepted, and one that leaves a
/// commune under a dissolved district is not. A refusal records nothing at all.
/// </summary>
public static class ReorganisationRules
{
    public const int MaxOrderLength = 200;
    public const int MaxSteps = 5_000;

    /// <summary>How far ahead an order may take effect: a reform is ordered weeks or months before, never years.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(366);

    public static Decision Decide(ChainOfCommand tree, IReorganisationCommand command, DateTimeOffset now)
    {
        var steps = ReorganisationSteps.Of(command);
        var at = command.EffectiveFrom;
        var recordedAt = command.OccurredAt ?? now;
        if (InputChecks.FirstProblem(
                InputChecks.Text(command.Order, "order (the decision that orders the change, such as '2786/QĐ-BQP')", MaxOrderLength),
                InputChecks.OccurredAt(recordedAt, now, null, "the order"),
                EffectiveDateProblem(at, now),
                steps.Count == 0 ? "A reorganisation needs at least one step." : null,
                steps.Count > MaxSteps ? $"A reorganisation has at most {MaxSteps} steps; it had {steps.Count}." : null,
                command is MergeUnits { UnitIds.Count: 0 } ? "unitIds: name the units to merge." : null) is { } invalid)
        {
            return invalid;
        }

        var events = new List<object>();
        var seen = new HashSet<(string, ReorganisationAction)>();
        var dissolving = steps.Where(s => s.Action == ReorganisationAction.Dissolve).Select(s => s.UnitId).ToHashSet(StringComparer.Ordinal);
        for (var n = 0; n < steps.Count; n++)
        {
            var step = steps[n];
            var where = steps.Count == 1 ? "" : $"steps[{n}]: ";
            if (step is null || string.IsNullOrWhiteSpace(step.UnitId))
            {
                return Decision.Reject(RejectionKind.Invalid, $"{where}each step names its unitId.");
            }
            if (!seen.Add((step.UnitId, step.Action)) || (step.Action != ReorganisationAction.Dissolve && dissolving.Contains(step.UnitId)))
            {
                return Decision.Reject(RejectionKind.Invalid,
                    $"{where}'{step.UnitId}' is changed twice in one order; give each unit one step of each kind, and none beside its dissolution.");
            }
            if (Exists(tree, step.UnitId, at, where, "unit") is { } missing)
            {
                return missing;
            }
            var problem = step.Action switch
            {
                ReorganisationAction.Resubordinate => Resubordinate(tree, step, at, dissolving, where, events, command.Order, recordedAt),
                ReorganisationAction.Rename => Rename(step, where, events, command.Order, at, recordedAt, tree),
                ReorganisationAction.Dissolve => Dissolve(tree, step, at, dissolving, where, events, command.Order, recordedAt),
                _ => Decision.Reject(RejectionKind.Invalid, $"{where}action '{step.Action}' does not exist; use Resubordinate, Rename or Dissolve."),
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        var after = tree.With(events);
        return Consistency(after, steps, at) ?? Decision.Accept([.. events]);
    }

    private static string? EffectiveDateProblem(DateTimeOffset at, DateTimeOffset now) =>
        at < CommandTime.Earliest ? $"effectiveFrom {at:O} is before {CommandTime.Earliest:O}, the earliest date the system records."
        : at > now + Horizon ? $"effectiveFrom {at:O} is more than {Horizon.TotalDays:0} days ahead; record the order nearer the date it takes effect."
        : null;

    private static Decision? Exists(ChainOfCommand tree, string unitId, DateTimeOffset at, string where, string role)
    {
        if (tree.Unit(unitId) is not { } unit)
        {
            return Decision.Reject(RejectionKind.NotFound, $"{where}{role} '{unitId}' is not registered; register it first (a new unit with an id of its own).");
        }
        if (at < unit.EstablishedAt)
        {
            return Decision.Reject(RejectionKind.Invalid,
                $"{where}effectiveFrom {at:O} is before {role} '{unitId}' existed ({unit.EstablishedAt:O}); give a date on or after it.");
        }
        if (unit.DissolvedAt is { } end && at >= end)
        {
            return Decision.Reject(RejectionKind.Conflict,
                $"{where}{role} '{unitId}' was dissolved from {end:O} by order {unit.DissolvedBy}"
                + (unit.SuccessorId is { } successor ? $"; its successor is '{successor}'." : "."));
        }
        return null;
    }

    private static Decision? Resubordinate(ChainOfCommand tree, ReorganisationStep step, DateTimeOffset at, HashSet<string> dissolving, string where,
        List<object> events, string order, DateTimeOffset recordedAt)
    {
        if (string.IsNullOrWhiteSpace(step.ParentId))
        {
            return Decision.Reject(RejectionKind.Invalid, $"{where}parentId: name the unit '{step.UnitId}' comes under.");
        }
        if (step.ParentId == step.UnitId)
        {
            return Decision.Reject(RejectionKind.Invalid, $"{where}a unit cannot stand under itself.");
        }
        if (Exists(tree, step.ParentId, at, where, "parent") is { } missing)
        {
            return missing;
        }
        if (dissolving.Contains(step.ParentId) || tree.Unit(step.ParentId)!.DissolvedAt is not null)
        {
            return Decision.Reject(RejectionKind.Conflict,
                $"{where}'{step.ParentId}' is dissolved by this or another order; place '{step.UnitId}' under a unit that goes on"
                + (tree.Unit(step.ParentId)!.SuccessorId is { } successor ? $", such as its successor '{successor}'." : "."));
        }
        if (tree.ParentAt(step.UnitId, at) == step.ParentId)
        {
            return Decision.Reject(RejectionKind.Invalid, $"{where}'{step.UnitId}' already stands under '{step.ParentId}' at {at:O}.");
        }
        events.Add(new UnitResubordinated(step.UnitId, step.ParentId, at, order.Trim(), recordedAt));
        return null;
    }

    private static Decision? Rename(ReorganisationStep step, string where, List<object> events, string order, DateTimeOffset at, DateTimeOffset recordedAt,
        ChainOfCommand tree)
    {
        if (string.IsNullOrWhiteSpace(step.Name) || step.Name.Length > UnitRules.MaxNameLength)
        {
            return Decision.Reject(RejectionKind.Invalid, $"{where}name: a unit needs a name of 1 to {UnitRules.MaxNameLength} characters.");
        }
        if (step.Echelon is { } echelon && (!Enum.IsDefined(echelon) || echelon == Echelon.MilitaryRegion))
        {
            return Decision.Reject(RejectionKind.Invalid, $"{where}echelon must be one of Province, District, RegionalDefence, Commune or ForceUnit.");
        }
        var current = tree.At(step.UnitId, at)!;
        events.Add(new UnitRenamed(step.UnitId, step.Name.Trim(), step.Echelon ?? current.Echelon, at, order.Trim(), recordedAt));
        return null;
    }

    private static Decision? Dissolve(ChainOfCommand tree, ReorganisationStep step, DateTimeOffset at, HashSet<string> dissolving, string where,
        List<object> events, string order, DateTimeOffset recordedAt)
    {
        if (step.SuccessorId is { } successor)
        {
            if (successor == step.UnitId)
            {
                return Decision.Reject(RejectionKind.Invalid, $"{where}a unit cannot succeed itself.");
            }
            if (Exists(tree, successor, at, where, "successor") is { } missing)
            {
                return missing;
            }
            if (dissolving.Contains(successor) || tree.Unit(successor)!.DissolvedAt is not null)
            {
                return Decision.Reject(RejectionKind.Conflict, $"{where}successor '{successor}' is itself dissolved; name the unit that goes on.");
            }
        }
        events.Add(new UnitDissolved(step.UnitId, step.SuccessorId, at, order.Trim(), recordedAt));
        return null;
    }

    // What only the whole order can show: a cycle, a unit left under a dissolved one, an echelon under
    // one that may not command it.
    private static Decision? Consistency(ChainOfCommand after, IReadOnlyList<ReorganisationStep> steps, DateTimeOffset at)
    {
        foreach (var step in steps.Where(s => s.Action != ReorganisationAction.Dissolve))
        {
            var above = after.AncestorsAt(step.UnitId, at).ToList();
            if (above.Contains(step.UnitId) || above.Count >= ChainOfCommand.MaxLevels)
            {
                return Decision.Reject(RejectionKind.Invalid,
                    $"Placing '{step.UnitId}' under '{after.ParentAt(step.UnitId, at)}' makes a cycle: that unit stands under '{step.UnitId}'. Move the lower unit first.");
            }
            var position = after.At(step.UnitId, at)!;
            if (position.ParentId is { } parentId && after.At(parentId, at) is { } parent && !UnitRules.MayCommand(parent.Echelon, position.Echelon))
            {
                return Decision.Reject(RejectionKind.Invalid,
                    $"A {parent.Echelon} ('{parentId}') cannot command a {position.Echelon} ('{step.UnitId}'); change the echelon or the parent.");
            }
        }
        foreach (var renamed in steps.Where(s => s.Action == ReorganisationAction.Rename))
        {
            var echelon = after.At(renamed.UnitId, at)!.Echelon;
            foreach (var child in after.ChildrenAt(renamed.UnitId, at))
            {
                if (after.At(child, at) is { } position && !UnitRules.MayCommand(echelon, position.Echelon))
                {
                    return Decision.Reject(RejectionKind.Invalid,
                        $"'{renamed.UnitId}' as a {echelon} cannot command its unit '{child}' ({position.Echelon}); move that unit first.");
                }
            }
        }
        foreach (var dissolved in steps.Where(s => s.Action == ReorganisationAction.Dissolve))
        {
            var left = LeftUnder(after, dissolved.UnitId, at);
            if (left.Count > 0)
            {
                return Decision.Reject(RejectionKind.Conflict,
                    $"'{dissolved.UnitId}' still commands {string.Join(", ", left.Take(5).Select(id => $"'{id}'"))}{(left.Count > 5 ? $" and {left.Count - 5} more" : "")} "
                    + $"at {at:O}; move or dissolve them in the same order, so that nothing stands under a dissolved unit.");
            }
        }
        return null;
    }

    // The units that would stand under a unit once it is dissolved: those still under it on the date,
    // and those registered under it later.
    private static List<string> LeftUnder(ChainOfCommand after, string unitId, DateTimeOffset at) =>
        [.. after.Units
            .Where(u => u.At(at)?.ParentId == unitId || (u.EstablishedAt > at && u.Periods[0].ParentId == unitId))
            .Select(u => u.UnitId)
            .Order(StringComparer.Ordinal)];
}
