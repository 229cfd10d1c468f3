using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>
/// One text field of a command, by the name a caller sends it under. Prose is free text written by
/// a person (a reason, a justification), which may run over several lines.
/// </summary>
public readonly record struct TextField(string Name, string? Value, bool Prose = false);

/// <summary>
/// The one rule for the text of every command, checked at the HTTP route and again where the
/// command reaches its grain: no control character (Unicode category Cc: U+0000–U+001F and
/// U+007F–U+009F), except that prose fields may hold tab, line feed and carriage return; and no
/// unpaired UTF-16 surrogate; and no invisible format character (Unicode category Cf, such as
/// U+202E RIGHT-TO-LEFT OVERRIDE or U+200B ZERO WIDTH SPACE). PostgreSQL's jsonb cannot hold U+0000
/// at all, and the rest would end up in audit exports, CSVs and terminals, where they hide or forge
/// what was recorded: a name can be made to read backwards, or two names that look alike differ.
/// Vietnamese needs none of them.
/// </summary>
public static class CommandText
{
    /// <summary>Null when the text obeys the rule, else what to fix in <paramref name="field"/>.</summary>
    public static string? Problem(string? value, string field, bool prose = false)
    {
        if (value is null)
        {
            return null;
        }
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"{field} holds an unpaired UTF-16 surrogate (U+{(int)c:X4}) at position {i}; send it as valid Unicode text.";
            }
            else if (char.IsControl(c) && !(prose && c is '\t' or '\n' or '\r'))
            {
                return $"{field} holds the control character U+{(int)c:X4} at position {i}; remove it ("
                    + (prose ? "only tab, line feed and carriage return may stand in this text" : "this field is one line of text without control characters")
                    + ").";
            }
            else if (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format)
            {
                return $"{field} holds the invisible format character U+{(int)c:X4} at position {i}; remove it (it changes how the text is shown, not what it says).";
            }
        }
        return null;
    }

    /// <summary>Null when every text field of the command obeys the rule, else what to fix in the first that does not.</summary>
    public static string? Problem(ICommand command)
    {
        foreach (var field in Fields(command))
        {
            if (Problem(field.Value, field.Name, field.Prose) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    /// <summary>
    /// Every text field of the command, named as in its JSON body. Kept by hand so that checking
    /// stays free of reflection; a test walks the contracts by reflection and fails when a command
    /// or a text field is missing. A type not listed (a grain's own internal check) has its command
    /// id and actor id checked.
    /// </summary>
    public static IReadOnlyList<TextField> Fields(ICommand command)
    {
        IReadOnlyList<TextField> own = command switch
        {
            RegisterUnit c => [new("name", c.Name), new("parentId", c.ParentId)],
            ChangeAuthorisedStrength c => [Reason(c.Reason)],
            EnlistRecruits or HandOverRecruits or AssignConscriptionQuota or RecordMembersJoined => [],
            RecordMembersLeft c => [Reason(c.Reason)],
            RecordTraining c => [new("subject", c.Subject)],
            RecordDefenceEducation => [],
            RecordOutreachSession c => [new("topic", c.Topic)],
            EstablishPartyCell => [],
            DissolvePartyCell c => [Reason(c.Reason)],
            ConferAward c => [new("recipient", c.Recipient), new("movement", c.Movement)],
            AssessReadiness c => [new("justification", c.Justification, Prose: true), new("assessedBy", c.AssessedBy)],
            WithdrawReadinessAssessment c => [Reason(c.Reason)],
            RecordCommanderComment c => [new("comment", c.Comment, Prose: true), new("commentedBy", c.CommentedBy)],
            AllotEquipment c => [Reason(c.Reason)],
            ReceiveEquipment c => [new("source", c.Source)],
            TransferEquipment c => [new("toUnitId", c.ToUnitId)],
            WriteOffEquipment c => [Reason(c.Reason)],
            ReportEquipmentCondition or AssignMission => [],
            AssessMission c => [Reason(c.Reason), new("assessedBy", c.AssessedBy)],
            UnassignMission c => [Reason(c.Reason)],
            RecordExerciseParticipation c => [new("exerciseId", c.ExerciseId)],
            PlanExercise c => [new("name", c.Name), .. (c.ParticipantUnitIds ?? []).Select((id, n) => new TextField($"participantUnitIds[{n}]", id))],
            StartExercise or CompleteExercise => [],
            CancelExercise c => [Reason(c.Reason)],
            EstablishDutyPost c => [new("name", c.Name)],
            StartDutyShift c => [new("commander", c.Commander)],
            HandOverDutyShift c => [new("outgoingCommander", c.OutgoingCommander), new("incomingCommander", c.IncomingCommander)],
            EndDutyShift c => [new("commander", c.Commander)],
            ReportDutyStaffing c => [Reason(c.Reason)],
            ReportDutyIncident c => [new("incidentId", c.IncidentId), new("kind", c.Kind), new("place", c.Place)],
            CloseDutyIncident c => [new("incidentId", c.IncidentId), new("resolution", c.Resolution, Prose: true)],
            ResubordinateUnit c => [new("unitId", c.UnitId), new("parentId", c.ParentId), new("order", c.Order)],
            RenameUnit c => [new("unitId", c.UnitId), new("name", c.Name), new("order", c.Order)],
            MergeUnits c => [.. (c.UnitIds ?? []).Select((id, n) => new TextField($"unitIds[{n}]", id)), new("successorId", c.SuccessorId), new("order", c.Order)],
            DissolveUnit c => [new("unitId", c.UnitId), new("successorId", c.SuccessorId), new("order", c.Order)],
            Reorganise c => [new("order", c.Order), .. (c.Steps ?? []).SelectMany(StepFields)],
            IDeclaresTextFields c => c.TextFields(),
            _ => [],
        };
        TextField? actor = command switch
        {
            IUnitCommand c => new TextField("unitId", c.UnitId),
            IExerciseCommand c => new TextField("exerciseId", c.ExerciseId),
            IDutyPostCommand c => new TextField("postId", c.PostId),
            _ => null,
        };
        return [new("commandId", command.CommandId), .. actor is { } a ? [a] : Array.Empty<TextField>(), .. own];
    }

    private static TextField Reason(string? reason) => new("reason", reason, Prose: true);

    private static IEnumerable<TextField> StepFields(ReorganisationStep? step, int n) =>
        step is null ? [] :
        [
            new($"steps[{n}].unitId", step.UnitId), new($"steps[{n}].parentId", step.ParentId),
            new($"steps[{n}].name", step.Name), new($"steps[{n}].successorId", step.SuccessorId),
        ];
}

/// <summary>A command that no HTTP route takes (a grain's own) names its text fields itself, so it falls under the same rule.</summary>
public interface IDeclaresTextFields
{
    IReadOnlyList<TextField> TextFields();
}
