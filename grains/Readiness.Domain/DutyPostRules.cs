using System.Collections.Immutable;
using Readiness.Contracts;

namespace Readiness.Domain;

public sealed record DutyPostState(
    string PostId,
    bool Established,
    string Name,
    DutyKind Kind,
    string OwnerUnitId,
    int StaffRequired,
    int ShiftHours,
    bool OnDuty,
    string? Commander,
    int StaffPresent,
    DateTimeOffset? ShiftStartedAt,
    DateTimeOffset LastChangeAt,
    DateTimeOffset? OverdueAlertedFor,
    ImmutableHashSet<string> OpenIncidents,
    ImmutableHashSet<string> KnownIncidents)
{
    public static DutyPostState Initial(string postId) =>
        new(postId, false, string.Empty, DutyKind.CombatReadiness, string.Empty, 0, 0, false, null, 0, null, default, null, [], []);

    public DateTimeOffset? HandoverDueAt => ShiftStartedAt?.AddHours(ShiftHours);
}

/// <summary>A post manned around the clock: shifts start, hand over and end; the reminder watches for overdue handovers.</summary>
public static class DutyPostRules
{
    public const int MaxStaff = 1_000;
    public const int MaxShiftHours = 168;

    public static Decision Decide(DutyPostState state, IDutyPostCommand command, UnitProfile? owner, DateTimeOffset now)
    {
        var at = command.OccurredAt ?? now;
        if (command is EstablishDutyPost establish)
        {
            return DecideEstablish(state, establish, owner, at, now);
        }
        if (!state.Established)
        {
            return Decision.Reject(RejectionKind.NotFound, $"Duty post '{state.PostId}' has not been established.");
        }
        if (InputChecks.OccurredAt(at, now, state.LastChangeAt, $"the last recorded change of post '{state.PostId}'") is { } timeProblem)
        {
            return Decision.Reject(RejectionKind.Invalid, timeProblem);
        }

        return command switch
        {
            StartDutyShift c =>
                state.OnDuty
                    ? Decision.Reject(RejectionKind.Conflict, $"A shift under {state.Commander} is on at post '{state.PostId}'; hand it over or end it.")
                    : InputChecks.FirstProblem(InputChecks.Text(c.Commander, "The shift commander", 200), InputChecks.Positive(c.StaffPresent, "Staff present", MaxStaff))
                      ?? Decision.Accept(new DutyShiftStarted(state.PostId, c.Commander.Trim(), c.StaffPresent, at)),

            HandOverDutyShift c =>
                !state.OnDuty
                    ? Decision.Reject(RejectionKind.Conflict, $"No shift is on at post '{state.PostId}'; start one instead of handing over.")
                    : InputChecks.FirstProblem(
                          InputChecks.Text(c.OutgoingCommander, "The outgoing commander", 200),
                          InputChecks.Text(c.IncomingCommander, "The incoming commander", 200),
                          InputChecks.Positive(c.StaffPresent, "Staff present", MaxStaff),
                          c.OutgoingCommander?.Trim() != state.Commander ? $"The outgoing commander '{c.OutgoingCommander}' is not the one on duty ('{state.Commander}')." : null)
                      ?? Decision.Accept(new DutyShiftHandedOver(state.PostId, c.OutgoingCommander!.Trim(), c.IncomingCommander.Trim(), c.StaffPresent, at)),

            EndDutyShift c =>
                !state.OnDuty
                    ? Decision.Reject(RejectionKind.Conflict, $"No shift is on at post '{state.PostId}'.")
                    : InputChecks.FirstProblem(
                          InputChecks.Text(c.Commander, "The commander", 200),
                          c.Commander?.Trim() != state.Commander ? $"'{c.Commander}' is not the commander on duty ('{state.Commander}')." : null)
                      ?? Decision.Accept(new DutyShiftEnded(state.PostId, c.Commander!.Trim(), at)),

            ReportDutyStaffing c =>
                !state.OnDuty
                    ? Decision.Reject(RejectionKind.Conflict, $"No shift is on at post '{state.PostId}'; start one with the staff present.")
                    : InputChecks.FirstProblem(InputChecks.NotNegative(c.StaffPresent, "Staff present", MaxStaff), InputChecks.Text(c.Reason, "A reason"))
                      ?? Decision.Accept(new DutyStaffingReported(state.PostId, c.StaffPresent, c.Reason.Trim(), at)),

            ReportDutyIncident c =>
                InputChecks.FirstProblem(InputChecks.Text(c.IncidentId, "An incident id", 100), InputChecks.Text(c.Kind, "The incident kind", 200), InputChecks.Text(c.Place, "The place"))
                ?? (state.KnownIncidents.Contains(c.IncidentId.Trim())
                    ? Decision.Reject(RejectionKind.Conflict, $"Incident '{c.IncidentId}' was already reported at post '{state.PostId}'.")
                    : Decision.Accept(new DutyIncidentReported(state.PostId, c.IncidentId.Trim(), c.Kind.Trim(), c.Place.Trim(), at))),

            CloseDutyIncident c =>
                !state.OpenIncidents.Contains(c.IncidentId?.Trim() ?? string.Empty)
                    ? Decision.Reject(RejectionKind.NotFound, $"Post '{state.PostId}' has no open incident '{c.IncidentId}'.")
                    : InputChecks.FirstProblem(InputChecks.Text(c.Resolution, "A resolution"))
                      ?? Decision.Accept(new DutyIncidentClosed(state.PostId, c.IncidentId!.Trim(), c.Resolution.Trim(), at)),

            _ => Decision.Reject(RejectionKind.Invalid, $"A duty post does not take {command.GetType().Name} commands."),
        };
    }

    /// <summary>The reminder's rule: one alert per shift that ran past its length with no handover.</summary>
    public static Decision? CheckHandover(DutyPostState state, DateTimeOffset now) =>
        state is { OnDuty: true, HandoverDueAt: { } due, ShiftStartedAt: { } started }
        && now > due && state.OverdueAlertedFor != started
            ? Decision.Accept(new DutyHandoverOverdue(state.PostId, started, due, now))
            : null;

    public static DutyPostState Evolve(DutyPostState state, object @event) => @event switch
    {
        DutyPostEstablished e => state with
        {
            Established = true,
            Name = e.Name,
            Kind = e.Kind,
            OwnerUnitId = e.OwnerUnitId,
            StaffRequired = e.StaffRequired,
            ShiftHours = e.ShiftHours,
            LastChangeAt = e.OccurredAt,
        },
        DutyShiftStarted e => state with { OnDuty = true, Commander = e.Commander, StaffPresent = e.StaffPresent, ShiftStartedAt = e.OccurredAt, LastChangeAt = e.OccurredAt },
        DutyShiftHandedOver e => state with { Commander = e.IncomingCommander, StaffPresent = e.StaffPresent, ShiftStartedAt = e.OccurredAt, LastChangeAt = e.OccurredAt },
        DutyShiftEnded e => state with { OnDuty = false, Commander = null, StaffPresent = 0, ShiftStartedAt = null, LastChangeAt = e.OccurredAt },
        DutyStaffingReported e => state with { StaffPresent = e.StaffPresent, LastChangeAt = e.OccurredAt },
        DutyIncidentReported e => state with
        {
            OpenIncidents = state.OpenIncidents.Add(e.IncidentId),
            KnownIncidents = state.KnownIncidents.Add(e.IncidentId),
            LastChangeAt = e.OccurredAt,
        },
        DutyIncidentClosed e => state with { OpenIncidents = state.OpenIncidents.Remove(e.IncidentId), LastChangeAt = e.OccurredAt },
        DutyHandoverOverdue e => state with { OverdueAlertedFor = e.ShiftStartedAt },
        _ => state,
    };

    private static Decision DecideEstablish(DutyPostState state, EstablishDutyPost c, UnitProfile? owner, DateTimeOffset at, DateTimeOffset now)
    {
        if (state.Established)
        {
            return Decision.Reject(RejectionKind.Conflict, $"Duty post '{state.PostId}' is already established.");
        }
        if (UnitPath.Problem(state.PostId) is { } idProblem)
        {
            return Decision.Reject(RejectionKind.Invalid, idProblem);
        }
        var ownerId = UnitPath.ParentOf(state.PostId);
        if (ownerId is null)
        {
            return Decision.Reject(RejectionKind.Invalid, $"A duty post id starts with its owning unit's id, such as 'bac-kan/ba-be/sscd'; '{state.PostId}' has no owner.");
        }
        var problem = InputChecks.FirstProblem(
            InputChecks.Text(c.Name, "The post name", 200),
            InputChecks.Defined(c.Kind, "Duty kind"),
            InputChecks.Positive(c.StaffRequired, "Staff required per shift", MaxStaff),
            InputChecks.Positive(c.ShiftHours, "Shift length in hours", MaxShiftHours),
            InputChecks.OccurredAt(at, now, owner?.RegisteredAt, $"unit '{ownerId}'"));
        if (problem is not null)
        {
            return problem;
        }
        return owner is null
            ? Decision.Reject(RejectionKind.NotFound, $"Owning unit '{ownerId}' is not registered.")
            : Decision.Accept(new DutyPostEstablished(state.PostId, c.Name.Trim(), c.Kind, ownerId, c.StaffRequired, c.ShiftHours, at));
    }
}
