using Readiness.Contracts;

namespace Readiness.Domain;

// What an order does to the chain of command. Recorded in the chain of command's own stream, never in
// the unit's: one order's changes are one append, so a reader sees all of a reform or none of it.
// OccurredAt is when the order was recorded; EffectiveFrom is when the new structure holds.

/// <summary>A unit came under another parent.</summary>
public sealed record UnitResubordinated(
    string UnitId,
    string ParentId,
    DateTimeOffset EffectiveFrom,
    string Order,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>A unit took another name, and perhaps another echelon (re-designation).</summary>
public sealed record UnitRenamed(
    string UnitId,
    string Name,
    Echelon Echelon,
    DateTimeOffset EffectiveFrom,
    string Order,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>A unit ceased to exist; its successor, when it has one, carries on its history.</summary>
public sealed record UnitDissolved(
    string UnitId,
    string? SuccessorId,
    DateTimeOffset EffectiveFrom,
    string Order,
    DateTimeOffset OccurredAt) : IReadinessEvent;
