using System.Globalization;
using Readiness.Contracts;
using Readiness.Contracts.Http;

namespace Readiness.Grains.YearEnd;

/// <summary>
/// The year-end report's words in Vietnamese (the command's own language, and the default) and in
/// English (for readers outside it). The Vietnamese follows the wording of the real 2024 report.
/// </summary>
public sealed class YearReportText
{
    public static readonly YearReportText Vietnamese = new("vi", CultureInfo.GetCultureInfo("vi-VN"), Words.Vi);
    public static readonly YearReportText English = new("en", CultureInfo.GetCultureInfo("en-GB"), Words.En);

    private readonly IReadOnlyDictionary<string, string> words;

    private YearReportText(string language, CultureInfo culture, IReadOnlyDictionary<string, string> words)
    {
        Language = language;
        Culture = culture;
        this.words = words;
    }

    public string Language { get; }

    public CultureInfo Culture { get; }

    /// <summary>The text for <c>vi</c> or <c>en</c> (any case), or null for another language.</summary>
    public static YearReportText? For(string? language) => language?.Trim().ToLowerInvariant() switch
    {
        null or "" or "vi" => Vietnamese,
        "en" => English,
        _ => null,
    };

    /// <summary>A word of the report by key; the key itself when it has none, so nothing is ever blank.</summary>
    public string this[string key] => words.TryGetValue(key, out var word) ? word : key;

    public string Total => this["total"];

    public string Title(string provinceName, int year) => string.Format(Culture, this["title"], provinceName, year);

    public string Section(string key) => this["section." + key];

    public string Figure(string key) => this[key];

    public string Number(double value) => value.ToString("#,0.##", Culture);

    public string Percent(double share) => (share * 100).ToString("0.##", Culture) + " %";

    /// <summary>The report's sentences, from the province's totals; each names the figures it rests on.</summary>
    public IReadOnlyList<ReportFinding> Findings(ReportColumn total, int year, IReadOnlyList<string> movements)
    {
        ArgumentNullException.ThrowIfNull(total);
        double F(string key) => total.Figures.TryGetValue(key, out var f) ? f.Value : 0;
        var findings = new List<ReportFinding>();
        void Say(string key, string text, params string[] figures) => findings.Add(new ReportFinding(key, text, figures));

        var combat = YearReportBuilder.DutyKey(DutyKind.CombatReadiness, "");
        var rescue = YearReportBuilder.DutyKey(DutyKind.SearchAndRescue, "");
        string[] dutyFigures = [combat + "posts", combat + "coverage", combat + "overdue", rescue + "posts", rescue + "coverage", rescue + "overdue"];
        bool Kept(string prefix) => F(prefix + "posts") > 0 && F(prefix + "coverage") >= 1 && F(prefix + "overdue") == 0;
        if (Kept(combat) && Kept(rescue))
        {
            Say("duty", this["finding.duty.kept"], dutyFigures);
        }
        else
        {
            Say("duty", string.Format(Culture, this["finding.duty.partly"],
                Number(F(combat + "posts")), Percent(F(combat + "coverage")), Number(F(combat + "overdue")),
                Number(F(rescue + "posts")), Percent(F(rescue + "coverage")), Number(F(rescue + "overdue"))), dutyFigures);
        }

        var district = YearReportBuilder.ExerciseKey(ExerciseLevel.District, "");
        var commune = YearReportBuilder.ExerciseKey(ExerciseLevel.Commune, "");
        var planned = F(district + "planned") + F(commune + "planned");
        var completed = F(district + "completed") + F(commune + "completed");
        var excellent = F(district + "excellent") + F(commune + "excellent");
        string[] exerciseFigures = [district + "planned", district + "completed", district + "excellent", commune + "planned", commune + "completed", commune + "excellent"];
        Say("exercises", completed > 0 && completed >= planned && excellent == completed
            ? string.Format(Culture, this["finding.exercises.all"], Number(F(district + "completed")), Number(F(commune + "completed")))
            : string.Format(Culture, this["finding.exercises.partly"], Number(completed), Number(planned), Number(excellent)), exerciseFigures);

        var quota = F("conscription.quota");
        var handedOver = F("conscription.handedOver");
        Say("conscription", string.Format(Culture, quota > 0 && handedOver >= quota ? this["finding.conscription.full"] : this["finding.conscription.partly"],
                Number(handedOver), Number(quota), Percent(quota == 0 ? 0 : handedOver / quota)),
            "conscription.quota", "conscription.handedOver");
        Say("education", string.Format(Culture, this["finding.education"], Number(F("education.pupilsAndStudents"))), "education.pupilsAndStudents");
        Say("outreach", string.Format(Culture, this["finding.outreach"], Number(F("outreach.sessions")), Number(F("outreach.attendances"))),
            "outreach.sessions", "outreach.attendances");
        Say("partyCells", string.Format(Culture, this["finding.partyCells"], Number(F("partyCells.active")), Number(F("communes.registered"))),
            "partyCells.active", "communes.registered");

        foreach (var kind in YearReportBuilder.Awards.Select(a => a.Kind).Distinct())
        {
            var collective = YearReportBuilder.AwardKey(kind, RecipientKind.Collective);
            var individual = YearReportBuilder.AwardKey(kind, RecipientKind.Individual);
            var parts = new List<string>();
            if (F(collective) > 0)
            {
                parts.Add(string.Format(Culture, this["finding.award.collectives"], Number(F(collective))));
            }
            if (F(individual) > 0)
            {
                parts.Add(string.Format(Culture, this["finding.award.individuals"], Number(F(individual))));
            }
            if (parts.Count > 0)
            {
                Say("awards." + kind, $"{this["award." + kind]}: {string.Join(", ", parts)}.", collective, individual);
            }
        }
        if (movements.Count > 0)
        {
            Say("movement", string.Format(Culture, this["finding.movement"], string.Join(", ", movements.Select(m => $"“{m}”")), year),
                [.. total.Figures.Keys.Where(k => k.StartsWith("awards.", StringComparison.Ordinal))]);
        }
        return findings;
    }

    private static class Words
    {
        public static readonly Dictionary<string, string> Vi = new(StringComparer.Ordinal)
        {
            ["title"] = "Báo cáo tổng kết công tác quốc phòng địa phương năm {1} — {0}",
            ["total"] = "Toàn tỉnh",
            ["provinceCommand"] = "Cơ quan Bộ CHQS tỉnh",
            ["column.unit"] = "Đơn vị",
            ["column.what"] = "Nội dung",
            ["column.yearBefore"] = "Năm {0}",
            ["column.change"] = "Tăng/giảm",
            ["period"] = "Kỳ báo cáo",
            ["keyFigures"] = "Kết quả chủ yếu",
            ["byDistrict"] = "Theo huyện, thành phố",
            ["awardsByKind"] = "Khen thưởng theo hình thức",
            ["collectives"] = "tập thể",
            ["individuals"] = "cá nhân",
            ["events"] = "sự kiện",
            ["footer.basis"] = "Báo cáo được tính từ {0} sự kiện của tỉnh (đến sự kiện số {1}, ghi nhận lúc {2}); các số liệu dựa trên {3} sự kiện.",
            ["footer.generated"] = "Lập lúc {0} (giờ Việt Nam).",
            ["footer.trace"] = "Mỗi số liệu dẫn đến danh sách sự kiện của nó: bấm vào số liệu, hoặc xem trường \"events\" trong bản JSON ({0}).",
            ["footer.years"] = "Năm được tính theo giờ Việt Nam (UTC+7). " +
                "Quân số trực là tỷ lệ thời gian các chốt trực có đủ quân số theo quy định; " +
                "khen thưởng và chỉ tiêu tuyển quân tính theo năm được khen, được giao.",
            ["share"] = "tỷ lệ",
            ["section.duty"] = "Công tác trực sẵn sàng chiến đấu, trực cứu hộ, cứu nạn",
            ["section.exercises"] = "Diễn tập",
            ["section.conscription"] = "Tuyển quân",
            ["section.education"] = "Giáo dục quốc phòng và an ninh",
            ["section.outreach"] = "Tuyên truyền kiến thức quốc phòng, an ninh",
            ["section.partyCells"] = "Chi bộ quân sự",
            ["section.communes"] = "Ban CHQS cấp xã",
            ["section.awards"] = "Thi đua, khen thưởng",
            ["duty.combatReadiness.posts"] = "Chốt trực SSCĐ",
            ["duty.combatReadiness.coverage"] = "Tỷ lệ thời gian trực SSCĐ đủ quân số",
            ["duty.combatReadiness.overdue"] = "Lần giao ca trực SSCĐ quá hạn",
            ["duty.searchAndRescue.posts"] = "Chốt trực cứu hộ, cứu nạn",
            ["duty.searchAndRescue.coverage"] = "Tỷ lệ thời gian trực cứu hộ, cứu nạn đủ quân số",
            ["duty.searchAndRescue.overdue"] = "Lần giao ca trực cứu hộ, cứu nạn quá hạn",
            ["exercises.province.planned"] = "Diễn tập cấp tỉnh theo kế hoạch",
            ["exercises.province.completed"] = "Diễn tập cấp tỉnh đã hoàn thành",
            ["exercises.province.excellent"] = "Diễn tập cấp tỉnh đạt xuất sắc",
            ["exercises.district.planned"] = "Diễn tập cấp huyện theo kế hoạch",
            ["exercises.district.completed"] = "Diễn tập cấp huyện đã hoàn thành",
            ["exercises.district.excellent"] = "Diễn tập cấp huyện đạt xuất sắc",
            ["exercises.commune.planned"] = "Diễn tập cấp xã theo kế hoạch",
            ["exercises.commune.completed"] = "Diễn tập cấp xã đã hoàn thành",
            ["exercises.commune.excellent"] = "Diễn tập cấp xã đạt xuất sắc",
            ["exercises.cancelled"] = "Diễn tập bị hủy",
            ["conscription.quota"] = "Chỉ tiêu giao quân",
            ["conscription.enlisted"] = "Công dân nhập ngũ được tiếp nhận",
            ["conscription.handedOver"] = "Công dân đã giao quân",
            ["education.pupilsAndStudents"] = "Học sinh, sinh viên được giáo dục QP-AN",
            ["education.cadres"] = "Cán bộ được bồi dưỡng kiến thức QP-AN",
            ["outreach.sessions"] = "Buổi tuyên truyền",
            ["outreach.attendances"] = "Lượt người nghe",
            ["partyCells.active"] = "Chi bộ quân sự hoạt động cuối năm",
            ["communes.registered"] = "Ban CHQS cấp xã",
            ["awards.meritCertificateProvincialCommittee.collective"] = "Bằng khen của UBND tỉnh — tập thể",
            ["awards.meritCertificateProvincialCommittee.individual"] = "Bằng khen của UBND tỉnh — cá nhân",
            ["awards.commendationCertificateProvinceCommand.collective"] = "Giấy khen của Bộ CHQS tỉnh — tập thể",
            ["awards.commendationCertificateProvinceCommand.individual"] = "Giấy khen của Bộ CHQS tỉnh — cá nhân",
            ["awards.advancedUnit.collective"] = "Danh hiệu “Đơn vị tiên tiến”",
            ["awards.grassrootsEmulationSoldier.individual"] = "Danh hiệu “Chiến sĩ thi đua cơ sở”",
            ["awards.advancedSoldier.individual"] = "Danh hiệu “Chiến sĩ tiên tiến”",
            ["award.MeritCertificateProvincialCommittee"] = "Bằng khen của Chủ tịch UBND tỉnh",
            ["award.CommendationCertificateProvinceCommand"] = "Giấy khen của Bộ CHQS tỉnh",
            ["award.AdvancedUnit"] = "Danh hiệu “Đơn vị tiên tiến”",
            ["award.GrassrootsEmulationSoldier"] = "Danh hiệu “Chiến sĩ thi đua cơ sở”",
            ["award.AdvancedSoldier"] = "Danh hiệu “Chiến sĩ tiên tiến”",
            ["finding.duty.kept"] = "Duy trì nghiêm túc chế độ trực sẵn sàng chiến đấu, trực cứu hộ, cứu nạn suốt cả năm.",
            ["finding.duty.partly"] = "Trực SSCĐ: {0} chốt, đủ quân số {1} thời gian, {2} lần giao ca quá hạn; " +
                "trực cứu hộ, cứu nạn: {3} chốt, đủ quân số {4} thời gian, {5} lần giao ca quá hạn.",
            ["finding.exercises.all"] = "Hoàn thành toàn bộ diễn tập cấp huyện ({0} cuộc) và cấp xã ({1} cuộc), tất cả đạt loại xuất sắc.",
            ["finding.exercises.partly"] = "Hoàn thành {0}/{1} cuộc diễn tập cấp huyện, cấp xã, {2} cuộc đạt loại xuất sắc.",
            ["finding.conscription.full"] = "Hoàn thành 100 % chỉ tiêu tuyển quân: giao {0}/{1} công dân.",
            ["finding.conscription.partly"] = "Tuyển quân: giao {0}/{1} công dân ({2} chỉ tiêu).",
            ["finding.education"] = "Giáo dục quốc phòng và an ninh cho {0} học sinh, sinh viên.",
            ["finding.outreach"] = "Tổ chức {0} buổi tuyên truyền kiến thức quốc phòng, an ninh với {1} lượt người nghe.",
            ["finding.partyCells"] = "{0} chi bộ quân sự hoạt động ({1} Ban CHQS cấp xã).",
            ["finding.award.collectives"] = "{0} tập thể",
            ["finding.award.individuals"] = "{0} cá nhân",
            ["finding.movement"] = "Phong trào thi đua {0} năm {1}.",
        };

        public static readonly Dictionary<string, string> En = new(StringComparer.Ordinal)
        {
            ["title"] = "Year-end local-defence report {1} — {0}",
            ["total"] = "Province total",
            ["provinceCommand"] = "Province command",
            ["column.unit"] = "Unit",
            ["column.what"] = "What",
            ["column.yearBefore"] = "{0}",
            ["column.change"] = "Change",
            ["period"] = "Period",
            ["keyFigures"] = "Main results",
            ["byDistrict"] = "By district",
            ["awardsByKind"] = "Awards by kind",
            ["collectives"] = "collectives",
            ["individuals"] = "individuals",
            ["events"] = "events",
            ["footer.basis"] = "Computed from {0} events of the province (up to event sequence {1}, recorded {2}); the figures rest on {3} of them.",
            ["footer.generated"] = "Generated {0} (Vietnam time).",
            ["footer.trace"] = "Every figure leads to the list of its events: follow the figure, or read its \"events\" in the JSON form of this report ({0}).",
            ["footer.years"] = "Years are counted in Vietnam time (UTC+7). " +
                "Duty coverage is the share of time the posts were manned at required strength; awards and conscription quotas count in the year they are for.",
            ["share"] = "share",
            ["section.duty"] = "Combat-readiness duty and search-and-rescue duty",
            ["section.exercises"] = "Exercises",
            ["section.conscription"] = "Conscription",
            ["section.education"] = "Defence and security education",
            ["section.outreach"] = "Outreach on defence and security",
            ["section.partyCells"] = "Military party cells",
            ["section.communes"] = "Commune-level military commands",
            ["section.awards"] = "Emulation and awards",
            ["duty.combatReadiness.posts"] = "Combat-readiness duty posts",
            ["duty.combatReadiness.coverage"] = "Share of time combat-readiness duty was fully manned",
            ["duty.combatReadiness.overdue"] = "Overdue combat-readiness handovers",
            ["duty.searchAndRescue.posts"] = "Search-and-rescue duty posts",
            ["duty.searchAndRescue.coverage"] = "Share of time search-and-rescue duty was fully manned",
            ["duty.searchAndRescue.overdue"] = "Overdue search-and-rescue handovers",
            ["exercises.province.planned"] = "Province-level exercises planned",
            ["exercises.province.completed"] = "Province-level exercises completed",
            ["exercises.province.excellent"] = "Province-level exercises rated excellent",
            ["exercises.district.planned"] = "District-level exercises planned",
            ["exercises.district.completed"] = "District-level exercises completed",
            ["exercises.district.excellent"] = "District-level exercises rated excellent",
            ["exercises.commune.planned"] = "Commune-level exercises planned",
            ["exercises.commune.completed"] = "Commune-level exercises completed",
            ["exercises.commune.excellent"] = "Commune-level exercises rated excellent",
            ["exercises.cancelled"] = "Exercises cancelled",
            ["conscription.quota"] = "Conscription quota",
            ["conscription.enlisted"] = "Recruits enlisted",
            ["conscription.handedOver"] = "Recruits handed over to the army",
            ["education.pupilsAndStudents"] = "Pupils and students given defence and security education",
            ["education.cadres"] = "Cadres given defence and security courses",
            ["outreach.sessions"] = "Outreach sessions",
            ["outreach.attendances"] = "Attendances",
            ["partyCells.active"] = "Military party cells active at year end",
            ["communes.registered"] = "Commune-level military commands",
            ["awards.meritCertificateProvincialCommittee.collective"] = "Certificate of merit, provincial People's Committee — collectives",
            ["awards.meritCertificateProvincialCommittee.individual"] = "Certificate of merit, provincial People's Committee — individuals",
            ["awards.commendationCertificateProvinceCommand.collective"] = "Certificate of commendation, province command — collectives",
            ["awards.commendationCertificateProvinceCommand.individual"] = "Certificate of commendation, province command — individuals",
            ["awards.advancedUnit.collective"] = "\"Advanced unit\" title",
            ["awards.grassrootsEmulationSoldier.individual"] = "\"Grassroots emulation soldier\" title",
            ["awards.advancedSoldier.individual"] = "\"Advanced soldier\" title",
            ["award.MeritCertificateProvincialCommittee"] = "Certificates of merit from the provincial People's Committee",
            ["award.CommendationCertificateProvinceCommand"] = "Certificates of commendation from the province command",
            ["award.AdvancedUnit"] = "\"Advanced unit\" title",
            ["award.GrassrootsEmulationSoldier"] = "\"Grassroots emulation soldier\" title",
            ["award.AdvancedSoldier"] = "\"Advanced soldier\" title",
            ["finding.duty.kept"] = "Combat-readiness duty and search-and-rescue duty were maintained strictly all year.",
            ["finding.duty.partly"] = "Combat-readiness duty: {0} posts, fully manned {1} of the time, {2} overdue handovers; " +
                "search-and-rescue duty: {3} posts, fully manned {4} of the time, {5} overdue handovers.",
            ["finding.exercises.all"] = "All district-level ({0}) and commune-level ({1}) exercises were completed, every one rated excellent.",
            ["finding.exercises.partly"] = "{0} of {1} district- and commune-level exercises completed, {2} rated excellent.",
            ["finding.conscription.full"] = "Conscription carried out in full: {0} of {1} recruits handed over.",
            ["finding.conscription.partly"] = "Conscription: {0} of {1} recruits handed over ({2} of the quota).",
            ["finding.education"] = "Defence and security education for {0} pupils and students.",
            ["finding.outreach"] = "{0} outreach sessions on defence and security knowledge, with {1} attendances.",
            ["finding.partyCells"] = "{0} military party cells active ({1} commune-level military commands).",
            ["finding.award.collectives"] = "{0} collectives",
            ["finding.award.individuals"] = "{0} individuals",
            ["finding.movement"] = "Emulation movement {0} {1}.",
        };
    }
}
