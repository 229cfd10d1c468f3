using Readiness.Contracts;
using Readiness.Store.Projections;

namespace Readiness.Domain.Tests;

public class ProvinceRosterTests
{
    private static readonly DateTimeOffset At = new(2024, 3, 2, 9, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 8, 0, 0, TimeSpan.FromHours(7));

    private static ProvinceRoster Roster(params (string Stream, object Event)[] events)
    {
        var roster = new ProvinceRoster { Id = "bac-kan" };
        var versions = new Dictionary<string, long>();
        var sequence = 0L;
        foreach (var (stream, e) in events)
        {
            versions[stream] = versions.GetValueOrDefault(stream) + 1;
            roster.Record(stream, e, versions[stream], ++sequence, Now);
        }
        return roster;
    }

    private static (string, object)[] Tree() =>
    [
        ("bac-kan", new UnitRegistered("bac-kan", "Bộ CHQS tỉnh Bắc Kạn", Echelon.Province, null, 100, At)),
        ("bac-kan", new MembersJoined("bac-kan", ForceType.Standing, 95, At)),
        ("bac-kan/ba-be", new UnitRegistered("bac-kan/ba-be", "Ban CHQS huyện Ba Bể", Echelon.District, "bac-kan", 10, At)),
        ("bac-kan/ba-be", new MembersJoined("bac-kan/ba-be", ForceType.Standing, 8, At)),
        ("bac-kan/ba-be/cho-ra", new UnitRegistered("bac-kan/ba-be/cho-ra", "Ban CHQS thị trấn Chợ Rã", Echelon.Commune, "bac-kan/ba-be", 10, At)),
        ("bac-kan/ba-be/cho-ra", new MembersJoined("bac-kan/ba-be/cho-ra", ForceType.Standing, 5, At)),
        ("bac-kan/ba-be/cho-ra/dan-quan", new UnitRegistered("bac-kan/ba-be/cho-ra/dan-quan", "Trung đội dân quân", Echelon.ForceUnit, "bac-kan/ba-be/cho-ra", 30, At)),
        ("bac-kan/ba-be/cho-ra/dan-quan", new MembersJoined("bac-kan/ba-be/cho-ra/dan-quan", ForceType.MilitiaSelfDefence, 30, At)),
    ];

    // Personnel alone decides here: enough training everywhere, no posts.
    private static readonly ReadinessPolicy PersonnelOnly = ReadinessPolicy.Default with { TrainingThresholds = [0, 0, 0] };

    [Fact]
    public void Districts_roll_up_their_communes_and_units_and_list_those_below_R2()
    {
        var view = Roster(Tree()).ToView(PersonnelOnly, Now);

        Assert.Equal("Bộ CHQS tỉnh Bắc Kạn", view.Name);
        Assert.Equal(ReadinessLevel.R1, view.Level);
        Assert.Equal(new LevelCounts(2, 1, 0, 1), view.Units);
        Assert.Equal(8, view.Sequence);
        var district = Assert.Single(view.Districts);
        Assert.Equal(ReadinessLevel.R2, district.Level);
        Assert.Equal(new LevelCounts(1, 1, 0, 1), district.Units);
        Assert.Equal(50, district.AuthorisedStrength);
        Assert.Equal(43, district.ActualStrength);
        var commune = Assert.Single(district.Communes);
        Assert.Equal(ReadinessLevel.R4, commune.Level);
        var concern = Assert.Single(view.BelowR2);
        Assert.Equal("bac-kan/ba-be/cho-ra", concern.UnitId);
        Assert.Equal(ReadinessArea.Personnel, concern.SetBy);
    }

    [Fact]
    public void Posts_not_manned_alerts_and_exercises_under_way_are_listed()
    {
        var view = Roster([.. Tree(),
            ("post:bac-kan/ba-be/sscd", new DutyPostEstablished("bac-kan/ba-be/sscd", "Trực SSCĐ", DutyKind.CombatReadiness, "bac-kan/ba-be", 6, 24, At)),
            ("post:bac-kan/ba-be/sscd", new DutyShiftStarted("bac-kan/ba-be/sscd", "A", 6, Now.AddHours(-30))),
            ("post:bac-kan/ba-be/sscd", new DutyHandoverOverdue("bac-kan/ba-be/sscd", Now.AddHours(-30), Now.AddHours(-6), Now.AddHours(-5))),
            ("post:bac-kan/cuu-ho", new DutyPostEstablished("bac-kan/cuu-ho", "Trực cứu hộ", DutyKind.SearchAndRescue, "bac-kan", 20, 24, At)),
            ("exercise:bac-kan/ba-be/kvpt",
                new ExercisePlanned("bac-kan/ba-be/kvpt", "Diễn tập", ExerciseLevel.District, ExerciseKind.DefensiveZone, "bac-kan/ba-be", ["bac-kan/ba-be"], Now, Now.AddDays(2), At)),
            ("exercise:bac-kan/ba-be/kvpt", new ExerciseStarted("bac-kan/ba-be/kvpt", Now.AddHours(-1))),
        ]).ToView(PersonnelOnly, Now);

        Assert.Equal(["bac-kan/cuu-ho"], view.PostsNotManned.Select(p => p.PostId));
        Assert.Equal(["bac-kan/ba-be/sscd"], view.OpenAlerts.Select(p => p.PostId));
        Assert.Equal("bac-kan/ba-be/kvpt", Assert.Single(view.ExercisesUnderWay).ExerciseId);
    }

    [Fact]
    public void The_year_summary_counts_only_what_happened_in_that_year()
    {
        var roster = Roster([.. Tree(),
            ("bac-kan/ba-be/cho-ra", new OutreachSessionHeld("bac-kan/ba-be/cho-ra", "Luật", 80, At)),
            ("bac-kan/ba-be/cho-ra", new OutreachSessionHeld("bac-kan/ba-be/cho-ra", "Luật", 70, At.AddYears(-1))),
            // Late on 31 December in UTC is already the next year in Vietnam.
            ("bac-kan/ba-be/cho-ra", new OutreachSessionHeld("bac-kan/ba-be/cho-ra", "Luật", 60, new DateTimeOffset(2023, 12, 31, 18, 0, 0, TimeSpan.Zero))),
            ("bac-kan/ba-be", new DefenceEducationDelivered("bac-kan/ba-be", EducationAudience.PupilsAndStudents, 300, At)),
            ("bac-kan/ba-be", new ConscriptionQuotaAssigned("bac-kan/ba-be", 2024, 40, At)),
            ("bac-kan/ba-be", new RecruitsEnlisted("bac-kan/ba-be", 40, 2024, At)),
            ("bac-kan/ba-be", new RecruitsHandedOver("bac-kan/ba-be", 30, 2024, At)),
            ("bac-kan/ba-be/cho-ra", new PartyCellEstablished("bac-kan/ba-be/cho-ra", 4, At)),
            ("bac-kan/ba-be/cho-ra/dan-quan", new AwardConferred("bac-kan/ba-be/cho-ra/dan-quan", AwardKind.AdvancedUnit, RecipientKind.Collective, "Trung đội", "Quyết thắng", 2024, At)),
        ]);

        var summary = roster.Summary(2024);

        Assert.Equal(2, summary.OutreachSessions);
        Assert.Equal(140, summary.OutreachAttendances);
        Assert.Equal(300, summary.PupilsAndStudentsEducated);
        Assert.Equal(new ConscriptionSummary(40, 40, 30, 0.75), summary.Conscription);
        Assert.Equal(1, summary.PartyCellsActiveAtYearEnd);
        Assert.Equal(new AwardTally(AwardKind.AdvancedUnit, RecipientKind.Collective, 1), Assert.Single(summary.Awards));
        Assert.Equal(0, roster.Summary(2022).PartyCellsActiveAtYearEnd);
    }

    [Fact]
    public void A_province_composed_of_its_parts_in_any_order_gives_the_same_view_as_one_roster_even_for_communes_of_one_name()
    {
        (string, object)[] events =
        [
            .. Tree(),
            ("bac-kan/ba-be/xa-b", new UnitRegistered("bac-kan/ba-be/xa-b", "Ban CHQS xã", Echelon.Commune, "bac-kan/ba-be", 10, At)),
            ("bac-kan/ba-be/xa-a", new UnitRegistered("bac-kan/ba-be/xa-a", "Ban CHQS xã", Echelon.Commune, "bac-kan/ba-be", 10, At)),
        ];
        var parts = new Dictionary<string, ProvinceRoster>();
        var sequence = 0L;
        foreach (var (stream, e) in events)
        {
            var id = StreamKeys.RosterPartOf(stream);
            var part = parts.TryGetValue(id, out var held) ? held : parts[id] = new ProvinceRoster { Id = id, ProvinceId = "bac-kan" };
            part.Record(stream, e, 1, ++sequence, Now);
        }

        string Json(ProvinceRoster roster) => System.Text.Json.JsonSerializer.Serialize(roster.ToView(PersonnelOnly, Now));
        var whole = Json(Roster(events));

        Assert.Equal(5, parts.Count);
        Assert.Equal(whole, Json(ProvinceRoster.Compose("bac-kan", parts.Values)));
        Assert.Equal(whole, Json(ProvinceRoster.Compose("bac-kan", parts.Values.Reverse())));
        var communes = Roster(events).ToView(PersonnelOnly, Now).Districts.Single().Communes.Select(c => c.Id).ToList();
        Assert.Equal(["bac-kan/ba-be/cho-ra", "bac-kan/ba-be/xa-a", "bac-kan/ba-be/xa-b"], communes);
    }
}
