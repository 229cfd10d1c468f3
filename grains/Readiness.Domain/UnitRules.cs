using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>What the rules need to know of a unit: everything decided so far about it.</summary>
public sealed record UnitState(
    string UnitId,
    bool Registered,
    string Name,
    Echelon Echelon,
    string? ParentId,
    int AuthorisedStrength,
    int ActualStrength)
{
    public static UnitState Initial(string unitId) =>
        new(unitId, false, string.Empty, Echelon.ForceUnit, null, 0, 0);
}

/// <summary>The facts about a parent that registering a child depends on.</summary>
public sealed record ParentFacts(string UnitId, Echelon Echelon);

/// <summary>The unit's rules: decide(state, command) → events, evolve(state, event) → state.</summary>
public static class UnitRules
{
    public const int MaxStrength = 100_000;
    public const int MaxNameLength = 200;

    /// <summary>Reports may arrive a little ahead of the server's clock; beyond this they are refused.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    public static Decision Decide(UnitState state, RegisterUnit command, ParentFacts? parent, DateTimeOffset now)
    {
        if (state.Registered)
        {
            return Decision.Reject(RejectionKind.Conflict, $"Unit '{state.UnitId}' is already registered.");
        }
        if (UnitPath.Problem(state.UnitId) is { } idProblem)
        {
            return Decision.Reject(RejectionKind.Invalid, idProblem);
        }
        if (string.IsNullOrWhiteSpace(command.Name) || command.Name.Length > MaxNameLength)
        {
            return Decision.Reject(RejectionKind.Invalid, $"A unit needs a name of 1 to {MaxNameLength} characters.");
        }
        if (!Enum.IsDefined(command.Echelon) || command.Echelon == Echelon.MilitaryRegion)
        {
            return Decision.Reject(RejectionKind.Invalid, "Echelon must be one of Province, District, Commune or ForceUnit.");
        }
        if (command.AuthorisedStrength is < 1 or > MaxStrength)
        {
            return Decision.Reject(RejectionKind.Invalid, $"Authorised strength must be between 1 and {MaxStrength}; it was {command.AuthorisedStrength}.");
        }
        if (OccurredAtProblem(command.OccurredAt, now) is { } timeProblem)
        {
            return Decision.Reject(RejectionKind.Invalid, timeProblem);
        }

        var expectedParent = UnitPath.ParentOf(state.UnitId);
        if (command.ParentId is not null && command.ParentId != expectedParent)
        {
            return Decision.Reject(RejectionKind.Invalid,
                $"The parent of '{state.UnitId}' is '{expectedParent ?? "(none)"}', read from its id; '{command.ParentId}' was given.");
        }
        if (command.Echelon == Echelon.Province)
        {
            if (expectedParent is not null)
            {
                return Decision.Reject(RejectionKind.Invalid, $"A province id has a single level, such as 'bac-kan'; '{state.UnitId}' has more.");
            }
        }
        else
        {
            if (expectedParent is null)
            {
                return Decision.Reject(RejectionKind.Invalid, $"A {command.Echelon} needs a parent: its id must start with the parent's id, such as 'bac-kan/ba-be'.");
            }
            if (parent is null)
            {
                return Decision.Reject(RejectionKind.NotFound, $"Parent unit '{expectedParent}' is not registered; register it first.");
            }
            if (!MayCommand(parent.Echelon, command.Echelon))
            {
                return Decision.Reject(RejectionKind.Invalid, $"A {parent.Echelon} cannot be the parent of a {command.Echelon}.");
            }
        }

        return Decision.Accept(new UnitRegistered(
            state.UnitId, command.Name.Trim(), command.Echelon, expectedParent, command.AuthorisedStrength,
            command.OccurredAt ?? now));
    }

    public static Decision Decide(UnitState state, EnlistRecruits command, DateTimeOffset now)
    {
        if (!state.Registered)
        {
            return Decision.Reject(RejectionKind.NotFound, $"Unit '{state.UnitId}' is not registered.");
        }
        if (command.Count < 1)
        {
            return Decision.Reject(RejectionKind.Invalid, $"The number of recruits must be at least 1; it was {command.Count}.");
        }
        if (state.ActualStrength + (long)command.Count > MaxStrength)
        {
            return Decision.Reject(RejectionKind.Invalid, $"Enlisting {command.Count} would take the unit past {MaxStrength} members.");
        }
        if (command.CohortYear < 1945 || command.CohortYear > now.Year + 1)
        {
            return Decision.Reject(RejectionKind.Invalid, $"Cohort year {command.CohortYear} is not plausible; use the conscription year, such as {now.Year}.");
        }
        if (OccurredAtProblem(command.OccurredAt, now) is { } timeProblem)
        {
            return Decision.Reject(RejectionKind.Invalid, timeProblem);
        }
        return Decision.Accept(new RecruitsEnlisted(state.UnitId, command.Count, command.CohortYear, command.OccurredAt ?? now));
    }

    public static UnitState Evolve(UnitState state, object @event) => @event switch
    {
        UnitRegistered e => state with
        {
            Registered = true,
            Name = e.Name,
            Echelon = e.Echelon,
            ParentId = e.ParentId,
            AuthorisedStrength = e.AuthorisedStrength,
        },
        RecruitsEnlisted e => state with { ActualStrength = state.ActualStrength + e.Count },
        _ => state,
    };

    /// <summary>Provinces hold districts, districts hold communes; force units may stand under any command.</summary>
    public static bool MayCommand(Echelon parent, Echelon child) => child switch
    {
        Echelon.District => parent == Echelon.Province,
        Echelon.Commune => parent == Echelon.District,
        Echelon.ForceUnit => true,
        _ => false,
    };

    private static string? OccurredAtProblem(DateTimeOffset? occurredAt, DateTimeOffset now) =>
        occurredAt is { } at && at > now + ClockTolerance
            ? $"occurredAt {at:O} is in the future; report what has happened, with the time it happened."
            : null;
}
