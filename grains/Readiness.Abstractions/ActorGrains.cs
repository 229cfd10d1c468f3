using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Abstractions;

/// <summary>
/// One unit of the chain of command, keyed by its path id such as <c>bac-kan/ba-be/cho-ra</c>
/// (province / district / commune / ...).
/// </summary>
[Alias("readiness.IUnitGrain")]
public interface IUnitGrain : IGrainWithStringKey
{
    /// <summary>Decides the command against the unit's history and appends what it decided.</summary>
    [Alias("execute")]
    Task<CommandResult> Execute(IUnitCommand command);

    /// <summary>The unit's current state, or null when it was never registered.</summary>
    [Alias("profile")]
    Task<UnitProfile?> GetProfile();

    /// <summary>
    /// An order has changed this unit's place or ended it: the silo the unit lives on reads the chain of
    /// command again before the unit takes another report, rather than within the second its check allows.
    /// </summary>
    [Alias("structure-changed")]
    Task StructureChanged();
}

/// <summary>An exercise, keyed by its host unit's id and a name: <c>bac-kan/ba-be/kvpt-2024</c>.</summary>
[Alias("readiness.IExerciseGrain")]
public interface IExerciseGrain : IGrainWithStringKey
{
    [Alias("execute")]
    Task<CommandResult> Execute(IExerciseCommand command);
}

/// <summary>A duty post, keyed by its owning unit's id and a name: <c>bac-kan/ba-be/sscd</c>.</summary>
[Alias("readiness.IDutyPostGrain")]
public interface IDutyPostGrain : IGrainWithStringKey
{
    [Alias("execute")]
    Task<CommandResult> Execute(IDutyPostCommand command);

    /// <summary>Records an overdue-handover alert if the current shift ran past its length; the reminder calls it.</summary>
    [Alias("check-handover")]
    Task<CommandResult?> CheckHandover();
}

/// <summary>
/// The chain of command itself, one for the whole store (key <see cref="Key"/>): the orders that
/// reorganise it are decided here one at a time, against the whole tree, and each order's changes are
/// appended together.
/// </summary>
[Alias("readiness.IChainOfCommandGrain")]
public interface IChainOfCommandGrain : IGrainWithStringKey
{
    public const string Key = "main";

    [Alias("execute")]
    Task<CommandResult> Execute(IReorganisationCommand command);
}
