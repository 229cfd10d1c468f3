using Marten;
using Readiness.Store;

namespace Readiness.Domain.Tests;

/// <summary>
/// The names stored in <c>mt_events.type</c>, pinned here by hand, apart from <see cref="EventCatalogue"/>
/// which the code reads them from. They are in every chain link and in every database and export that
/// exists, so this list only ever grows: a renamed class keeps its line's name (change the class here,
/// never the string), a new event adds a line.
/// </summary>
public class StoredEventNamesTests
{
    private static readonly (Type Type, string Name)[] Pinned =
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
        (typeof(CommanderCommentRecorded), "commander_comment_recorded"),
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
        (typeof(UnitResubordinated), "unit_resubordinated"),
        (typeof(UnitRenamed), "unit_renamed"),
        (typeof(UnitDissolved), "unit_dissolved"),
        (typeof(ProvinceReportAccepted), "province_report_accepted"),
        (typeof(ProvinceReportRefused), "province_report_refused"),
        (typeof(ProvinceReportRefusalsSuppressed), "province_report_refusals_suppressed"),
        (typeof(ProvinceRegistered), "province_registered"),
        (typeof(ProvinceKeysPinned), "province_keys_pinned"),
        (typeof(ProvinceUnregistered), "province_unregistered"),
    ];

    public static TheoryData<string, string> PinnedNames()
    {
        var data = new TheoryData<string, string>();
        foreach (var (type, name) in Pinned)
        {
            data.Add(type.Name, name);
        }
        return data;
    }

    private static Type ClassNamed(string name) => Pinned.Single(p => p.Type.Name == name).Type;

    [Theory]
    [MemberData(nameof(PinnedNames))]
    public void Each_event_keeps_its_pinned_stored_name(string eventClass, string storedName)
    {
        var type = ClassNamed(eventClass);

        Assert.Equal(storedName, EventCatalogue.StoredNameOf(type));
        Assert.Equal(type, EventCatalogue.TypeOf(storedName));
    }

    [Fact]
    public void Every_event_the_store_registers_is_pinned_and_nothing_else_is()
    {
        var pinned = Pinned.Select(p => p.Type).ToHashSet();

        Assert.Equal(pinned.Count, Pinned.Length);
        Assert.Empty(EventCatalogue.Stored.Where(t => !pinned.Contains(t)).Select(t => t.Name));
        Assert.Empty(pinned.Where(t => !EventCatalogue.Stored.Contains(t)).Select(t => t.Name));
        Assert.Equal(Pinned.Length, EventCatalogue.Entries.Count);
    }

    [Fact]
    public void Marten_is_configured_with_the_pinned_names()
    {
        var options = new StoreOptions();
        ReadinessStore.ConfigureEvents(options);

        Assert.All(Pinned, p => Assert.Equal(p.Name, ((Marten.Events.EventGraph)options.Events).EventMappingFor(p.Type).EventTypeName));
    }
}
