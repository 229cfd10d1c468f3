namespace Readiness.Contracts.Http;

/// <summary>Body of <c>POST /api/commands/register-unit</c>.</summary>
/// <param name="CommandId">Unique per command; send the same id again only to retry the same command.</param>
/// <param name="UnitId">The unit's path id, such as <c>bac-kan/ba-be/cho-ra</c>; its parent is the id without the last level.</param>
/// <param name="Name">The unit's name, such as <c>Ban CHQS xã Chợ Rã</c>.</param>
/// <param name="Echelon">Province, District, Commune or ForceUnit.</param>
/// <param name="ParentId">Optional; when given it must equal the parent read from <paramref name="UnitId"/>.</param>
/// <param name="AuthorisedStrength">Authorised strength, at least 1.</param>
/// <param name="OccurredAt">When the unit was established; defaults to now, must not be in the future.</param>
public sealed record RegisterUnitRequest(
    string CommandId,
    string UnitId,
    string Name,
    Echelon Echelon,
    string? ParentId,
    int AuthorisedStrength,
    DateTimeOffset? OccurredAt = null);

/// <summary>Body of <c>POST /api/commands/enlist-recruits</c>.</summary>
/// <param name="CommandId">Unique per command; send the same id again only to retry the same command.</param>
/// <param name="UnitId">The receiving unit's path id.</param>
/// <param name="Count">How many recruits joined, at least 1.</param>
/// <param name="CohortYear">The conscription year of the cohort, such as 2024.</param>
/// <param name="OccurredAt">When they joined; defaults to now, must not be in the future.</param>
public sealed record EnlistRecruitsRequest(
    string CommandId,
    string UnitId,
    int Count,
    int CohortYear,
    DateTimeOffset? OccurredAt = null);

/// <summary>What a command route answers when the command was applied (or had been, for a retry).</summary>
/// <param name="CommandId">The command's id.</param>
/// <param name="UnitId">The unit whose stream took the events.</param>
/// <param name="Version">The unit stream's version after the command.</param>
/// <param name="AlreadyApplied">True when this command id had been applied before: nothing new was appended.</param>
public sealed record CommandAccepted(string CommandId, string UnitId, long Version, bool AlreadyApplied);
