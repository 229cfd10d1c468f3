namespace Readiness.Contracts;

/// <summary>The chain of command of a province at a moment: every unit under it then, top down.</summary>
/// <param name="ProvinceId">The province asked about.</param>
/// <param name="AsOf">The moment.</param>
/// <param name="Units">The province first, then each unit after its parent.</param>
/// <param name="Predecessors">The units whose history the province carries on (merged into it), as they last stood.</param>
public sealed record ChainOfCommandView(
    string ProvinceId,
    DateTimeOffset AsOf,
    IReadOnlyList<TreeUnit> Units,
    IReadOnlyList<TreeUnit> Predecessors);

/// <summary>One unit at a moment: its name, echelon and parent, and the dates it held them.</summary>
/// <param name="UnitId">Its id, which never changes.</param>
/// <param name="Name">Its name then.</param>
/// <param name="Echelon">Its echelon then.</param>
/// <param name="ParentId">Its parent then; null for a province.</param>
/// <param name="Depth">How many levels below the province it stood then.</param>
/// <param name="HeldFrom">Since when it had this name, echelon and parent.</param>
/// <param name="HeldUntil">Until when (exclusive), or null while it still does.</param>
/// <param name="Order">The order that gave it this position, or null for its registration.</param>
/// <param name="EstablishedAt">When it came into being.</param>
/// <param name="DissolvedAt">When it was dissolved, or null.</param>
/// <param name="SuccessorId">Who carries on its history after its dissolution.</param>
/// <param name="FormerNames">Names it held before, oldest first.</param>
/// <param name="MergedFrom">Units dissolved into it, directly.</param>
public sealed record TreeUnit(
    string UnitId,
    string Name,
    Echelon Echelon,
    string? ParentId,
    int Depth,
    DateTimeOffset HeldFrom,
    DateTimeOffset? HeldUntil,
    string? Order,
    DateTimeOffset EstablishedAt,
    DateTimeOffset? DissolvedAt,
    string? SuccessorId,
    IReadOnlyList<string> FormerNames,
    IReadOnlyList<string> MergedFrom);
