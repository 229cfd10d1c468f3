namespace Readiness.Contracts;

/// <summary>
/// One unit of the chain of command, keyed by its path id such as <c>bac-kan/ba-be/cho-ra</c>
/// (province / district / commune / ...).
/// </summary>
[Alias("readiness.IUnitGrain")]
public interface IUnitGrain : IGrainWithStringKey
{
    [Alias("register")]
    Task<CommandResult> Register(RegisterUnit command);

    [Alias("enlist")]
    Task<CommandResult> EnlistRecruits(EnlistRecruits command);

    /// <summary>The unit's current state, or null when it was never registered.</summary>
    [Alias("profile")]
    Task<UnitProfile?> GetProfile();
}

[GenerateSerializer, Immutable, Alias("readiness.unit-profile")]
public sealed record UnitProfile(
    [property: Id(0)] string UnitId,
    [property: Id(1)] string Name,
    [property: Id(2)] Echelon Echelon,
    [property: Id(3)] string? ParentId,
    [property: Id(4)] int AuthorisedStrength,
    [property: Id(5)] int ActualStrength,
    [property: Id(6)] long Version);
