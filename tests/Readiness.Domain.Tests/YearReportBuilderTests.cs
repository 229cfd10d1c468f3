using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Grains.YearEnd;

namespace Readiness.Domain.Tests;

public class YearReportBuilderTests
{
    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);
    private static readonly DateTimeOffset Established = new(2020, 1, 2, 8, 0, 0, Vietnam);
    private static readonly DateTimeOffset At = new(2024, 3, 2, 9, 0, 0, Vietnam);
    private static readonly DateTimeOffset Now = new(2025, 2, 1, 8, 0, 0, Vietnam);

    private const string BaBe = "bac-kan/ba-be";
    private const string ChoRa = "bac-kan/ba-be/cho-ra";
    private const string NaRi = "bac-kan/na-ri";
    private const string YenLac = "bac-kan/na-ri/yen-lac";

    /// <summary>Numbers the events as the store would, and remembers each one's id.</summary>
    private sealed class Store
    {
        private readonly Dictionary<string, long> versions = [];
        public List<StoredEvent> Events { get; } = [];

        public Guid Add(string stream, object data)
        {
            versions[stream] = versions.GetValueOrDefault(stream) + 1;
            var e = new StoredEvent(Guid.NewGuid(), Events.Count + 1, stream, versions[stream], Now, data);
            Events.Add(e);
            return e.Id;
        }

        public object Data(Guid id) => Events.Single(e => e.Id == id).Data;

        public YearReport Report(int year = 2024, YearReportText? text = null) =>
            YearReportBuilder.Build("bac-kan", year, Events, Now, text ?? YearReportText.Vietnamese);
    }

    private static Store Province()
    {
        var store = new Store();
        store.Add("bac-kan", new UnitRegistered("bac-kan", "Bộ CHQS tỉnh Bắc Kạn", Echelon.Province, null, 100, Established));
        store.Add(BaBe, new UnitRegistered(BaBe, "Ban CHQS huyện Ba Bể", Echelon.District, "bac-kan", 20, Established));
        store.Add(ChoRa, new UnitRegistered(ChoRa, "Ban CHQS thị trấn Chợ Rã", Echelon.Commune, BaBe, 12, Established));
        store.Add(NaRi, new UnitRegistered(NaRi, "Ban CHQS huyện Na Rì", Echelon.District, "bac-kan", 20, Established));
        store.Add(YenLac, new UnitRegistered(YenLac, "Ban CHQS thị trấn Yến Lạc", Echelon.Commune, NaRi, 12, Established));
        return store;
    }

    [Fact]
    public void The_year_is_compared_with_the_one_before_when_the_record_holds_both()
    {
        var store = Province();
        var before = store.Add(ChoRa, new OutreachSessionHeld(ChoRa, "Luật Quốc phòng", 60, At.AddYears(-1)));
        store.Add(ChoRa, new OutreachSessionHeld(ChoRa, "Luật Quốc phòng", 80, At));
        store.Add(YenLac, new OutreachSessionHeld(YenLac, "Luật Dân quân tự vệ", 50, At));

        var report = store.Report();

        Assert.NotNull(report.Comparison);
        Assert.Equal(2023, report.Comparison.Year);
        Assert.Equal(1, report.Comparison.Total.Figures["outreach.sessions"].Value);
        Assert.Equal([before], report.Comparison.Total.Figures["outreach.sessions"].Events);
        Assert.Equal(2, report.Total.Figures["outreach.sessions"].Value);
    }

    [Fact]
    public void A_province_first_recorded_in_the_year_has_nothing_to_compare_with()
    {
        var store = new Store();
        store.Add("bac-kan", new UnitRegistered("bac-kan", "Bộ CHQS tỉnh Bắc Kạn", Echelon.Province, null, 100, At));
        store.Add(ChoRa, new OutreachSessionHeld(ChoRa, "Luật Quốc phòng", 80, At));

        Assert.Null(store.Report().Comparison);
        Assert.NotNull(store.Report(2025).Comparison);
    }

    [Fact]
    public void Outreach_and_education_count_what_happened_in_the_year_by_district_and_cite_those_events()
    {
        var store = Province();
        var choRa1 = store.Add(ChoRa, new OutreachSessionHeld(ChoRa, "Luật Quốc phòng", 80, At));
        var choRa2 = store.Add(ChoRa, new OutreachSessionHeld(ChoRa, "Luật Quốc phòng", 70, At.AddMonths(2)));
        var yenLac = store.Add(YenLac, new OutreachSessionHeld(YenLac, "Luật Dân quân tự vệ", 50, At));
        store.Add(ChoRa, new OutreachSessionHeld(ChoRa, "Năm trước", 999, At.AddYears(-1)));
        // Evening of 31 December in UTC is already 2025 in Vietnam.
        store.Add(ChoRa, new OutreachSessionHeld(ChoRa, "Năm sau", 999, new DateTimeOffset(2024, 12, 31, 18, 0, 0, TimeSpan.Zero)));
        var pupils = store.Add("bac-kan", new DefenceEducationDelivered("bac-kan", EducationAudience.PupilsAndStudents, 300, At));
        store.Add(BaBe, new DefenceEducationDelivered(BaBe, EducationAudience.Cadres, 40, At));

        var report = store.Report();

        var baBe = report.Districts.Single(d => d.UnitId == BaBe);
        Assert.Equal(2, baBe.Figures["outreach.sessions"].Value);
        Assert.Equal(150, baBe.Figures["outreach.attendances"].Value);
        Assert.Equal([choRa1, choRa2], baBe.Figures["outreach.sessions"].Events);
        Assert.Equal([yenLac], report.Districts.Single(d => d.UnitId == NaRi).Figures["outreach.sessions"].Events);
        Assert.Equal(3, report.Total.Figures["outreach.sessions"].Value);
        Assert.Equal(200, report.Total.Figures["outreach.attendances"].Value);
        Assert.Equal([choRa1, choRa2, yenLac], report.Total.Figures["outreach.sessions"].Events);
        // The province command's own education is its own column, and part of the total.
        Assert.Equal([pupils], report.ProvinceCommand.Figures["education.pupilsAndStudents"].Events);
        Assert.Equal(0, baBe.Figures["education.pupilsAndStudents"].Value);
        Assert.Equal(300, report.Total.Figures["education.pupilsAndStudents"].Value);
        Assert.Equal(40, report.Total.Figures["education.cadres"].Value);
        Assert.All(report.Total.Figures["outreach.sessions"].Events, id => Assert.IsType<OutreachSessionHeld>(store.Data(id)));
    }

    [Fact]
    public void Awards_are_counted_by_kind_and_recipient_for_the_year_they_are_for()
    {
        var store = Province();
        var unit = store.Add(ChoRa, new AwardConferred(ChoRa, AwardKind.AdvancedUnit, RecipientKind.Collective, "Chợ Rã", "Quyết thắng", 2024, At));
        var soldiers = Enumerable.Range(1, 3)
            .Select(n => store.Add(YenLac, new AwardConferred(YenLac, AwardKind.AdvancedSoldier, RecipientKind.Individual, $"Cá nhân {n}", "Quyết thắng", 2024, At)))
            .ToList();
        // Conferred early in 2025 for 2024: it counts in 2024.
        var late = store.Add("bac-kan", new AwardConferred(
            "bac-kan", AwardKind.MeritCertificateProvincialCommittee, RecipientKind.Individual, "Cá nhân 4", "Quyết thắng", 2024, At.AddMonths(11)));
        store.Add(ChoRa, new AwardConferred(ChoRa, AwardKind.AdvancedUnit, RecipientKind.Collective, "Chợ Rã", "Quyết thắng", 2023, At.AddYears(-1)));

        var report = store.Report();

        Assert.Equal(1, report.Total.Figures["awards.advancedUnit.collective"].Value);
        Assert.Equal([unit], report.Total.Figures["awards.advancedUnit.collective"].Events);
        Assert.Equal(soldiers, report.Districts.Single(d => d.UnitId == NaRi).Figures["awards.advancedSoldier.individual"].Events);
        Assert.Equal([late], report.ProvinceCommand.Figures["awards.meritCertificateProvincialCommittee.individual"].Events);
        Assert.Equal(0, report.Total.Figures["awards.grassrootsEmulationSoldier.individual"].Value);
        Assert.Equal(["Quyết thắng"], report.Movements);
        Assert.Contains(report.Findings, f => f.Key == "awards.AdvancedSoldier" && f.Text.Contains("3 cá nhân", StringComparison.Ordinal));
        Assert.Contains(report.Findings, f => f.Key == "movement" && f.Text.Contains("“Quyết thắng” năm 2024", StringComparison.Ordinal));
    }

    [Fact]
    public void Duty_kept_all_year_is_full_coverage_resting_on_the_shift_that_opened_the_year()
    {
        var store = Province();
        var post = "bac-kan/ba-be/sscd";
        var key = StreamKeys.DutyPost(post);
        var established = store.Add(key, new DutyPostEstablished(post, "Trực SSCĐ", DutyKind.CombatReadiness, BaBe, 6, 24, new DateTimeOffset(2023, 12, 1, 8, 0, 0, Vietnam)));
        var opening = store.Add(key, new DutyShiftStarted(post, "A", 6, new DateTimeOffset(2023, 12, 31, 7, 30, 0, Vietnam)));
        var handover = store.Add(key, new DutyShiftHandedOver(post, "A", "B", 6, At));
        store.Add(key, new DutyShiftEnded(post, "B", new DateTimeOffset(2025, 1, 1, 7, 30, 0, Vietnam)));
        var rescue = "bac-kan/cuu-ho";
        store.Add(StreamKeys.DutyPost(rescue), new DutyPostEstablished(rescue, "Trực cứu hộ", DutyKind.SearchAndRescue, "bac-kan", 20, 24, Established));
        store.Add(StreamKeys.DutyPost(rescue), new DutyShiftStarted(rescue, "C", 20, new DateTimeOffset(2023, 12, 31, 7, 30, 0, Vietnam)));

        var report = store.Report();

        var coverage = report.Total.Figures[YearReportBuilder.DutyKey(DutyKind.CombatReadiness, "coverage")];
        Assert.Equal(1.0, coverage.Value);
        Assert.Equal([opening, handover], coverage.Events);
        Assert.Equal([established], report.Districts.Single(d => d.UnitId == BaBe).Figures[YearReportBuilder.DutyKey(DutyKind.CombatReadiness, "posts")].Events);
        Assert.Equal(1, report.ProvinceCommand.Figures[YearReportBuilder.DutyKey(DutyKind.SearchAndRescue, "posts")].Value);
        Assert.Equal("Duy trì nghiêm túc chế độ trực sẵn sàng chiến đấu, trực cứu hộ, cứu nạn suốt cả năm.", report.Findings.Single(f => f.Key == "duty").Text);
    }

    [Fact]
    public void Duty_with_a_gap_and_an_overdue_handover_is_not_reported_as_kept()
    {
        var store = Province();
        var post = "bac-kan/na-ri/sscd";
        var key = StreamKeys.DutyPost(post);
        store.Add(key, new DutyPostEstablished(post, "Trực SSCĐ", DutyKind.CombatReadiness, NaRi, 6, 24, Established));
        store.Add(key, new DutyShiftStarted(post, "A", 6, new DateTimeOffset(2023, 12, 31, 7, 30, 0, Vietnam)));
        // Under-manned for the last quarter of the year.
        store.Add(key, new DutyStaffingReported(post, 3, "Ốm", new DateTimeOffset(2024, 10, 1, 0, 0, 0, Vietnam)));
        var overdue = store.Add(key, new DutyHandoverOverdue(post, At, At.AddDays(1), At.AddDays(1).AddHours(1)));
        var rescue = "bac-kan/cuu-ho";
        store.Add(StreamKeys.DutyPost(rescue), new DutyPostEstablished(rescue, "Trực cứu hộ", DutyKind.SearchAndRescue, "bac-kan", 20, 24, Established));
        store.Add(StreamKeys.DutyPost(rescue), new DutyShiftStarted(rescue, "C", 20, Established));

        var report = store.Report(text: YearReportText.English);

        var coverage = report.Total.Figures[YearReportBuilder.DutyKey(DutyKind.CombatReadiness, "coverage")].Value;
        Assert.InRange(coverage, 0.74, 0.76);
        Assert.Equal([overdue], report.Total.Figures[YearReportBuilder.DutyKey(DutyKind.CombatReadiness, "overdue")].Events);
        var finding = report.Findings.Single(f => f.Key == "duty").Text;
        Assert.StartsWith("Combat-readiness duty: 1 posts, fully manned 74.86 %", finding, StringComparison.Ordinal);
        Assert.Contains("1 overdue handovers", finding, StringComparison.Ordinal);
    }

    [Fact]
    public void Exercises_count_by_host_district_level_and_grade_and_all_excellent_is_said_only_when_true()
    {
        var store = Province();
        string Exercise(string id, string host, ExerciseLevel level, Grade? grade, bool cancel = false)
        {
            var key = StreamKeys.Exercise(id);
            store.Add(key, new ExercisePlanned(id, id, level, ExerciseKind.CombatReadiness, host, [host], At, At.AddDays(1), At.AddDays(-30)));
            if (cancel)
            {
                store.Add(key, new ExerciseCancelled(id, "Mưa lũ", At.AddDays(-1)));
            }
            else if (grade is { } g)
            {
                store.Add(key, new ExerciseStarted(id, At));
                return store.Add(key, new ExerciseCompleted(id, g, 100, At.AddHours(20))).ToString();
            }
            return "";
        }
        var kvpt = Exercise("bac-kan/ba-be/kvpt-2024", BaBe, ExerciseLevel.District, Grade.Excellent);
        Exercise("bac-kan/ba-be/cho-ra/sscd-2024", ChoRa, ExerciseLevel.Commune, Grade.Excellent);
        Exercise("bac-kan/na-ri/yen-lac/sscd-2024", YenLac, ExerciseLevel.Commune, Grade.Excellent);

        var allExcellent = store.Report();
        Assert.Equal(1, allExcellent.Districts.Single(d => d.UnitId == BaBe).Figures["exercises.district.excellent"].Value);
        Assert.Equal(kvpt, Assert.Single(allExcellent.Total.Figures["exercises.district.completed"].Events).ToString());
        Assert.Equal(2, allExcellent.Total.Figures["exercises.commune.completed"].Value);
        Assert.Equal(3, allExcellent.Total.Figures["exercises.district.planned"].Value + allExcellent.Total.Figures["exercises.commune.planned"].Value);
        Assert.Equal("Hoàn thành toàn bộ diễn tập cấp huyện (1 cuộc) và cấp xã (2 cuộc), " +
            "tất cả đạt loại xuất sắc.", allExcellent.Findings.Single(f => f.Key == "exercises").Text);

        Exercise("bac-kan/na-ri/kvpt-2024", NaRi, ExerciseLevel.District, Grade.Good);
        Exercise("bac-kan/na-ri/sar-2024", NaRi, ExerciseLevel.District, grade: null, cancel: true);
        var mixed = store.Report();
        Assert.Equal(1, mixed.Total.Figures["exercises.cancelled"].Value);
        Assert.Equal(2, mixed.Total.Figures["exercises.district.completed"].Value);
        Assert.Equal(1, mixed.Total.Figures["exercises.district.excellent"].Value);
        Assert.Equal("Hoàn thành 4/4 cuộc diễn tập cấp huyện, cấp xã, 3 cuộc đạt loại xuất sắc.", mixed.Findings.Single(f => f.Key == "exercises").Text);
    }

    [Fact]
    public void Party_cells_and_communes_are_those_existing_at_the_years_end()
    {
        var store = Province();
        var choRa = store.Add(ChoRa, new PartyCellEstablished(ChoRa, 5, new DateTimeOffset(2022, 5, 1, 9, 0, 0, Vietnam)));
        store.Add(YenLac, new PartyCellEstablished(YenLac, 4, new DateTimeOffset(2022, 5, 1, 9, 0, 0, Vietnam)));
        store.Add(YenLac, new PartyCellDissolved(YenLac, "Sáp nhập", new DateTimeOffset(2024, 6, 1, 9, 0, 0, Vietnam)));
        var later = "bac-kan/na-ri/kim-hy";
        store.Add(later, new UnitRegistered(later, "Ban CHQS xã Kim Hỷ", Echelon.Commune, NaRi, 12, new DateTimeOffset(2025, 1, 5, 9, 0, 0, Vietnam)));

        var report = store.Report();

        Assert.Equal(1, report.Total.Figures["partyCells.active"].Value);
        Assert.Equal([choRa], report.Total.Figures["partyCells.active"].Events);
        Assert.Equal(2, report.Total.Figures["communes.registered"].Value);
        Assert.Equal(2, store.Report(2022).Total.Figures["partyCells.active"].Value);
    }

    [Fact]
    public void Conscription_takes_the_latest_quota_for_the_year_and_says_in_full_only_when_met()
    {
        var store = Province();
        store.Add(BaBe, new ConscriptionQuotaAssigned(BaBe, 2024, 30, At));
        var quota = store.Add(BaBe, new ConscriptionQuotaAssigned(BaBe, 2024, 40, At.AddDays(3)));
        store.Add(BaBe, new RecruitsEnlisted(BaBe, 40, 2024, At.AddDays(10)));
        var handed = store.Add(BaBe, new RecruitsHandedOver(BaBe, 40, 2024, At.AddDays(20)));

        var report = store.Report(text: YearReportText.English);

        Assert.Equal(40, report.Total.Figures["conscription.quota"].Value);
        Assert.Equal([quota], report.Total.Figures["conscription.quota"].Events);
        Assert.Equal([handed], report.Total.Figures["conscription.handedOver"].Events);
        Assert.Equal("Conscription carried out in full: 40 of 40 recruits handed over.", report.Findings.Single(f => f.Key == "conscription").Text);
    }

    [Fact]
    public void Another_provinces_events_are_left_out()
    {
        var store = Province();
        store.Add("cao-bang/ha-quang/xa-a", new OutreachSessionHeld("cao-bang/ha-quang/xa-a", "Luật", 90, At));
        store.Add(StreamKeys.DutyPost("cao-bang/sscd"), new DutyPostEstablished("cao-bang/sscd", "Trực", DutyKind.CombatReadiness, "cao-bang", 6, 24, Established));

        var report = store.Report();

        Assert.Equal(0, report.Total.Figures["outreach.sessions"].Value);
        Assert.Equal(0, report.Total.Figures[YearReportBuilder.DutyKey(DutyKind.CombatReadiness, "posts")].Value);
        Assert.Equal([BaBe, NaRi], report.Districts.Select(d => d.UnitId));
        Assert.Equal(5, report.Basis.EventsRead);
    }

    [Fact]
    public void Vietnamese_and_English_reports_have_the_same_figures_in_their_own_words_and_numbers()
    {
        var store = Province();
        for (var n = 0; n < 3; n++)
        {
            store.Add(ChoRa, new OutreachSessionHeld(ChoRa, "Luật", 17_439 + n, At));
        }

        var vi = store.Report(text: YearReportText.Vietnamese);
        var en = store.Report(text: YearReportText.English);

        Assert.Equal("Báo cáo tổng kết công tác quốc phòng địa phương năm 2024 — Bộ CHQS tỉnh Bắc Kạn", vi.Title);
        Assert.Equal("Year-end local-defence report 2024 — Bộ CHQS tỉnh Bắc Kạn", en.Title);
        Assert.Equal(vi.Total.Figures.Keys, en.Total.Figures.Keys);
        Assert.Equal(vi.Total.Figures["outreach.attendances"].Value, en.Total.Figures["outreach.attendances"].Value);
        Assert.Equal("Tổ chức 3 buổi tuyên truyền kiến thức quốc phòng, an ninh với 52.320 lượt người nghe.", vi.Findings.Single(f => f.Key == "outreach").Text);
        Assert.Equal("3 outreach sessions on defence and security knowledge, with 52,320 attendances.", en.Findings.Single(f => f.Key == "outreach").Text);
        Assert.Equal("Buổi tuyên truyền", vi.Figures.Single(f => f.Key == "outreach.sessions").Label);
        Assert.Equal("Outreach sessions", en.Figures.Single(f => f.Key == "outreach.sessions").Label);
        Assert.All(en.Figures, f => Assert.NotEqual(f.Key, f.Label));
        Assert.All(vi.Sections, s => Assert.NotEqual("section." + s.Key, s.Title));
    }
}
