using System.Collections.Immutable;
using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>
/// One category of a unit's equipment: what it may hold, what it holds, and in what condition.
/// The same fold serves the rules (what may be written off, what counts must add up to) and the
/// views, so the two cannot disagree on what is on hand.
/// </summary>
public sealed record EquipmentStock(int Authorised, int OnHand, int Serviceable, int UnderRepair, int Unserviceable)
{
    public static readonly EquipmentStock None = new(0, 0, 0, 0, 0);

    /// <summary>Received items are new or issued from store, so they count as serviceable until an inspection says otherwise.</summary>
    public EquipmentStock Received(int quantity) => this with { OnHand = OnHand + quantity, Serviceable = Serviceable + quantity };

    /// <summary>
    /// Items written off are taken from the unserviceable first, then those under repair: what a unit
    /// writes off is what no longer works. Items transferred go from the serviceable first: a unit
    /// hands over kit that works. Either way the condition counts keep adding up to what is on hand.
    /// </summary>
    public EquipmentStock Removed(int quantity, bool writtenOff)
    {
        var left = Math.Min(quantity, OnHand);
        int Take(int available)
        {
            var taken = Math.Min(available, left);
            left -= taken;
            return taken;
        }
        int serviceable, underRepair, unserviceable;
        if (writtenOff)
        {
            unserviceable = Take(Unserviceable);
            underRepair = Take(UnderRepair);
            serviceable = Take(Serviceable);
        }
        else
        {
            serviceable = Take(Serviceable);
            underRepair = Take(UnderRepair);
            unserviceable = Take(Unserviceable);
        }
        return new EquipmentStock(Authorised, OnHand - Math.Min(quantity, OnHand), Serviceable - serviceable, UnderRepair - underRepair, Unserviceable - unserviceable);
    }

    /// <summary>The stocks of many units as one: each count added, so the condition counts still add up to what is on hand.</summary>
    public static EquipmentStock Total(IEnumerable<EquipmentStock> stocks) =>
        stocks.Aggregate(None, (sum, s) => new EquipmentStock(
            sum.Authorised + s.Authorised, sum.OnHand + s.OnHand, sum.Serviceable + s.Serviceable, sum.UnderRepair + s.UnderRepair, sum.Unserviceable + s.Unserviceable));

    public EquipmentStock Reported(int serviceable, int underRepair, int unserviceable) =>
        this with { Serviceable = serviceable, UnderRepair = underRepair, Unserviceable = unserviceable };

    public EquipmentStock Apply(object @event) => @event switch
    {
        EquipmentAllotted e => this with { Authorised = e.Authorised },
        EquipmentReceived e => Received(e.Quantity),
        EquipmentTransferred e => Removed(e.Quantity, writtenOff: false),
        EquipmentWrittenOff e => Removed(e.Quantity, writtenOff: true),
        EquipmentConditionReported e => Reported(e.Serviceable, e.UnderRepair, e.Unserviceable),
        _ => this,
    };

    /// <summary>The category an equipment event is about, or null for any other event.</summary>
    public static EquipmentCategory? CategoryOf(object @event) => @event switch
    {
        EquipmentAllotted e => e.Category,
        EquipmentReceived e => e.Category,
        EquipmentTransferred e => e.Category,
        EquipmentWrittenOff e => e.Category,
        EquipmentConditionReported e => e.Category,
        _ => null,
    };
}

/// <summary>The rules for a unit's equipment and missions; UnitRules hands these commands here.</summary>
public static class EquipmentRules
{
    /// <summary>More than any commune or company holds of one category; a typo's extra zeros are refused.</summary>
    public const int MaxQuantity = 100_000;

    public static EquipmentStock Stock(ImmutableDictionary<EquipmentCategory, EquipmentStock> equipment, EquipmentCategory category) =>
        equipment.GetValueOrDefault(category, EquipmentStock.None);

    public static Decision Decide(UnitState state, AllotEquipment c, DateTimeOffset at) =>
        InputChecks.FirstProblem(InputChecks.Defined(c.Category, "Equipment category"),
            InputChecks.NotNegative(c.Authorised, "The authorised quantity", MaxQuantity),
            InputChecks.Text(c.Reason, "A reason"))
        ?? Decision.Accept(new EquipmentAllotted(state.UnitId, c.Category, c.Authorised, c.Reason.Trim(), at));

    public static Decision Decide(UnitState state, ReceiveEquipment c, DateTimeOffset at) =>
        InputChecks.FirstProblem(InputChecks.Defined(c.Category, "Equipment category"),
            InputChecks.Positive(c.Quantity, "The quantity received", MaxQuantity),
            InputChecks.Text(c.Source, "The source"))
        ?? (Stock(state.Equipment, c.Category).OnHand + (long)c.Quantity > MaxQuantity
            ? Decision.Reject(RejectionKind.Invalid, $"Receiving {c.Quantity} would take the unit's {c.Category} past {MaxQuantity}.")
            : Decision.Accept(new EquipmentReceived(state.UnitId, c.Category, c.Quantity, c.Source.Trim(), at)));

    /// <summary>A transfer needs the receiving unit's profile: it must exist, and have existed when the items left.</summary>
    public static Decision Decide(UnitState state, TransferEquipment c, UnitProfile? receiver, DateTimeOffset at)
    {
        if (InputChecks.FirstProblem(
            InputChecks.Defined(c.Category, "Equipment category"),
            InputChecks.Positive(c.Quantity, "The quantity transferred", MaxQuantity),
            UnitPath.Problem(c.ToUnitId ?? string.Empty)) is { } problem)
        {
            return problem;
        }
        if (c.ToUnitId == state.UnitId)
        {
            return Decision.Reject(RejectionKind.Invalid, "A unit cannot transfer equipment to itself.");
        }
        if (receiver is null)
        {
            return Decision.Reject(RejectionKind.NotFound, $"Receiving unit '{c.ToUnitId}' is not registered.");
        }
        if (at < receiver.RegisteredAt)
        {
            return Decision.Reject(RejectionKind.Invalid, $"occurredAt {at:O} is before receiving unit '{c.ToUnitId}' was registered ({receiver.RegisteredAt:O}).");
        }
        var onHand = Stock(state.Equipment, c.Category).OnHand;
        return c.Quantity > onHand
            ? Decision.Reject(RejectionKind.Invalid, $"The unit has {onHand} {c.Category} on hand; it cannot transfer {c.Quantity}.")
            : Decision.Accept(new EquipmentTransferred(state.UnitId, c.Category, c.Quantity, c.ToUnitId!, at));
    }

    public static Decision Decide(UnitState state, WriteOffEquipment c, DateTimeOffset at)
    {
        if (InputChecks.FirstProblem(
            InputChecks.Defined(c.Category, "Equipment category"),
            InputChecks.Positive(c.Quantity, "The quantity written off", MaxQuantity),
            InputChecks.Text(c.Reason, "A reason")) is { } problem)
        {
            return problem;
        }
        var onHand = Stock(state.Equipment, c.Category).OnHand;
        return c.Quantity > onHand
            ? Decision.Reject(RejectionKind.Invalid, $"The unit has {onHand} {c.Category} on hand; it cannot write off {c.Quantity}.")
            : Decision.Accept(new EquipmentWrittenOff(state.UnitId, c.Category, c.Quantity, c.Reason.Trim(), at));
    }

    public static Decision Decide(UnitState state, ReportEquipmentCondition c, DateTimeOffset at)
    {
        if (InputChecks.FirstProblem(
                InputChecks.Defined(c.Category, "Equipment category"),
                InputChecks.NotNegative(c.Serviceable, "Serviceable", MaxQuantity),
                InputChecks.NotNegative(c.UnderRepair, "Under repair", MaxQuantity),
                InputChecks.NotNegative(c.Unserviceable, "Unserviceable", MaxQuantity)) is { } problem)
        {
            return problem;
        }
        var onHand = Stock(state.Equipment, c.Category).OnHand;
        var counted = (long)c.Serviceable + c.UnderRepair + c.Unserviceable;
        return counted != onHand
            ? Decision.Reject(RejectionKind.Invalid,
                $"Serviceable, under repair and unserviceable add up to {counted}, but the unit has {onHand} {c.Category} on hand; report receipts, transfers and write-offs first.")
            : Decision.Accept(new EquipmentConditionReported(state.UnitId, c.Category, c.Serviceable, c.UnderRepair, c.Unserviceable, at));
    }

    public static Decision Decide(UnitState state, AssignMission c, DateTimeOffset at) =>
        InputChecks.FirstProblem(InputChecks.Defined(c.Mission, "Mission"))
        ?? (state.Missions.Contains(c.Mission)
            ? Decision.Reject(RejectionKind.Conflict, $"Unit '{state.UnitId}' already has the {c.Mission} mission.")
            : Decision.Accept(new MissionAssigned(state.UnitId, c.Mission, at)));

    public static Decision Decide(UnitState state, AssessMission c, DateTimeOffset at) =>
        InputChecks.FirstProblem(InputChecks.Defined(c.Mission, "Mission"), InputChecks.Defined(c.Answer, "Answer"),
            InputChecks.Text(c.Reason, "A reason", 2_000), InputChecks.Text(c.AssessedBy, "The assessing commander"))
        ?? (!state.Missions.Contains(c.Mission)
            ? Decision.Reject(RejectionKind.Conflict, $"Unit '{state.UnitId}' has no {c.Mission} mission to assess; assign it first.")
            : Decision.Accept(new MissionAssessed(state.UnitId, c.Mission, c.Answer, c.Reason.Trim(), c.AssessedBy.Trim(), at)));

    public static Decision Decide(UnitState state, UnassignMission c, DateTimeOffset at) =>
        InputChecks.FirstProblem(InputChecks.Defined(c.Mission, "Mission"), InputChecks.Text(c.Reason, "A reason"))
        ?? (!state.Missions.Contains(c.Mission)
            ? Decision.Reject(RejectionKind.Conflict, $"Unit '{state.UnitId}' has no {c.Mission} mission to unassign.")
            : Decision.Accept(new MissionUnassigned(state.UnitId, c.Mission, c.Reason.Trim(), at)));
}
