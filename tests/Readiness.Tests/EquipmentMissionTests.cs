using System.Net;
using System.Net.Http.Json;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>Equipment and missions through the HTTP API: the two equipment areas, transfers credited once, and the missions views.</summary>
public class EquipmentMissionTests(SiloFixture silo)
{
    private ReadinessClient Client => new(silo.Http);

    private static readonly DateTimeOffset Earlier = DateTimeOffset.UtcNow.AddDays(-20);

    private async Task<HttpResponseMessage> Post<T>(T command) where T : ICommand =>
        await silo.Http.PostAsJsonAsync("/" + CommandPaths.Prefix + CommandPaths.NameOf(typeof(T)), command, SiloFixture.Json);

    private async Task Equip(string unitId, EquipmentCategory category, int authorised, int onHand, int underRepair = 0, int unserviceable = 0)
    {
        await Client.SendAsync(new AllotEquipment(ReadinessClient.NewCommandId(), unitId, category, authorised, "Biên chế", Earlier));
        await Client.SendAsync(new ReceiveEquipment(ReadinessClient.NewCommandId(), unitId, category, onHand, "Cấp phát", Earlier.AddDays(1)));
        await Client.SendAsync(new ReportEquipmentCondition(ReadinessClient.NewCommandId(), unitId, category,
            onHand - underRepair - unserviceable, underRepair, unserviceable, Earlier.AddDays(2)));
    }

    [Fact]
    public async Task Equipment_sets_both_areas_with_their_evidence_and_the_worst_area_sets_the_level()
    {
        var tree = await silo.NewProvinceAsync(communeAuthorised: 10);
        await silo.AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), tree.CommuneId, ForceType.Standing, 10));
        await silo.TrainAsync(tree.CommuneId, 2);

        var before = await Client.GetUnitAsync(tree.CommuneId);
        Assert.Null(before.Rating.Areas.Single(a => a.Area == ReadinessArea.EquipmentOnHand).Level);
        Assert.Null(before.Rating.Areas.Single(a => a.Area == ReadinessArea.EquipmentServiceable).Level);

        await Equip(tree.CommuneId, EquipmentCategory.Weapons, 20, 15, underRepair: 2, unserviceable: 3);
        var unit = await Client.GetUnitAsync(tree.CommuneId);

        var onHand = unit.Rating.Areas.Single(a => a.Area == ReadinessArea.EquipmentOnHand);
        Assert.Equal(ReadinessLevel.R3, onHand.Level);
        Assert.Equal(0.75, onHand.Measure);
        Assert.Contains("15 of 20 authorised", onHand.Explanation, StringComparison.Ordinal);
        Assert.Equal([nameof(EquipmentAllotted), nameof(EquipmentReceived), nameof(EquipmentConditionReported)], onHand.Evidence.Select(e => e.Event));
        var serviceable = unit.Rating.Areas.Single(a => a.Area == ReadinessArea.EquipmentServiceable);
        Assert.Equal(ReadinessLevel.R3, serviceable.Level);
        Assert.Equal(ReadinessLevel.R3, unit.Level);
        Assert.Equal(ReadinessArea.EquipmentOnHand, unit.Rating.SetBy);
        Assert.Equal(new EquipmentHolding(EquipmentCategory.Weapons, 20, 15, 10, 2, 3), Assert.Single(unit.Equipment));

        // The district comes from the asynchronous roster, which passes through the commune's earlier states
        // (registered with nobody: personnel R4) on its way; wait for the one the unit's own view shows.
        var district = await silo.EventuallyAsync<DistrictReadinessView>($"/api/provinces/{tree.ProvinceId}/districts/district-a",
            d => d.BelowR2.Any(c => c.UnitId == tree.CommuneId && c.SetBy == ReadinessArea.EquipmentOnHand));
        Assert.Equal(ReadinessArea.EquipmentOnHand, district.BelowR2.Single(c => c.UnitId == tree.CommuneId).SetBy);
    }

    [Fact]
    public async Task A_transfer_credits_the_receiver_exactly_once_and_a_retry_appends_nothing()
    {
        var tree = await silo.NewProvinceAsync();
        await Equip(tree.DistrictId, EquipmentCategory.RescueEquipment, 10, 10);
        var transfer = new TransferEquipment(ReadinessClient.NewCommandId(), tree.DistrictId, EquipmentCategory.RescueEquipment, 4, tree.CommuneId, Earlier.AddDays(5));

        using (var first = await Post(transfer))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        using (var again = await Post(transfer))
        {
            Assert.True((await again.Content.ReadFromJsonAsync<CommandAccepted>(SiloFixture.Json))!.AlreadyApplied);
        }

        Assert.Equal(6, (await Client.GetUnitAsync(tree.DistrictId)).Equipment.Single().OnHand);
        var received = Assert.Single((await Client.GetUnitAsync(tree.CommuneId)).Equipment);
        Assert.Equal((4, 4), (received.OnHand, received.Serviceable));
        Assert.Equal(1, await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE stream_id = @s AND type = 'equipment_received'", ("s", tree.CommuneId)));
    }

    [Fact]
    public async Task Bad_equipment_reports_are_400s_or_404s_that_say_why_and_append_nothing()
    {
        var tree = await silo.NewProvinceAsync();
        await Equip(tree.CommuneId, EquipmentCategory.Weapons, 10, 8);
        var events = await silo.Database.CountEventsAsync(tree.CommuneId);

        async Task Refused<T>(T command, HttpStatusCode status, string says) where T : ICommand
        {
            using var response = await Post(command);
            Assert.Equal(status, response.StatusCode);
            Assert.Contains(says, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        await Refused(new ReportEquipmentCondition(ReadinessClient.NewCommandId(), tree.CommuneId, EquipmentCategory.Weapons, 5, 1, 1), HttpStatusCode.BadRequest, "add up to 7");
        await Refused(new WriteOffEquipment(ReadinessClient.NewCommandId(), tree.CommuneId, EquipmentCategory.Weapons, 9, "Hỏng"), HttpStatusCode.BadRequest, "8 Weapons on hand");
        await Refused(new TransferEquipment(ReadinessClient.NewCommandId(), tree.CommuneId, EquipmentCategory.Weapons, 1, $"{tree.DistrictId}/nowhere"), HttpStatusCode.NotFound, "not registered");
        await Refused(new AllotEquipment(ReadinessClient.NewCommandId(), tree.CommuneId, EquipmentCategory.Weapons, -1, "x"), HttpStatusCode.BadRequest, "negative");
        using (var unknownCategory = await silo.Http.PostAsync(new Uri("/api/commands/allot-equipment", UriKind.Relative), JsonContent.Create(new
        {
            commandId = ReadinessClient.NewCommandId(), unitId = tree.CommuneId, category = "Tanks", authorised = 3, reason = "x",
        })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknownCategory.StatusCode);
        }
        Assert.Equal(events, await silo.Database.CountEventsAsync(tree.CommuneId));
    }

    [Fact]
    public async Task A_transfer_to_a_unit_outside_the_callers_scopes_is_refused_and_appends_nothing()
    {
        var tree = await silo.NewProvinceAsync();
        var other = $"{tree.ProvinceId}/district-b";
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), other, "Other district", Echelon.District, null, 20, DateTimeOffset.UtcNow.AddMonths(-6)));
        await Equip(tree.DistrictId, EquipmentCategory.Vehicles, 3, 3);
        var events = await silo.Database.CountEventsAsync(tree.DistrictId);
        using var reporter = silo.Host.ClientWith(silo.Host.Token([tree.DistrictId], [Access.Reporter]));

        using var response = await reporter.PostAsJsonAsync("/api/commands/transfer-equipment",
            new TransferEquipment(ReadinessClient.NewCommandId(), tree.DistrictId, EquipmentCategory.Vehicles, 1, other), SiloFixture.Json);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(events, await silo.Database.CountEventsAsync(tree.DistrictId));
        Assert.Equal(1, await silo.Database.CountEventsAsync(other));
    }

    [Fact]
    public async Task The_missions_views_count_units_by_answer_and_list_the_answers_the_figures_contradict()
    {
        var tree = await silo.NewProvinceAsync(communeAuthorised: 10);
        var militia = $"{tree.CommuneId}/dan-quan";
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), militia, "Trung đội dân quân", Echelon.ForceUnit, null, 30, DateTimeOffset.UtcNow.AddMonths(-6)));
        await Equip(tree.CommuneId, EquipmentCategory.RescueEquipment, 10, 10, unserviceable: 2);
        await silo.AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), tree.ProvinceId, ForceType.Standing, 100));
        async Task Answer(string unitId, Mission mission, MissionAnswer? answer)
        {
            await Client.SendAsync(new AssignMission(ReadinessClient.NewCommandId(), unitId, mission, Earlier));
            if (answer is { } a)
            {
                await Client.SendAsync(new AssessMission(ReadinessClient.NewCommandId(), unitId, mission, a, "Đánh giá tháng", "Chỉ huy trưởng", Earlier.AddDays(3)));
            }
        }
        await Answer(tree.CommuneId, Mission.SearchAndRescue, MissionAnswer.Yes);
        await Answer(militia, Mission.SearchAndRescue, MissionAnswer.No);
        await Answer(tree.DistrictId, Mission.SearchAndRescue, null);
        await Answer(tree.DistrictId, Mission.CombatReadinessDuty, MissionAnswer.Qualified);
        await Answer(tree.ProvinceId, Mission.Mobilisation, MissionAnswer.Yes);

        var unit = await Client.GetUnitAsync(tree.CommuneId);
        var flag = Assert.Single(unit.MissionFlags);
        Assert.Equal(Mission.SearchAndRescue, flag.Mission);
        Assert.Contains("2 unserviceable", flag.Problem, StringComparison.Ordinal);
        Assert.Equal(MissionAnswer.Yes, Assert.Single(unit.Missions).Answer);

        // The missions view comes from the asynchronous roster: read it once every event so far is folded.
        await silo.WaitForProjectionsAsync();
        var missions = await silo.EventuallyAsync<ProvinceMissionReadiness>($"/api/provinces/{tree.ProvinceId}/missions",
            m => m.Missions.Sum(t => t.Assigned) == 5);
        Assert.Equal(new MissionTally(Mission.SearchAndRescue, 3, 1, 0, 1, 1, 1), missions.Missions.Single(t => t.Mission == Mission.SearchAndRescue));
        // The district command has no members, so its Qualified for combat duty is contradicted by personnel at R4.
        Assert.Equal(new MissionTally(Mission.CombatReadinessDuty, 1, 0, 1, 0, 0, 1), missions.Missions.Single(t => t.Mission == Mission.CombatReadinessDuty));
        Assert.Equal(new MissionTally(Mission.Mobilisation, 1, 1, 0, 0, 0, 0), missions.Missions.Single(t => t.Mission == Mission.Mobilisation));
        var district = Assert.Single(missions.Districts);
        Assert.Equal(0, district.Missions.Single(t => t.Mission == Mission.Mobilisation).Assigned);
        Assert.Equal([(Mission.CombatReadinessDuty, tree.DistrictId), (Mission.SearchAndRescue, tree.CommuneId)], missions.Flagged.Select(f => (f.Mission, f.UnitId)));
        Assert.Contains("personnel is at R4", missions.Flagged[0].Problem, StringComparison.Ordinal);

        var own = await Client.GetDistrictMissionsAsync(tree.ProvinceId, "district-a");
        Assert.Equal(district.Missions, own.Missions);
        using var unknown = await silo.Http.GetAsync(new Uri($"/api/provinces/{tree.ProvinceId}/districts/nowhere/missions", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var noProvince = await silo.Http.GetAsync(new Uri("/api/provinces/nowhere/missions", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, noProvince.StatusCode);

        using var unassigned = await Post(new AssessMission(ReadinessClient.NewCommandId(), militia, Mission.Mobilisation, MissionAnswer.Yes, "x", "y"));
        Assert.Equal(HttpStatusCode.Conflict, unassigned.StatusCode);
    }

    [Fact]
    public async Task The_demo_answers_for_its_missions_and_shows_its_one_contradiction()
    {
        await silo.WaitForProjectionsAsync();
        var missions = await Client.GetProvinceMissionsAsync("bac-kan");

        Assert.Equal(8, missions.Districts.Count);
        var flagged = Assert.Single(missions.Flagged);
        Assert.Equal(("bac-kan/ba-be", Mission.SearchAndRescue), (flagged.UnitId, flagged.Mission));
        var mobilisation = missions.Missions.Single(t => t.Mission == Mission.Mobilisation);
        Assert.Equal((8, 7, 1), (mobilisation.Assigned, mobilisation.Yes, mobilisation.No));
    }
}
