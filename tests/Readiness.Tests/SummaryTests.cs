using Readiness.Client;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>The year's figures come from the events: the demo's 2024 matches the report, and another year is counted the same way.</summary>
public class SummaryTests(SiloFixture silo)
{
    private ReadinessClient Client => new(silo.Http);

    [Fact]
    public async Task The_demo_year_2024_reproduces_the_reports_figures()
    {
        await silo.WaitForProjectionsAsync();
        var summary = await silo.EventuallyAsync<YearSummary>("/api/provinces/bac-kan/summary/2024", _ => true);

        // The figures the README says the demo reproduces, each exactly: not "over 52,000" but the 52,318 promised.
        Assert.Equal(587, summary.OutreachSessions);
        Assert.Equal(52_318, summary.OutreachAttendances);
        Assert.Equal(8_946, summary.PupilsAndStudentsEducated);
        Assert.Equal(108, summary.PartyCellsActiveAtYearEnd);
        Assert.Equal(0, summary.ExercisesCancelled);
        // "Every district and commune exercise completed and excellent": nothing else graded, and no
        // other level. How many there are is the demo's own (two district exercises, three commune ones in each of the 8 districts).
        Assert.Equal(
            [
                new ExerciseTally(ExerciseLevel.District, Grade.Excellent, 2),
                new ExerciseTally(ExerciseLevel.Commune, Grade.Excellent, 24),
            ],
            summary.Exercises.OrderBy(e => e.Level == ExerciseLevel.District ? 0 : 1));
        // Conscription "carried out in full": every recruit of the demo's quota (its own 500) enlisted and handed over.
        Assert.Equal(new ConscriptionSummary(500, 500, 500, 1.0), summary.Conscription);
        // The demo's own cadres' courses: 146 at the province and 60 + 7 i in the i-th district.
        Assert.Equal(146 + Enumerable.Range(0, 8).Sum(i => 60 + (i * 7)), summary.CadresEducated);
        // "Duty kept all year": the province's two posts and each district's, manned throughout, never overdue.
        Assert.Equal(new DutySummary(10, 1.0, 0), summary.Duty);
        Assert.Equal(
            [
                new AwardTally(AwardKind.MeritCertificateProvincialCommittee, RecipientKind.Collective, 5),
                new AwardTally(AwardKind.MeritCertificateProvincialCommittee, RecipientKind.Individual, 10),
                new AwardTally(AwardKind.CommendationCertificateProvinceCommand, RecipientKind.Collective, 20),
                new AwardTally(AwardKind.CommendationCertificateProvinceCommand, RecipientKind.Individual, 42),
                new AwardTally(AwardKind.AdvancedUnit, RecipientKind.Collective, 20),
                new AwardTally(AwardKind.GrassrootsEmulationSoldier, RecipientKind.Individual, 44),
                new AwardTally(AwardKind.AdvancedSoldier, RecipientKind.Individual, 131),
            ],
            summary.Awards);
    }

    [Fact]
    public async Task A_different_small_year_in_a_new_province_is_counted_from_its_events()
    {
        var at = new DateTimeOffset(2023, 5, 10, 9, 0, 0, TimeSpan.FromHours(7));
        var tree = await silo.NewProvinceAsync(registeredAt: at.AddYears(-1));
        string Id() => ReadinessClient.NewCommandId();
        await Client.SendAsync(new RecordOutreachSession(Id(), tree.CommuneId, "Luật Quốc phòng", 40, at));
        await Client.SendAsync(new RecordOutreachSession(Id(), tree.CommuneId, "Luật Quốc phòng", 35, at.AddMonths(1)));
        await Client.SendAsync(new RecordOutreachSession(Id(), tree.CommuneId, "Năm khác", 99, at.AddYears(1)));
        await Client.SendAsync(new RecordDefenceEducation(Id(), tree.DistrictId, EducationAudience.PupilsAndStudents, 210, at));
        await Client.SendAsync(new EstablishPartyCell(Id(), tree.CommuneId, 4, at));
        await Client.SendAsync(new AssignConscriptionQuota(Id(), tree.DistrictId, 2023, 12, at));
        await Client.SendAsync(new EnlistRecruits(Id(), tree.DistrictId, 12, 2023, at));
        await Client.SendAsync(new HandOverRecruits(Id(), tree.DistrictId, 9, 2023, at.AddDays(10)));
        await Client.SendAsync(new ConferAward(Id(), tree.CommuneId, AwardKind.AdvancedUnit, RecipientKind.Collective, "Test commune", "Quyết thắng", 2023, at));

        var summary = await silo.EventuallyAsync<YearSummary>($"/api/provinces/{tree.ProvinceId}/summary/2023", s => s.Awards.Count == 1);

        Assert.Equal(2, summary.OutreachSessions);
        Assert.Equal(75, summary.OutreachAttendances);
        Assert.Equal(210, summary.PupilsAndStudentsEducated);
        Assert.Equal(1, summary.PartyCellsActiveAtYearEnd);
        Assert.Equal(new ConscriptionSummary(12, 12, 9, 0.75), summary.Conscription);
        Assert.Equal(new AwardTally(AwardKind.AdvancedUnit, RecipientKind.Collective, 1), Assert.Single(summary.Awards));
        Assert.Empty(summary.Exercises);
    }

    [Fact]
    public async Task A_district_view_lists_its_communes()
    {
        await silo.WaitForProjectionsAsync();
        var district = await Client.GetDistrictReadinessAsync("bac-kan", "pac-nam");

        Assert.Equal(10, district.Communes.Count);
        Assert.True(district.Sequence > 6_000);
        Assert.NotEqual(default, district.UpdatedAt);
        Assert.Contains(district.BelowR2, c => c.UnitId == "bac-kan/pac-nam/dbdv");
    }
}
