using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>What the rules of one actor may know of a unit: an exercise of its host and participants, a duty post of its owner.</summary>
public sealed record UnitProfile(
    string UnitId,
    string Name,
    Echelon Echelon,
    string? ParentId,
    int AuthorisedStrength,
    int ActualStrength,
    long Version,
    DateTimeOffset RegisteredAt);
