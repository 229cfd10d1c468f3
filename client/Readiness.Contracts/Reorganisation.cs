namespace Readiness.Contracts;

/// <summary>
/// A change to the chain of command, ordered by a named decision and in force from a date. Such a
/// command goes to the chain of command, not to one unit: every change is checked against the whole
/// tree (no cycle, nothing under a dissolved unit), and every change of one command is recorded
/// together, so that no reader ever sees half of it.
/// </summary>
public interface IReorganisationCommand : ICommand
{
    /// <summary>The decision that orders it, as cited, such as <c>2786/QĐ-BQP</c>.</summary>
    string Order { get; }

    /// <summary>The moment from which the new structure holds; views before it show the old one.</summary>
    DateTimeOffset EffectiveFrom { get; }
}

/// <summary>What one step of a reorganisation does to its unit.</summary>
public enum ReorganisationAction
{
    /// <summary>The unit comes under another parent.</summary>
    Resubordinate,

    /// <summary>The unit takes another name, and with an echelon given, another echelon (re-designation).</summary>
    Rename,

    /// <summary>The unit ceases to exist; its successor, when named, carries on its history.</summary>
    Dissolve,
}

/// <summary>One unit's change within a reorganisation.</summary>
/// <param name="Action">What happens to the unit.</param>
/// <param name="UnitId">The unit.</param>
/// <param name="ParentId">Its new parent (<see cref="ReorganisationAction.Resubordinate"/>).</param>
/// <param name="Name">Its new name (<see cref="ReorganisationAction.Rename"/>).</param>
/// <param name="Echelon">Its new echelon, if it changes (<see cref="ReorganisationAction.Rename"/>).</param>
/// <param name="SuccessorId">The unit that carries on its history (<see cref="ReorganisationAction.Dissolve"/>), or none.</param>
public sealed record ReorganisationStep(
    ReorganisationAction Action,
    string UnitId,
    string? ParentId = null,
    string? Name = null,
    Echelon? Echelon = null,
    string? SuccessorId = null);

/// <summary>Many changes under one order and one date, recorded together: a reform of a province in one command.</summary>
public sealed record Reorganise(
    string CommandId,
    string Order,
    DateTimeOffset EffectiveFrom,
    IReadOnlyList<ReorganisationStep> Steps,
    DateTimeOffset? OccurredAt = null) : IReorganisationCommand;

/// <summary>Places a unit under a new parent from a date.</summary>
public sealed record ResubordinateUnit(
    string CommandId,
    string UnitId,
    string ParentId,
    string Order,
    DateTimeOffset EffectiveFrom,
    DateTimeOffset? OccurredAt = null) : IReorganisationCommand;

/// <summary>Gives a unit a new name, and a new echelon when one is given, from a date.</summary>
public sealed record RenameUnit(
    string CommandId,
    string UnitId,
    string Name,
    string Order,
    DateTimeOffset EffectiveFrom,
    Echelon? Echelon = null,
    DateTimeOffset? OccurredAt = null) : IReorganisationCommand;

/// <summary>Merges several units into a successor, which must be registered (a new one is registered first).</summary>
public sealed record MergeUnits(
    string CommandId,
    IReadOnlyList<string> UnitIds,
    string SuccessorId,
    string Order,
    DateTimeOffset EffectiveFrom,
    DateTimeOffset? OccurredAt = null) : IReorganisationCommand;

/// <summary>Dissolves a unit from a date, with or without a successor; its own units must be placed elsewhere first or in the same order.</summary>
public sealed record DissolveUnit(
    string CommandId,
    string UnitId,
    string Order,
    DateTimeOffset EffectiveFrom,
    string? SuccessorId = null,
    DateTimeOffset? OccurredAt = null) : IReorganisationCommand;

/// <summary>The steps any reorganisation command stands for.</summary>
public static class ReorganisationSteps
{
    public static IReadOnlyList<ReorganisationStep> Of(IReorganisationCommand command) => command switch
    {
        Reorganise c => c.Steps ?? [],
        ResubordinateUnit c => [new(ReorganisationAction.Resubordinate, c.UnitId, ParentId: c.ParentId)],
        RenameUnit c => [new(ReorganisationAction.Rename, c.UnitId, Name: c.Name, Echelon: c.Echelon)],
        MergeUnits c => [.. (c.UnitIds ?? []).Select(id => new ReorganisationStep(ReorganisationAction.Dissolve, id, SuccessorId: c.SuccessorId))],
        DissolveUnit c => [new(ReorganisationAction.Dissolve, c.UnitId, SuccessorId: c.SuccessorId)],
        _ => [],
    };

    /// <summary>Every unit a command names, to be checked against the caller's scopes: those it changes, and their new parents and successors.</summary>
    public static IReadOnlyList<string> UnitsNamed(IReorganisationCommand command) =>
        [.. Of(command).OfType<ReorganisationStep>().SelectMany(s => new[] { s.UnitId, s.ParentId, s.SuccessorId }).OfType<string>().Distinct(StringComparer.Ordinal)];
}
