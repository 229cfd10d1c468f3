namespace Readiness.Contracts;

/// <summary>A unit entered the chain of command.</summary>
[GenerateSerializer, Immutable, Alias("readiness.unit-registered.v1")]
public sealed record UnitRegistered(
    [property: Id(0)] string UnitId,
    [property: Id(1)] string Name,
    [property: Id(2)] Echelon Echelon,
    [property: Id(3)] string? ParentId,
    [property: Id(4)] int AuthorisedStrength,
    [property: Id(5)] DateTimeOffset OccurredAt);

/// <summary>Recruits joined the unit, raising its actual strength.</summary>
[GenerateSerializer, Immutable, Alias("readiness.recruits-enlisted.v1")]
public sealed record RecruitsEnlisted(
    [property: Id(0)] string UnitId,
    [property: Id(1)] int Count,
    [property: Id(2)] int CohortYear,
    [property: Id(3)] DateTimeOffset OccurredAt);
