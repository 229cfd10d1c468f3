using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Actors;
using Readiness.Store.Projections;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A silo whose settings differ from every default the Configuration table in docs/operations.md gives for the
/// readiness policy, and whose duty posts look for overdue handovers every two seconds.
/// </summary>
public sealed class ConfiguredSiloFixture() : OwnSilo("configured", Settings)
{
    public static readonly TimeSpan WatchPeriod = TimeSpan.FromSeconds(2);

    public static readonly Dictionary<string, string> Settings = new()
    {
        ["Readiness:Policy:PersonnelThresholds:0"] = "0.95",
        ["Readiness:Policy:PersonnelThresholds:1"] = "0.9",
        ["Readiness:Policy:PersonnelThresholds:2"] = "0.85",
        ["Readiness:Policy:TrainingThresholds:0"] = "0.5",
        ["Readiness:Policy:TrainingThresholds:1"] = "0.3",
        ["Readiness:Policy:TrainingThresholds:2"] = "0.1",
        ["Readiness:Policy:DutyThresholds:0"] = "0.5",
        ["Readiness:Policy:DutyThresholds:1"] = "0.4",
        ["Readiness:Policy:DutyThresholds:2"] = "0.3",
        ["Readiness:Policy:EquipmentOnHandThresholds:0"] = "0.8",
        ["Readiness:Policy:EquipmentOnHandThresholds:1"] = "0.6",
        ["Readiness:Policy:EquipmentOnHandThresholds:2"] = "0.4",
        ["Readiness:Policy:EquipmentServiceableThresholds:0"] = "0.7",
        ["Readiness:Policy:EquipmentServiceableThresholds:1"] = "0.5",
        ["Readiness:Policy:EquipmentServiceableThresholds:2"] = "0.2",
        ["Readiness:Policy:RequiredTrainingPerCycle:Commune"] = "3",
        ["Readiness:Policy:RequiredTrainingPerCycle:ForceUnit"] = "6",
        ["Readiness:Policy:TrainingCycleDays"] = "60",
        ["Readiness:Policy:ExerciseRecencyDays"] = "90",
        ["Readiness:Policy:DutyWindowDays"] = "7",
        ["Readiness:Duty:HandoverWatchPeriod"] = WatchPeriod.ToString("c", CultureInfo.InvariantCulture),
    };

}

public class ConfiguredSiloTests(ConfiguredSiloFixture fixture) : IClassFixture<ConfiguredSiloFixture>
{
    private static string Id() => Guid.NewGuid().ToString();

    private static async Task Accept(Task<CommandResult> sending)
    {
        var result = await sending;
        Assert.True(result.Accepted, result.Rejection?.Message);
    }

    private async Task<string> Province(DateTimeOffset at)
    {
        var province = $"c{Guid.NewGuid():N}"[..10];
        await Accept(fixture.Host.Grains.GetGrain<IUnitGrain>(province).Execute(new RegisterUnit(Id(), province, "Bộ CHQS tỉnh", Echelon.Province, null, 100, at)));
        return province;
    }

    [Fact]
    public void Every_policy_setting_binds_into_the_policy_the_silo_rates_with()
    {
        var policy = fixture.Host.Services.GetRequiredService<ReadinessPolicy>();

        Assert.Equal([0.95, 0.9, 0.85], policy.PersonnelThresholds);
        Assert.Equal([0.5, 0.3, 0.1], policy.TrainingThresholds);
        Assert.Equal([0.5, 0.4, 0.3], policy.DutyThresholds);
        Assert.Equal([0.8, 0.6, 0.4], policy.EquipmentOnHandThresholds);
        Assert.Equal([0.7, 0.5, 0.2], policy.EquipmentServiceableThresholds);
        // The echelons left out keep their defaults.
        Assert.Equal(
            new Dictionary<Echelon, int> { [Echelon.Province] = 4, [Echelon.District] = 4, [Echelon.Commune] = 3, [Echelon.ForceUnit] = 6 },
            policy.RequiredTrainingPerCycle.ToDictionary(p => p.Key, p => p.Value));
        Assert.Equal(60, policy.TrainingCycleDays);
        Assert.Equal(90, policy.ExerciseRecencyDays);
        Assert.Equal(7, policy.DutyWindowDays);
    }

    [Fact]
    public async Task The_configured_policy_sets_a_units_rating_as_served_over_http()
    {
        var now = DateTimeOffset.UtcNow;
        var province = await Province(now.AddDays(-200));
        var district = $"{province}/d";
        var commune = $"{district}/x";
        var units = fixture.Host.Grains;
        await Accept(units.GetGrain<IUnitGrain>(district).Execute(new RegisterUnit(Id(), district, "Ban CHQS huyện", Echelon.District, null, 20, now.AddDays(-200))));
        await Accept(units.GetGrain<IUnitGrain>(commune).Execute(new RegisterUnit(Id(), commune, "Ban CHQS xã", Echelon.Commune, null, 10, now.AddDays(-200))));
        // 9 of 10: R1 by the default 90 %, R2 by the configured 95 / 90 / 85 %.
        await Accept(units.GetGrain<IUnitGrain>(commune).Execute(new RecordMembersJoined(Id(), commune, ForceType.MilitiaSelfDefence, 9, now.AddDays(-150))));
        // One training inside the configured 60-day cycle, one outside it: 1 of the 3 configured = 33 %,
        // R2 by the configured 50 / 30 / 10 %. The defaults (2 needed in 365 days, 90 / 75 / 60 %) would say R1.
        await Accept(units.GetGrain<IUnitGrain>(commune).Execute(new RecordTraining(Id(), commune, "Bắn súng", 9, Grade.Good, now.AddDays(-30))));
        await Accept(units.GetGrain<IUnitGrain>(commune).Execute(new RecordTraining(Id(), commune, "Chiến thuật", 9, Grade.Good, now.AddDays(-90))));
        // A post manned for the last four days of its twenty: 4/7 = 57 % of the configured window, R1 by
        // the configured 50 %; over the default 30 days 13 %, R4 by any of these thresholds.
        var post = $"{commune}/truc";
        var posts = units.GetGrain<IDutyPostGrain>(post);
        await Accept(posts.Execute(new EstablishDutyPost(Id(), post, "Trực SSCĐ", DutyKind.CombatReadiness, 2, 24, now.AddDays(-20))));
        await Accept(posts.Execute(new StartDutyShift(Id(), post, "Ca 0", 2, now.AddDays(-4))));
        for (var day = 1; day <= 4; day++)
        {
            // Handed over every day, the last half a day ago, so that no shift is overdue.
            await Accept(posts.Execute(new HandOverDutyShift(Id(), post, $"Ca {day - 1}", $"Ca {day}", 2, now.AddDays(-4.5 + day))));
        }

        // A view reads its own actor's writes; the post's are in the unit's part too, but the unit's
        // view waits only for the unit's events. The post's view waits for the post's.
        using (var postView = await fixture.Http.GetAsync(new Uri($"/api/duty-posts/{post}", UriKind.Relative)))
        {
            postView.EnsureSuccessStatusCode();
        }
        var view = await fixture.Http.GetFromJsonAsync<UnitReadinessView>(new Uri($"/api/units/{commune}", UriKind.Relative), SiloFixture.Json);

        var areas = view!.Rating.Areas.ToDictionary(a => a.Area);
        Assert.Equal((ReadinessLevel.R2, 0.9), (areas[ReadinessArea.Personnel].Level!.Value, areas[ReadinessArea.Personnel].Measure!.Value));
        Assert.Equal((ReadinessLevel.R2, 0.3333), (areas[ReadinessArea.Training].Level!.Value, areas[ReadinessArea.Training].Measure!.Value));
        Assert.Contains("1 of 3 required", areas[ReadinessArea.Training].Explanation, StringComparison.Ordinal);
        Assert.Contains("last 60 days", areas[ReadinessArea.Training].Explanation, StringComparison.Ordinal);
        Assert.Equal(ReadinessLevel.R1, areas[ReadinessArea.Duty].Level);
        Assert.InRange(areas[ReadinessArea.Duty].Measure!.Value, 0.57, 0.58);
        Assert.Contains("last 7 days", areas[ReadinessArea.Duty].Explanation, StringComparison.Ordinal);
        Assert.Equal(ReadinessLevel.R2, view.Level);
    }

    [Fact]
    public async Task The_duty_handover_reminder_fires_through_Orleans_and_its_one_alert_reaches_the_view()
    {
        var now = DateTimeOffset.UtcNow;
        var province = await Province(now.AddDays(-2));
        var post = $"{province}/sscd";
        var grain = fixture.Host.Grains.GetGrain<IDutyPostGrain>(post);
        await Accept(grain.Execute(new EstablishDutyPost(Id(), post, "Trực SSCĐ", DutyKind.CombatReadiness, 6, 24, now.AddDays(-2))));
        // A 24-hour shift that began 25 hours ago: overdue from the start, but nothing here asks the grain
        // to look. Only the reminder, registered in PostgreSQL and ticked by Orleans, can raise the alert.
        await Accept(grain.Execute(new StartDutyShift(Id(), post, "Trực ban 1", 6, now.AddHours(-25))));
        var clock = Stopwatch.StartNew();

        // The first tick is one period after registration; allow the reminder service's own slack and the
        // view's read on a loaded machine, but not a minute, which is what Orleans' default floor would give.
        var bound = TimeSpan.FromSeconds(20);
        DutyPostRecord? seen = null;
        while (clock.Elapsed < bound)
        {
            seen = await fixture.Http.GetFromJsonAsync<DutyPostRecord>(new Uri($"/api/duty-posts/{post}", UriKind.Relative), SiloFixture.Json);
            if (seen?.OpenAlert is not null)
            {
                break;
            }
            await Task.Delay(200);
        }
        var elapsed = clock.Elapsed;
        TestContext.Current.SendDiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
            $"The handover reminder's alert was in the view {elapsed.TotalMilliseconds:F0} ms after the shift was recorded (period {ConfiguredSiloFixture.WatchPeriod.TotalSeconds} s)."));

        Assert.True(seen?.OpenAlert is not null, $"No alert within {bound.TotalSeconds} s.");
        Assert.Equal(now.AddHours(-25), seen.OpenAlert.ShiftStartedAt, TimeSpan.FromSeconds(1));
        // Recorded by the reminder itself, not by a caller.
        var history = await fixture.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?post={post}&kind=DutyHandoverOverdue", UriKind.Relative), SiloFixture.Json);
        var alert = Assert.Single(history!.Events);
        Assert.Equal($"{CallerContext.System}:{DutyPostGrain.HandoverWatch}", alert.RecordedBy);
        // Three more ticks find the same shift still overdue: it is alerted once, not once per tick.
        await Task.Delay(ConfiguredSiloFixture.WatchPeriod * 3 + TimeSpan.FromSeconds(1));
        var later = await fixture.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?post={post}&kind=DutyHandoverOverdue", UriKind.Relative), SiloFixture.Json);
        Assert.True(later!.Events.Count == 1,
            $"{later.Events.Count} overdue alerts for one shift after {(ConfiguredSiloFixture.WatchPeriod * 3 + TimeSpan.FromSeconds(1)).TotalSeconds} s more of ticks " +
                $"every {ConfiguredSiloFixture.WatchPeriod.TotalSeconds} s.");
        Assert.Equal(1, await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM orleans_reminders WHERE remindername = @name AND grainid LIKE @grain AND period = @period",
            ("name", DutyPostGrain.HandoverWatch), ("grain", $"%{post}%"), ("period", (long)ConfiguredSiloFixture.WatchPeriod.TotalMilliseconds)));
    }
}
