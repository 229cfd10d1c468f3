namespace Readiness.Contracts;

/// <summary>A command to a unit grain. The command id makes a retry safe: the same id never appends twice.</summary>
public interface IUnitCommand
{
    string CommandId { get; }
}

[GenerateSerializer, Immutable, Alias("readiness.register-unit")]
public sealed record RegisterUnit(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string Name,
    [property: Id(2)] Echelon Echelon,
    [property: Id(3)] string? ParentId,
    [property: Id(4)] int AuthorisedStrength,
    [property: Id(5)] DateTimeOffset? OccurredAt) : IUnitCommand;

[GenerateSerializer, Immutable, Alias("readiness.enlist-recruits")]
public sealed record EnlistRecruits(
    [property: Id(0)] string CommandId,
    [property: Id(1)] int Count,
    [property: Id(2)] int CohortYear,
    [property: Id(3)] DateTimeOffset? OccurredAt) : IUnitCommand;
