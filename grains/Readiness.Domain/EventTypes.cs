namespace Readiness.Domain;

/// <summary>
/// The event catalogue by actor; the event store registers exactly these, each under the name
/// <c>StoredEventNames</c> (Readiness.Grains) gives it. Events are plain records with no Orleans
/// serializer: none crosses a grain call, and what must stay stable is their stored name.
/// </summary>
public static class EventTypes
{
    public static readonly IReadOnlyList<Type> Unit =
    [
        typeof(UnitRegistered), typeof(AuthorisedStrengthChanged), typeof(RecruitsEnlisted), typeof(RecruitsHandedOver),
        typeof(ConscriptionQuotaAssigned), typeof(MembersJoined), typeof(MembersLeft), typeof(TrainingCompleted),
        typeof(DefenceEducationDelivered), typeof(OutreachSessionHeld), typeof(PartyCellEstablished), typeof(PartyCellDissolved),
        typeof(AwardConferred), typeof(ReadinessAssessed), typeof(ReadinessAssessmentWithdrawn), typeof(ExerciseParticipationRecorded),
        typeof(EquipmentAllotted), typeof(EquipmentReceived), typeof(EquipmentTransferred), typeof(EquipmentWrittenOff),
        typeof(EquipmentConditionReported), typeof(MissionAssigned), typeof(MissionAssessed), typeof(MissionUnassigned),
        typeof(ReportOverdue),
    ];

    public static readonly IReadOnlyList<Type> Exercise =
    [
        typeof(ExercisePlanned), typeof(ExerciseStarted), typeof(ExerciseCompleted), typeof(ExerciseCancelled),
    ];

    public static readonly IReadOnlyList<Type> DutyPost =
    [
        typeof(DutyPostEstablished), typeof(DutyShiftStarted), typeof(DutyShiftHandedOver), typeof(DutyShiftEnded),
        typeof(DutyStaffingReported), typeof(DutyIncidentReported), typeof(DutyIncidentClosed), typeof(DutyHandoverOverdue),
    ];

    /// <summary>Events of the chain of command's actors: what the readiness views fold.</summary>
    public static IEnumerable<Type> All => Unit.Concat(Exercise).Concat(DutyPost);

    /// <summary>A province's dealings with the echelon above it; recorded, but not part of its readiness.</summary>
    public static readonly IReadOnlyList<Type> Reporting = [typeof(UpwardReportAcknowledged)];

    /// <summary>Every event the store holds.</summary>
    public static IEnumerable<Type> Stored => All.Concat(Reporting);
}
