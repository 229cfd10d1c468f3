using Readiness.Domain;

namespace Readiness.Grains.Storage;

/// <summary>
/// The name each event class is stored under in <c>mt_events.type</c>, written out instead of derived
/// from the class name. That name is hashed into the event's link of the audit chain, and it is how a
/// stored row finds its class again (projections, history, views of the past, import), so it must
/// never change for data that exists: a class may be renamed, its line here keeps the old name. The
/// names are those Marten derived from the class names before they were written down.
/// </summary>
public static class StoredEventNames
{
    private static readonly (Type Type, string Name)[] Table =
    [
        (typeof(UnitRegistered), "unit_registered"),
        (typeof(AuthorisedStrengthChanged), "authorised_strength_changed"),
        (typeof(RecruitsEnlisted), "recruits_enlisted"),
        (typeof(RecruitsHandedOver), "recruits_handed_over"),
        (typeof(ConscriptionQuotaAssigned), "conscription_quota_assigned"),
        (typeof(MembersJoined), "members_joined"),
        (typeof(MembersLeft), "members_left"),
        (typeof(TrainingCompleted), "training_completed"),
        (typeof(DefenceEducationDelivered), "defence_education_delivered"),
        (typeof(OutreachSessionHeld), "outreach_session_held"),
        (typeof(PartyCellEstablished), "party_cell_established"),
        (typeof(PartyCellDissolved), "party_cell_dissolved"),
        (typeof(AwardConferred), "award_conferred"),
        (typeof(ReadinessAssessed), "readiness_assessed"),
        (typeof(ReadinessAssessmentWithdrawn), "readiness_assessment_withdrawn"),
        (typeof(ExerciseParticipationRecorded), "exercise_participation_recorded"),
        (typeof(EquipmentAllotted), "equipment_allotted"),
        (typeof(EquipmentReceived), "equipment_received"),
        (typeof(EquipmentTransferred), "equipment_transferred"),
        (typeof(EquipmentWrittenOff), "equipment_written_off"),
        (typeof(EquipmentConditionReported), "equipment_condition_reported"),
        (typeof(MissionAssigned), "mission_assigned"),
        (typeof(MissionAssessed), "mission_assessed"),
        (typeof(MissionUnassigned), "mission_unassigned"),
        (typeof(ReportOverdue), "report_overdue"),

        (typeof(ExercisePlanned), "exercise_planned"),
        (typeof(ExerciseStarted), "exercise_started"),
        (typeof(ExerciseCompleted), "exercise_completed"),
        (typeof(ExerciseCancelled), "exercise_cancelled"),

        (typeof(DutyPostEstablished), "duty_post_established"),
        (typeof(DutyShiftStarted), "duty_shift_started"),
        (typeof(DutyShiftHandedOver), "duty_shift_handed_over"),
        (typeof(DutyShiftEnded), "duty_shift_ended"),
        (typeof(DutyStaffingReported), "duty_staffing_reported"),
        (typeof(DutyIncidentReported), "duty_incident_reported"),
        (typeof(DutyIncidentClosed), "duty_incident_closed"),
        (typeof(DutyHandoverOverdue), "duty_handover_overdue"),

        (typeof(UpwardReportAcknowledged), "upward_report_acknowledged"),
    ];

    // Built eagerly so that a class or a name listed twice fails when the store is first configured.
    private static readonly Dictionary<Type, string> NameByType = Table.ToDictionary(e => e.Type, e => e.Name);

    private static readonly Dictionary<string, Type> TypeByName = Table.ToDictionary(e => e.Name, e => e.Type, StringComparer.Ordinal);

    /// <summary>Every event class with its stored name.</summary>
    public static IReadOnlyDictionary<Type, string> ByType => NameByType;

    /// <summary>The stored name of an event class; a class with none is a mistake, not a default.</summary>
    public static string Of(Type eventType) =>
        NameByType.TryGetValue(eventType, out var name)
            ? name
            : throw new InvalidOperationException($"The event {eventType.Name} has no stored name: add it to {nameof(StoredEventNames)}.");

    /// <summary>
    /// What Marten writes in <c>mt_dotnet_type</c> beside the stored name: the class's full name and
    /// assembly. Informative only: rows are read back by their stored name.
    /// </summary>
    public static string DotnetTypeOf(Type eventType) => $"{eventType.FullName}, {eventType.Assembly.GetName().Name}";

    /// <summary>The class stored under a name, or null for a name this version does not know.</summary>
    public static Type? TypeOf(string storedName) => TypeByName.GetValueOrDefault(storedName);
}
