namespace Readiness.Domain;

/// <summary>
/// Every event the store holds, each with the name it is stored under (the event table's type) and
/// the actor whose stream holds it: the one list the store registers, the grains append by and rows
/// are read back through. Events are plain records with no Orleans serializer: none crosses a grain
/// call, and what must stay stable is their stored name.
/// </summary>
/// <remarks>
/// The stored name is written out instead of derived from the class name. It is hashed into the
/// event's link of the audit chain, and it is how a stored row finds its class again (projections,
/// history, views of the past, import), so it must never change for data that exists: a class may be
/// renamed, its line here keeps the old name. The names are those Marten derived from the class names
/// before they were written down; <c>StoredEventNamesTests</c> pins each by hand.
/// </remarks>
public static class EventCatalogue
{
    public static IReadOnlyList<CataloguedEvent> Entries { get; } =
    [
        new(typeof(UnitRegistered), "unit_registered", EventActor.Unit),
        new(typeof(AuthorisedStrengthChanged), "authorised_strength_changed", EventActor.Unit),
        new(typeof(RecruitsEnlisted), "recruits_enlisted", EventActor.Unit),
        new(typeof(RecruitsHandedOver), "recruits_handed_over", EventActor.Unit),
        new(typeof(ConscriptionQuotaAssigned), "conscription_quota_assigned", EventActor.Unit),
        new(typeof(MembersJoined), "members_joined", EventActor.Unit),
        new(typeof(MembersLeft), "members_left", EventActor.Unit),
        new(typeof(TrainingCompleted), "training_completed", EventActor.Unit),
        new(typeof(DefenceEducationDelivered), "defence_education_delivered", EventActor.Unit),
        new(typeof(OutreachSessionHeld), "outreach_session_held", EventActor.Unit),
        new(typeof(PartyCellEstablished), "party_cell_established", EventActor.Unit),
        new(typeof(PartyCellDissolved), "party_cell_dissolved", EventActor.Unit),
        new(typeof(AwardConferred), "award_conferred", EventActor.Unit),
        new(typeof(ReadinessAssessed), "readiness_assessed", EventActor.Unit),
        new(typeof(ReadinessAssessmentWithdrawn), "readiness_assessment_withdrawn", EventActor.Unit),
        new(typeof(ExerciseParticipationRecorded), "exercise_participation_recorded", EventActor.Unit),
        new(typeof(EquipmentAllotted), "equipment_allotted", EventActor.Unit),
        new(typeof(EquipmentReceived), "equipment_received", EventActor.Unit),
        new(typeof(EquipmentTransferred), "equipment_transferred", EventActor.Unit),
        new(typeof(EquipmentWrittenOff), "equipment_written_off", EventActor.Unit),
        new(typeof(EquipmentConditionReported), "equipment_condition_reported", EventActor.Unit),
        new(typeof(MissionAssigned), "mission_assigned", EventActor.Unit),
        new(typeof(MissionAssessed), "mission_assessed", EventActor.Unit),
        new(typeof(MissionUnassigned), "mission_unassigned", EventActor.Unit),
        new(typeof(ReportOverdue), "report_overdue", EventActor.Unit),
        new(typeof(CommanderCommentRecorded), "commander_comment_recorded", EventActor.Unit),

        new(typeof(ExercisePlanned), "exercise_planned", EventActor.Exercise),
        new(typeof(ExerciseStarted), "exercise_started", EventActor.Exercise),
        new(typeof(ExerciseCompleted), "exercise_completed", EventActor.Exercise),
        new(typeof(ExerciseCancelled), "exercise_cancelled", EventActor.Exercise),

        new(typeof(DutyPostEstablished), "duty_post_established", EventActor.DutyPost),
        new(typeof(DutyShiftStarted), "duty_shift_started", EventActor.DutyPost),
        new(typeof(DutyShiftHandedOver), "duty_shift_handed_over", EventActor.DutyPost),
        new(typeof(DutyShiftEnded), "duty_shift_ended", EventActor.DutyPost),
        new(typeof(DutyStaffingReported), "duty_staffing_reported", EventActor.DutyPost),
        new(typeof(DutyIncidentReported), "duty_incident_reported", EventActor.DutyPost),
        new(typeof(DutyIncidentClosed), "duty_incident_closed", EventActor.DutyPost),
        new(typeof(DutyHandoverOverdue), "duty_handover_overdue", EventActor.DutyPost),

        new(typeof(UpwardReportAcknowledged), "upward_report_acknowledged", EventActor.UpwardReport),

        new(typeof(UnitResubordinated), "unit_resubordinated", EventActor.ChainOfCommand),
        new(typeof(UnitRenamed), "unit_renamed", EventActor.ChainOfCommand),
        new(typeof(UnitDissolved), "unit_dissolved", EventActor.ChainOfCommand),

        new(typeof(ProvinceReportAccepted), "province_report_accepted", EventActor.Region),
        new(typeof(ProvinceReportRefused), "province_report_refused", EventActor.Region),
        new(typeof(ProvinceReportRefusalsSuppressed), "province_report_refusals_suppressed", EventActor.Region),

        new(typeof(ProvinceRegistered), "province_registered", EventActor.RegionRegistry),
        new(typeof(ProvinceKeysPinned), "province_keys_pinned", EventActor.RegionRegistry),
        new(typeof(ProvinceUnregistered), "province_unregistered", EventActor.RegionRegistry),
    ];

    // Built eagerly so that a class or a name listed twice fails when the catalogue is first read,
    // which is when the store is configured.
    private static readonly Dictionary<Type, string> NameByType = Entries.ToDictionary(e => e.Type, e => e.StoredName);

    private static readonly Dictionary<string, Type> TypeByName = Entries.ToDictionary(e => e.StoredName, e => e.Type, StringComparer.Ordinal);

    /// <summary>
    /// Events of the units, exercises and duty posts: what the rosters fold. The orders that reorganise
    /// the chain of command are read by <see cref="ChainOfCommand"/> instead, and a province's upward
    /// reports are recorded but are not part of its readiness.
    /// </summary>
    public static IEnumerable<Type> Rostered => Entries.Where(e => e.Actor is EventActor.Unit or EventActor.Exercise or EventActor.DutyPost).Select(e => e.Type);

    /// <summary>The stored names of every event that <see cref="ChainOfCommand"/> is built from: registrations and orders.</summary>
    public static IReadOnlyList<string> StructureNames { get; } =
        [.. Entries.Where(e => e.Actor == EventActor.ChainOfCommand || e.Type == typeof(UnitRegistered)).Select(e => e.StoredName)];

    /// <summary>Every event the store holds, a province's upward reports among them, which are recorded but are not part of its readiness.</summary>
    public static IEnumerable<Type> Stored => Entries.Select(e => e.Type);

    /// <summary>The stored name of an event class; a class with none is a mistake, not a default.</summary>
    public static string StoredNameOf(Type eventType) =>
        NameByType.TryGetValue(eventType, out var name)
            ? name
            : throw new InvalidOperationException($"The event {eventType.Name} has no stored name: add it to {nameof(EventCatalogue)}.");

    /// <summary>The class stored under a name, or null for a name this version does not know.</summary>
    public static Type? TypeOf(string storedName) => TypeByName.GetValueOrDefault(storedName);

    /// <summary>
    /// What the store writes beside the stored name as the row's .NET type: the class's full name and
    /// assembly. Informative only: rows are read back by their stored name.
    /// </summary>
    public static string DotnetTypeOf(Type eventType) => $"{eventType.FullName}, {eventType.Assembly.GetName().Name}";
}
