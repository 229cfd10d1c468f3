using System.Collections.Immutable;
using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>What the rules need to know of a unit: everything decided so far about it.</summary>
public sealed record UnitState(
    string UnitId,
    bool Registered,
    string Name,
    Echelon Echelon,
    string? ParentId,
    DateTimeOffset RegisteredAt,
    int AuthorisedStrength,
    int Recruits,
    int Standing,
    int ReserveMobilisation,
    int MilitiaSelfDefence,
    bool PartyCellActive,
    ReadinessLevel? AssessedLevel)
{
    public static UnitState Initial(string unitId) =>
        new(unitId, false, string.Empty, Echelon.ForceUnit, null, default, 0, 0, 0, 0, 0, false, null);

    public ImmutableDictionary<EquipmentCategory, EquipmentStock> Equipment { get; init; } = ImmutableDictionary<EquipmentCategory, EquipmentStock>.Empty;

    public ImmutableHashSet<Mission> Missions { get; init; } = [];

    /// <summary>When the newest thing reported of the unit happened; an overdue notice is not a report.</summary>
    public DateTimeOffset? LastReportedAt { get; init; }

    /// <summary>The last report an overdue notice was recorded against, so a silence is noted once.</summary>
    public DateTimeOffset? OverdueNotedFor { get; init; }

    public int ActualStrength => Recruits + Standing + ReserveMobilisation + MilitiaSelfDefence;

    public int Members(ForceType force) => force switch
    {
        ForceType.Standing => Standing,
        ForceType.ReserveMobilisation => ReserveMobilisation,
        _ => MilitiaSelfDefence,
    };

    public UnitState WithMembers(ForceType force, int delta) => force switch
    {
        ForceType.Standing => this with { Standing = Standing + delta },
        ForceType.ReserveMobilisation => this with { ReserveMobilisation = ReserveMobilisation + delta },
        _ => this with { MilitiaSelfDefence = MilitiaSelfDefence + delta },
    };
}

/// <summary>
/// The facts about a parent that registering a child depends on; <c>ProvinceId</c> is the province the
/// parent stands under on the registration's date (itself for a province).
/// </summary>
public sealed record ParentFacts(
    string UnitId, Echelon Echelon, DateTimeOffset RegisteredAt, string ProvinceId, DateTimeOffset? DissolvedAt = null, string? SuccessorId = null);

/// <summary>When and by which order a unit was dissolved, and who carries on after it: what its reports are checked against.</summary>
public sealed record Dissolution(DateTimeOffset At, string Order, string? SuccessorId)
{
    public static Dissolution? Of(UnitHistory? unit) =>
        unit is { DissolvedAt: { } at } ? new Dissolution(at, unit.DissolvedBy ?? "", unit.SuccessorId) : null;

    /// <summary>Null when something that happened at <paramref name="occurredAt"/> may still be reported of the unit, else why not.</summary>
    public string? Problem(string unitId, DateTimeOffset occurredAt) =>
        occurredAt < At ? null
        : $"Unit '{unitId}' was dissolved from {At:O} by order {Order}; it records nothing that happened after that"
            + (SuccessorId is { } successor ? $": report it to its successor '{successor}'." : ".")
            + " A report of something earlier is still accepted.";
}

/// <summary>The unit's rules: decide(state, command) → events, evolve(state, event) → state.</summary>
public static class UnitRules
{
    public const int MaxStrength = 100_000;
    public const int MaxNameLength = 200;

    /// <summary>The longest commander's comment: a few paragraphs, as a report's remarks run.</summary>
    public const int MaxCommentLength = 2_000;

    /// <summary>Decides any unit command except registration, which also needs the parent.</summary>
    public static Decision Decide(UnitState state, IUnitCommand command, DateTimeOffset now, Dissolution? dissolution = null)
    {
        if (command is RegisterUnit)
        {
            throw new ArgumentException("Registration needs the parent's facts; use the overload that takes them.", nameof(command));
        }
        if (command is TransferEquipment)
        {
            throw new ArgumentException("A transfer needs the receiving unit's profile; use the overload that takes it.", nameof(command));
        }
        if (!state.Registered)
        {
            return Decision.Reject(RejectionKind.NotFound, $"Unit '{state.UnitId}' is not registered.");
        }
        var at = command.OccurredAt ?? now;
        if (InputChecks.OccurredAt(at, now, state.RegisteredAt, $"unit '{state.UnitId}'") is { } timeProblem)
        {
            return Decision.Reject(RejectionKind.Invalid, timeProblem);
        }
        if (dissolution?.Problem(state.UnitId, at) is { } dissolved)
        {
            return Decision.Reject(RejectionKind.Conflict, dissolved);
        }

        return command switch
        {
            ChangeAuthorisedStrength c =>
                InputChecks.FirstProblem(InputChecks.Positive(c.AuthorisedStrength, "Authorised strength", MaxStrength), InputChecks.Text(c.Reason, "A reason"))
                ?? Decision.Accept(new AuthorisedStrengthChanged(state.UnitId, c.AuthorisedStrength, c.Reason.Trim(), at)),

            EnlistRecruits c =>
                InputChecks.FirstProblem(InputChecks.Positive(c.Count, "The number of recruits"), InputChecks.Year(c.CohortYear, now, "Cohort year"))
                ?? (state.ActualStrength + (long)c.Count > MaxStrength
                    ? Decision.Reject(RejectionKind.Invalid, $"Enlisting {c.Count} would take the unit past {MaxStrength} members.")
                    : Decision.Accept(new RecruitsEnlisted(state.UnitId, c.Count, c.CohortYear, at))),

            HandOverRecruits c =>
                InputChecks.FirstProblem(InputChecks.Positive(c.Count, "The number of recruits"), InputChecks.Year(c.CohortYear, now, "Cohort year"))
                ?? (c.Count > state.Recruits
                    ? Decision.Reject(RejectionKind.Invalid, $"The unit has {state.Recruits} recruits; it cannot hand over {c.Count}.")
                    : Decision.Accept(new RecruitsHandedOver(state.UnitId, c.Count, c.CohortYear, at))),

            AssignConscriptionQuota c =>
                InputChecks.FirstProblem(InputChecks.NotNegative(c.Quota, "The quota"), InputChecks.Year(c.Year, now, "Year"))
                ?? Decision.Accept(new ConscriptionQuotaAssigned(state.UnitId, c.Year, c.Quota, at)),

            RecordMembersJoined c =>
                InputChecks.FirstProblem(InputChecks.Defined(c.Force, "Force"), InputChecks.Positive(c.Count, "The number of members"))
                ?? (state.ActualStrength + (long)c.Count > MaxStrength
                    ? Decision.Reject(RejectionKind.Invalid, $"{c.Count} more would take the unit past {MaxStrength} members.")
                    : Decision.Accept(new MembersJoined(state.UnitId, c.Force, c.Count, at))),

            RecordMembersLeft c =>
                InputChecks.FirstProblem(InputChecks.Defined(c.Force, "Force"), InputChecks.Positive(c.Count, "The number of members"), InputChecks.Text(c.Reason, "A reason"))
                ?? (c.Count > state.Members(c.Force)
                    ? Decision.Reject(RejectionKind.Invalid, $"The unit has {state.Members(c.Force)} {c.Force} members; {c.Count} cannot leave.")
                    : Decision.Accept(new MembersLeft(state.UnitId, c.Force, c.Count, c.Reason.Trim(), at))),

            RecordTraining c =>
                InputChecks.FirstProblem(InputChecks.Text(c.Subject, "The training subject"), InputChecks.Positive(c.Participants, "Participants"), InputChecks.Defined(c.Result, "Result"))
                ?? Decision.Accept(new TrainingCompleted(state.UnitId, c.Subject.Trim(), c.Participants, c.Result, at)),

            RecordDefenceEducation c =>
                InputChecks.FirstProblem(InputChecks.Defined(c.Audience, "Audience"), InputChecks.Positive(c.Participants, "Participants"))
                ?? Decision.Accept(new DefenceEducationDelivered(state.UnitId, c.Audience, c.Participants, at)),

            RecordOutreachSession c =>
                InputChecks.FirstProblem(InputChecks.Text(c.Topic, "The topic"), InputChecks.Positive(c.Attendances, "Attendances"))
                ?? Decision.Accept(new OutreachSessionHeld(state.UnitId, c.Topic.Trim(), c.Attendances, at)),

            EstablishPartyCell c =>
                state.PartyCellActive
                    ? Decision.Reject(RejectionKind.Conflict, $"Unit '{state.UnitId}' already has an active military party cell.")
                    : InputChecks.FirstProblem(InputChecks.Positive(c.Members, "Party cell members", 1_000))
                      ?? Decision.Accept(new PartyCellEstablished(state.UnitId, c.Members, at)),

            DissolvePartyCell c =>
                !state.PartyCellActive
                    ? Decision.Reject(RejectionKind.Conflict, $"Unit '{state.UnitId}' has no active military party cell to dissolve.")
                    : InputChecks.FirstProblem(InputChecks.Text(c.Reason, "A reason"))
                      ?? Decision.Accept(new PartyCellDissolved(state.UnitId, c.Reason.Trim(), at)),

            ConferAward c => DecideAward(state, c, at, now),

            AssessReadiness c =>
                InputChecks.FirstProblem(InputChecks.Defined(c.Level, "Level"),
                    InputChecks.Text(c.Justification, "A written justification", 2_000),
                    InputChecks.Text(c.AssessedBy, "The assessing commander"))
                ?? Decision.Accept(new ReadinessAssessed(state.UnitId, c.Level, c.Justification.Trim(), c.AssessedBy.Trim(), at)),

            RecordCommanderComment c =>
                state.Echelon != Echelon.Province
                    ? Decision.Reject(RejectionKind.Invalid, $"Unit '{state.UnitId}' is a {state.Echelon}: only a province command records its commander's comments for the echelon above.")
                    : InputChecks.FirstProblem(InputChecks.Text(c.Comment, "comment", MaxCommentLength), InputChecks.Text(c.CommentedBy, "commentedBy"))
                      ?? Decision.Accept(new CommanderCommentRecorded(state.UnitId, c.Comment.Trim(), c.CommentedBy.Trim(), at)),

            WithdrawReadinessAssessment c =>
                state.AssessedLevel is null
                    ? Decision.Reject(RejectionKind.Conflict, $"Unit '{state.UnitId}' has no commander's assessment to withdraw.")
                    : InputChecks.FirstProblem(InputChecks.Text(c.Reason, "A reason"))
                      ?? Decision.Accept(new ReadinessAssessmentWithdrawn(state.UnitId, c.Reason.Trim(), at)),

            AllotEquipment c => EquipmentRules.Decide(state, c, at),
            ReceiveEquipment c => EquipmentRules.Decide(state, c, at),
            WriteOffEquipment c => EquipmentRules.Decide(state, c, at),
            ReportEquipmentCondition c => EquipmentRules.Decide(state, c, at),
            AssignMission c => EquipmentRules.Decide(state, c, at),
            AssessMission c => EquipmentRules.Decide(state, c, at),
            UnassignMission c => EquipmentRules.Decide(state, c, at),

            RecordExerciseParticipation c =>
                Decision.Accept(new ExerciseParticipationRecorded(state.UnitId, c.ExerciseId, c.Level, c.Kind, c.Grade, at)),

            _ => Decision.Reject(RejectionKind.Invalid, $"A unit does not take {command.GetType().Name} commands."),
        };
    }

    /// <summary>Decides a transfer, which also needs the receiving unit's profile (null: not registered).</summary>
    public static Decision Decide(UnitState state, TransferEquipment command, UnitProfile? receiver, DateTimeOffset now, Dissolution? dissolution = null)
    {
        if (!state.Registered)
        {
            return Decision.Reject(RejectionKind.NotFound, $"Unit '{state.UnitId}' is not registered.");
        }
        var at = command.OccurredAt ?? now;
        return InputChecks.OccurredAt(at, now, state.RegisteredAt, $"unit '{state.UnitId}'") is { } timeProblem
            ? Decision.Reject(RejectionKind.Invalid, timeProblem)
            : dissolution?.Problem(state.UnitId, at) is { } dissolved
            ? Decision.Reject(RejectionKind.Conflict, dissolved)
            : EquipmentRules.Decide(state, command, receiver, at);
    }

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
            return Decision.Reject(RejectionKind.Invalid, "Echelon must be one of Province, District, RegionalDefence, Commune or ForceUnit.");
        }
        if (command.AuthorisedStrength is < 1 or > MaxStrength)
        {
            return Decision.Reject(RejectionKind.Invalid, $"Authorised strength must be between 1 and {MaxStrength}; it was {command.AuthorisedStrength}.");
        }
        if (InputChecks.OccurredAt(command.OccurredAt ?? now, now, null, "the unit") is { } timeProblem)
        {
            return Decision.Reject(RejectionKind.Invalid, timeProblem);
        }

        var parentId = ParentOf(state.UnitId, command);
        if (command.Echelon == Echelon.Province)
        {
            if (parentId is not null || state.UnitId.Contains('/', StringComparison.Ordinal))
            {
                return Decision.Reject(RejectionKind.Invalid,
                    $"A province stands under no unit: its id has a single level, such as 'thai-nguyen', and it names no parentId; '{state.UnitId}' does not.");
            }
        }
        else
        {
            if (parentId is null)
            {
                return Decision.Reject(RejectionKind.Invalid, $"A {command.Echelon} needs a parent: give parentId, the unit it stands under.");
            }
            if (parent is null)
            {
                return Decision.Reject(RejectionKind.NotFound, $"Parent unit '{parentId}' is not registered; register it first.");
            }
            if (parent.DissolvedAt is { } dissolvedAt)
            {
                return Decision.Reject(RejectionKind.Conflict,
                    $"Parent unit '{parent.UnitId}' is dissolved from {dissolvedAt:O}; nothing is placed under a dissolved unit"
                    + (parent.SuccessorId is { } successor ? $": register under its successor '{successor}'." : "."));
            }
            if (!MayCommand(parent.Echelon, command.Echelon))
            {
                return Decision.Reject(RejectionKind.Invalid, $"A {parent.Echelon} cannot be the parent of a {command.Echelon}.");
            }
            // A stream is stored for ever with the province its id begins with (StreamKeys.HomeOf): its
            // database and its roster. A new unit's id names the province it is registered in, so that
            // a province's own database holds every unit it registers.
            if (UnitPath.ProvinceOf(state.UnitId) != parent.ProvinceId)
            {
                return Decision.Reject(RejectionKind.Invalid,
                    $"A new unit's id begins with the id of the province it is registered in, which keeps its history: "
                    + $"'{parent.UnitId}' stands under '{parent.ProvinceId}', so name the unit '{parent.ProvinceId}/…'; '{state.UnitId}' does not begin so.");
            }
            // A unit cannot stand under a command that did not yet exist.
            if ((command.OccurredAt ?? now) < parent.RegisteredAt)
            {
                return Decision.Reject(RejectionKind.Invalid,
                    $"occurredAt {command.OccurredAt:O} is before parent unit '{parent.UnitId}' was registered ({parent.RegisteredAt:O}); a unit is registered on or after its parent.");
            }
        }

        return Decision.Accept(new UnitRegistered(
            state.UnitId, command.Name.Trim(), command.Echelon, parentId, command.AuthorisedStrength,
            command.OccurredAt ?? now));
    }

    public static UnitState Evolve(UnitState state, object @event) => @event switch
    {
        ReportOverdue e => state with { OverdueNotedFor = e.LastReportedAt },
        IReadinessEvent e when state.LastReportedAt is not { } last || e.OccurredAt > last => Apply(state, @event) with { LastReportedAt = e.OccurredAt },
        _ => Apply(state, @event),
    };

    /// <summary>
    /// A unit that has reported nothing for longer than its echelon's interval gets one overdue notice
    /// per silence: none again until it reports and falls silent anew. Null when nothing is due.
    /// </summary>
    public static Decision? CheckReporting(UnitState state, ReadinessPolicy policy, DateTimeOffset now)
    {
        if (!state.Registered || state.LastReportedAt is not { } last || policy.ReportingInterval(state.Echelon) is not { } interval)
        {
            return null;
        }
        var due = last + interval;
        return now > due && state.OverdueNotedFor != last
            ? Decision.Accept(new ReportOverdue(state.UnitId, last, due, now))
            : null;
    }

    private static UnitState Apply(UnitState state, object @event) => @event switch
    {
        UnitRegistered e => state with
        {
            Registered = true,
            Name = e.Name,
            Echelon = e.Echelon,
            ParentId = e.ParentId,
            RegisteredAt = e.OccurredAt,
            AuthorisedStrength = e.AuthorisedStrength,
        },
        AuthorisedStrengthChanged e => state with { AuthorisedStrength = e.AuthorisedStrength },
        RecruitsEnlisted e => state with { Recruits = state.Recruits + e.Count },
        RecruitsHandedOver e => state with { Recruits = state.Recruits - e.Count },
        MembersJoined e => state.WithMembers(e.Force, e.Count),
        MembersLeft e => state.WithMembers(e.Force, -e.Count),
        PartyCellEstablished => state with { PartyCellActive = true },
        PartyCellDissolved => state with { PartyCellActive = false },
        ReadinessAssessed e => state with { AssessedLevel = e.Level },
        ReadinessAssessmentWithdrawn => state with { AssessedLevel = null },
        MissionAssigned e => state with { Missions = state.Missions.Add(e.Mission) },
        MissionUnassigned e => state with { Missions = state.Missions.Remove(e.Mission) },
        _ when EquipmentStock.CategoryOf(@event) is { } category =>
            state with { Equipment = state.Equipment.SetItem(category, EquipmentRules.Stock(state.Equipment, category).Apply(@event)) },
        _ => state,
    };

    /// <summary>Provinces hold districts, districts hold communes; force units may stand under any command.</summary>
    /// <summary>
    /// The unit a registration places the new unit under: the parentId it names, or, when it names
    /// none, its id without the last level, as ids were made before units could move. Either way the
    /// parent is then a recorded fact of the registration, and read from there.
    /// </summary>
    public static string? ParentOf(string unitId, RegisterUnit command) =>
        command.ParentId is { Length: > 0 } given ? given
        : command.Echelon == Echelon.Province ? null
        : UnitPath.ParentOf(unitId);

    /// <summary>
    /// Who may command whom. Commune commands stood under district commands until 2025, under the
    /// regional defence commands that replaced them, and from 2026 directly under the province.
    /// </summary>
    public static bool MayCommand(Echelon parent, Echelon child) => child switch
    {
        Echelon.District or Echelon.RegionalDefence => parent == Echelon.Province,
        Echelon.Commune => parent is Echelon.District or Echelon.RegionalDefence or Echelon.Province,
        Echelon.ForceUnit => true,
        _ => false,
    };

    /// <summary>Titles for collectives go to collectives, soldiers' titles to individuals.</summary>
    public static bool MayReceive(AwardKind kind, RecipientKind recipient) => kind switch
    {
        AwardKind.AdvancedUnit => recipient == RecipientKind.Collective,
        AwardKind.GrassrootsEmulationSoldier or AwardKind.AdvancedSoldier => recipient == RecipientKind.Individual,
        _ => true,
    };

    private static Decision DecideAward(UnitState state, ConferAward c, DateTimeOffset at, DateTimeOffset now)
    {
        var problem = InputChecks.FirstProblem(
            InputChecks.Defined(c.Kind, "Award kind"),
            InputChecks.Defined(c.RecipientKind, "Recipient kind"),
            InputChecks.Text(c.Recipient, "The recipient"),
            InputChecks.Text(c.Movement, "The emulation movement"),
            InputChecks.Year(c.Year, now, "Award year"));
        if (problem is not null)
        {
            return problem;
        }
        return MayReceive(c.Kind, c.RecipientKind)
            ? Decision.Accept(new AwardConferred(state.UnitId, c.Kind, c.RecipientKind, c.Recipient.Trim(), c.Movement.Trim(), c.Year, at))
            : Decision.Reject(RejectionKind.Invalid, $"{c.Kind} is not given to a {c.RecipientKind.ToString().ToLowerInvariant()}.");
    }
}
