using Readiness.Contracts;

namespace Readiness.Grains.Demo;

/// <summary>One command of the demo, for a unit, an exercise or a duty post.</summary>
public sealed record DemoCommand(int Phase, string Target, ICommand Command);

/// <summary>
/// Bắc Kạn's 2024 as commands, so that the year's summary reproduces the report: 587 outreach
/// sessions with over 52,000 attendances, nearly 9,000 pupils and students educated, 108 commune
/// party cells, every district and commune exercise excellent, the awards by kind and count, duty
/// kept all year. Figures the report does not give (strengths, conscription quotas, the number of
/// exercises) are the demo's own. To make today's ratings meaningful the demo also records the last
/// 30 days of duty and the current training cycle, relative to <c>now</c>.
/// Everything is deterministic except those recent dates, and command ids never depend on them.
/// The equipment holdings and mission answers are all the demo's own: the report gives no equipment
/// figures. Every holding rates R1 on both equipment areas, so that no unit's level or the area that
/// sets it moves from what the report's figures give; one rescue holding has an unserviceable item
/// under a Yes for rescue, to show a mission flag.
/// </summary>
public static class DemoYear
{
    public const int Year = 2024;
    public const string Movement = "Quyết thắng";
    public const int OutreachSessions = 587;
    public const int OutreachAttendances = 52_318;
    public const int PupilsAndStudents = 8_946;

    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);
    private static readonly DateTimeOffset Established = new(2020, 1, 2, 8, 0, 0, Vietnam);
    private static readonly DateTimeOffset ConferenceDay = new(2024, 12, 5, 14, 0, 0, Vietnam);

    /// <summary>Conscription quotas per district in 2024 (the demo's own figures).</summary>
    private static readonly int[] Quotas = [45, 70, 60, 80, 65, 75, 55, 50];

    /// <summary>How many of each district's communes hold a commune-level exercise in the year.</summary>
    private const int CommuneExercisesPerDistrict = 3;

    public static IReadOnlyList<DemoCommand> Commands(DateTimeOffset now)
    {
        var commands = new List<DemoCommand>();
        var sequence = 0;
        void Add(int phase, string target, Func<string, ICommand> command) =>
            commands.Add(new DemoCommand(phase, target, command($"demo:{++sequence}")));

        // Phase 0-3: the chain of command, parents first.
        Add(0, BacKan.ProvinceId, id => new RegisterUnit(id, BacKan.ProvinceId, BacKan.ProvinceName, Echelon.Province, null, 120, Established));
        foreach (var district in BacKan.Districts)
        {
            var districtId = BacKan.DistrictId(district);
            Add(1, districtId, id => new RegisterUnit(id, districtId, district.CommandName, Echelon.District, null, 24, Established));
            Add(2, $"{districtId}/dbdv", id => new RegisterUnit(id, $"{districtId}/dbdv", $"Đại đội dự bị động viên {district.Name}", Echelon.ForceUnit, null, 120, Established));
            foreach (var commune in BacKan.Communes(district))
            {
                Add(2, commune.Id, id => new RegisterUnit(id, commune.Id, commune.Name, Echelon.Commune, null, 12, Established));
                Add(3, $"{commune.Id}/dan-quan", id =>
                    new RegisterUnit(id, $"{commune.Id}/dan-quan", $"Trung đội dân quân cơ động {commune.Place}", Echelon.ForceUnit, null, 31, Established));
            }
        }

        // Phase 4: strengths, party cells, posts. Each target's commands run in order, targets in parallel.
        var joined = Established.AddDays(10);
        Add(4, BacKan.ProvinceId, id => new RecordMembersJoined(id, BacKan.ProvinceId, ForceType.Standing, 114, joined));
        foreach (var district in BacKan.Districts)
        {
            var districtId = BacKan.DistrictId(district);
            Add(4, districtId, id => new RecordMembersJoined(id, districtId, ForceType.Standing, 22 + (BacKan.Stable(districtId) % 3), joined));
            // Reserve companies are the least complete: most at 85-100 %, one short enough to show R3.
            var reserves = district.Name == "Pác Nặm" ? 88 : 102 + (BacKan.Stable(districtId + "/dbdv") % 19);
            Add(4, $"{districtId}/dbdv", id => new RecordMembersJoined(id, $"{districtId}/dbdv", ForceType.ReserveMobilisation, reserves, joined));
            foreach (var communeId in BacKan.Communes(district).Select(c => c.Id))
            {
                Add(4, communeId, id => new RecordMembersJoined(id, communeId, ForceType.Standing, 12 - (BacKan.Stable(communeId) % 3), joined));
                Add(4, $"{communeId}/dan-quan", id => new RecordMembersJoined(id, $"{communeId}/dan-quan", ForceType.MilitiaSelfDefence, 31 - (BacKan.Stable(communeId) % 4), joined));
                var cellAt = new DateTimeOffset(2021 + (BacKan.Stable(communeId) % 3), 3 + (BacKan.Stable(communeId) % 9), 3, 9, 0, 0, Vietnam);
                Add(4, communeId, id => new EstablishPartyCell(id, communeId, 3 + (BacKan.Stable(communeId) % 5), cellAt));
            }
        }
        var posts = Posts().ToList();
        foreach (var post in posts)
        {
            Add(4, post.Id, id => new EstablishDutyPost(id, post.Id, post.Name, post.Kind, post.Staff, 24, new DateTimeOffset(2023, 12, 1, 8, 0, 0, Vietnam)));
        }

        // Phase 5: the year 2024 and the recent weeks.
        Conscription(Add);
        Education(Add);
        Outreach(Add);
        Exercises(Add);
        Awards(Add);
        foreach (var post in posts)
        {
            Duty(Add, post, now);
        }
        RecentTraining(Add, now);

        // Phase 6, last so that every command id above stays what it was: equipment and missions.
        Equipment(Add);
        Missions(Add);

        // Phase 7, after everything above so that no command id moves: the second half of 2024's
        // training, so that the province as of the year's end, and as it stood before the 2025
        // reform, is rated on a training cycle of its own and not only on the recent one.
        YearTraining(Add);
        return commands;
    }

    private sealed record DemoPost(string Id, string Name, DutyKind Kind, int Staff);

    private static IEnumerable<DemoPost> Posts()
    {
        yield return new DemoPost($"{BacKan.ProvinceId}/sscd", "Trực SSCĐ Bộ CHQS tỉnh", DutyKind.CombatReadiness, 12);
        yield return new DemoPost($"{BacKan.ProvinceId}/cuu-ho", "Trực cứu hộ, cứu nạn Bộ CHQS tỉnh", DutyKind.SearchAndRescue, 20);
        foreach (var district in BacKan.Districts)
        {
            yield return new DemoPost($"{BacKan.DistrictId(district)}/sscd", $"Trực SSCĐ {district.CommandName}", DutyKind.CombatReadiness, 6);
        }
    }

    private static void Conscription(Action<int, string, Func<string, ICommand>> add)
    {
        for (var i = 0; i < BacKan.Districts.Count; i++)
        {
            var districtId = BacKan.DistrictId(BacKan.Districts[i]);
            var quota = Quotas[i];
            add(5, districtId, id => new AssignConscriptionQuota(id, districtId, Year, quota, new DateTimeOffset(2024, 1, 10, 9, 0, 0, Vietnam)));
            add(5, districtId, id => new EnlistRecruits(id, districtId, quota, Year, new DateTimeOffset(2024, 2, 5, 9, 0, 0, Vietnam)));
            add(5, districtId, id => new HandOverRecruits(id, districtId, quota, Year, new DateTimeOffset(2024, 2, 23, 7, 0, 0, Vietnam)));
        }
    }

    // Nearly 9,000 pupils and students: the province's colleges and each district's schools, over
    // the school year; cadres' courses beside them.
    private static void Education(Action<int, string, Func<string, ICommand>> add)
    {
        int[] pupilsByDistrict = [1_180, 960, 840, 1_020, 910, 980, 720, 816];
        var provinceShare = PupilsAndStudents - pupilsByDistrict.Sum();
        add(5, BacKan.ProvinceId, id => new RecordDefenceEducation(id, BacKan.ProvinceId, EducationAudience.PupilsAndStudents, provinceShare, new DateTimeOffset(2024, 9, 20, 8, 0, 0, Vietnam)));
        add(5, BacKan.ProvinceId, id => new RecordDefenceEducation(id, BacKan.ProvinceId, EducationAudience.Cadres, 146, new DateTimeOffset(2024, 6, 12, 8, 0, 0, Vietnam)));
        for (var i = 0; i < BacKan.Districts.Count; i++)
        {
            var districtId = BacKan.DistrictId(BacKan.Districts[i]);
            var spring = pupilsByDistrict[i] / 2;
            var autumn = pupilsByDistrict[i] - spring;
            add(5, districtId, id => new RecordDefenceEducation(id, districtId, EducationAudience.PupilsAndStudents, spring, new DateTimeOffset(2024, 3, 18 + i, 8, 0, 0, Vietnam)));
            add(5, districtId, id => new RecordDefenceEducation(id, districtId, EducationAudience.PupilsAndStudents, autumn, new DateTimeOffset(2024, 10, 7 + i, 8, 0, 0, Vietnam)));
            add(5, districtId, id => new RecordDefenceEducation(id, districtId, EducationAudience.Cadres, 60 + (i * 7), new DateTimeOffset(2024, 7, 8 + i, 8, 0, 0, Vietnam)));
        }
    }

    // 587 sessions: five in every commune, a sixth in 47 of them; attendances vary around 89.
    private static void Outreach(Action<int, string, Func<string, ICommand>> add)
    {
        var communes = BacKan.Districts.SelectMany(BacKan.Communes).Select(c => c.Id).ToList();
        var sessions = communes.SelectMany((communeId, index) =>
            Enumerable.Range(0, index < OutreachSessions - (5 * communes.Count) ? 6 : 5).Select(n => (communeId, n))).ToList();
        string[] topics = ["Luật Quốc phòng", "Luật Dân quân tự vệ", "Luật Nghĩa vụ quân sự",
            "Bảo vệ chủ quyền biên giới", "Phòng chống thiên tai", "Luật Lực lượng dự bị động viên"];
        var remaining = OutreachAttendances;
        for (var i = 0; i < sessions.Count; i++)
        {
            var (communeId, n) = sessions[i];
            var attendances = i == sessions.Count - 1 ? remaining : 74 + (BacKan.Stable($"{communeId}#{n}") % 31);
            remaining -= attendances;
            var at = new DateTimeOffset(2024, 1 + ((n * 2) + (BacKan.Stable(communeId) % 2)), 5 + (BacKan.Stable(communeId) % 20), 19, 30, 0, Vietnam);
            var topic = topics[(i + n) % topics.Length];
            add(5, communeId, id => new RecordOutreachSession(id, communeId, topic, attendances, at));
        }
    }

    // Two district defensive-zone exercises and three commune combat-readiness exercises per
    // district, all completed and rated excellent.
    private static void Exercises(Action<int, string, Func<string, ICommand>> add)
    {
        foreach (var (district, month) in new[] { (BacKan.Districts[1], 9), (BacKan.Districts[4], 10) })
        {
            var districtId = BacKan.DistrictId(district);
            var participants = new[] { districtId, $"{districtId}/dbdv" }
                .Concat(BacKan.Communes(district).Take(4).Select(c => $"{c.Id}/dan-quan")).ToList();
            Exercise(add, $"{districtId}/kvpt-{Year}", $"Diễn tập khu vực phòng thủ huyện {district.Name} năm {Year}",
                ExerciseLevel.District, ExerciseKind.DefensiveZone, participants, new DateTimeOffset(Year, month, 15, 7, 0, 0, Vietnam), 3, 640);
        }
        var index = 0;
        foreach (var district in BacKan.Districts)
        {
            foreach (var commune in BacKan.Communes(district).Take(CommuneExercisesPerDistrict))
            {
                var start = new DateTimeOffset(Year, 4 + (index % 8), 10 + (index % 15), 7, 0, 0, Vietnam);
                Exercise(add, $"{commune.Id}/sscd-{Year}", $"Diễn tập chiến đấu phòng thủ {commune.Place} năm {Year}",
                    ExerciseLevel.Commune, ExerciseKind.CombatReadiness, [commune.Id, $"{commune.Id}/dan-quan"], start, 1, 95 + (index % 30));
                index++;
            }
        }
    }

    private static void Exercise(Action<int, string, Func<string, ICommand>> add, string exerciseId, string name, ExerciseLevel level,
        ExerciseKind kind, IReadOnlyList<string> participants, DateTimeOffset start, int days, int people)
    {
        add(5, exerciseId, id => new PlanExercise(id, exerciseId, name, level, kind, participants, start, start.AddDays(days), start.AddDays(-30)));
        add(5, exerciseId, id => new StartExercise(id, exerciseId, start));
        add(5, exerciseId, id => new CompleteExercise(id, exerciseId, Grade.Excellent, people, start.AddDays(days).AddHours(-2)));
    }

    // The awards conferred at the year-end conference on 5 December 2024.
    private static void Awards(Action<int, string, Func<string, ICommand>> add)
    {
        var districts = BacKan.Districts.Select(BacKan.DistrictId).ToList();
        var communes = BacKan.Districts.SelectMany(BacKan.Communes).ToList();
        var militia = communes.Select(c => (Id: $"{c.Id}/dan-quan", Name: $"Trung đội dân quân cơ động {c.Place}")).ToList();
        var individual = 0;

        void Collectives(AwardKind kind, IEnumerable<(string Id, string Name)> units)
        {
            foreach (var (unitId, name) in units)
            {
                add(5, unitId, id => new ConferAward(id, unitId, kind, RecipientKind.Collective, name, Movement, Year, ConferenceDay));
            }
        }
        void Individuals(AwardKind kind, int count, IReadOnlyList<string> units)
        {
            for (var i = 0; i < count; i++)
            {
                var unitId = units[i % units.Count];
                var recipient = $"Cá nhân {++individual:000}";
                add(5, unitId, id => new ConferAward(id, unitId, kind, RecipientKind.Individual, recipient, Movement, Year, ConferenceDay));
            }
        }

        Collectives(AwardKind.MeritCertificateProvincialCommittee, communes.Where((_, i) => i % 21 == 0).Take(5).Select(c => (c.Id, c.Name)));
        Individuals(AwardKind.MeritCertificateProvincialCommittee, 10, districts);
        Collectives(AwardKind.CommendationCertificateProvinceCommand, communes.Where((_, i) => i % 5 == 2).Take(20).Select(c => (c.Id, c.Name)));
        Individuals(AwardKind.CommendationCertificateProvinceCommand, 42, militia.Select(m => m.Id).Where((_, i) => i % 2 == 1).ToList());
        Collectives(AwardKind.AdvancedUnit, militia.Where((_, i) => i % 5 == 4).Take(20));
        Individuals(AwardKind.GrassrootsEmulationSoldier, 44, [BacKan.ProvinceId, .. districts]);
        Individuals(AwardKind.AdvancedSoldier, 131, [.. districts, .. communes.Select(c => c.Id)]);
    }

    // Daily handovers at 07:30 through 2024; the record then resumes for the 30 days before now,
    // with the current shift started at the latest 07:30.
    private static void Duty(Action<int, string, Func<string, ICommand>> add, DemoPost post, DateTimeOffset now)
    {
        var crew = Enumerable.Range(1, 4).Select(n => $"Trực ban {n}").ToArray();
        // The shift on duty when 2024 began started on the last morning of 2023.
        var first = new DateTimeOffset(2023, 12, 31, 7, 30, 0, Vietnam);
        add(5, post.Id, id => new StartDutyShift(id, post.Id, crew[0], post.Staff, first));
        var day = 1;
        for (var at = first.AddDays(1); at.Year <= Year; at = at.AddDays(1), day++)
        {
            var handoverAt = at;
            var (outgoing, incoming) = (crew[(day - 1) % crew.Length], crew[day % crew.Length]);
            add(5, post.Id, id => new HandOverDutyShift(id, post.Id, outgoing, incoming, post.Staff, handoverAt));
        }
        var lastCommander = crew[(day - 1) % crew.Length];
        add(5, post.Id, id => new EndDutyShift(id, post.Id, lastCommander, new DateTimeOffset(2025, 1, 1, 7, 30, 0, Vietnam)));

        var today = now.ToOffset(Vietnam);
        var latestShift = new DateTimeOffset(today.Year, today.Month, today.Day, 7, 30, 0, Vietnam);
        if (latestShift > now)
        {
            latestShift = latestShift.AddDays(-1);
        }
        var resume = latestShift.AddDays(-30);
        add(5, post.Id, id => new StartDutyShift(id, post.Id, crew[0], post.Staff, resume));
        for (var n = 1; n <= 30; n++)
        {
            var handoverAt = resume.AddDays(n);
            var (outgoing, incoming) = (crew[(n - 1) % crew.Length], crew[n % crew.Length]);
            add(5, post.Id, id => new HandOverDutyShift(id, post.Id, outgoing, incoming, post.Staff, handoverAt));
        }
    }

    /// <summary>The demo's own holdings per kind of unit: (category, authorised); what is on hand is derived from the unit's id.</summary>
    private static readonly (EquipmentCategory Category, int Authorised)[] ProvinceKit =
        [(EquipmentCategory.Weapons, 150), (EquipmentCategory.Communications, 40), (EquipmentCategory.Vehicles, 12), (EquipmentCategory.RescueEquipment, 60)];
    private static readonly (EquipmentCategory Category, int Authorised)[] DistrictKit =
        [(EquipmentCategory.Weapons, 30), (EquipmentCategory.Communications, 10), (EquipmentCategory.Vehicles, 3), (EquipmentCategory.RescueEquipment, 20)];
    private static readonly (EquipmentCategory Category, int Authorised)[] ReserveKit =
        [(EquipmentCategory.Weapons, 120), (EquipmentCategory.Communications, 12), (EquipmentCategory.Vehicles, 4)];
    private static readonly (EquipmentCategory Category, int Authorised)[] MilitiaKit =
        [(EquipmentCategory.Weapons, 31), (EquipmentCategory.Communications, 4), (EquipmentCategory.RescueEquipment, 10)];

    /// <summary>How many of each district's militia platoons the demo gives equipment and a rescue mission.</summary>
    public const int EquippedMilitiaPerDistrict = 3;

    /// <summary>The district command whose rescue kit holds one unserviceable item although it is assessed Yes for rescue.</summary>
    public const string FlaggedRescueUnit = "bac-kan/ba-be";

    /// <summary>The units the demo equips, with their kit: the province, every district command and reserve company, and some militia platoons.</summary>
    public static IEnumerable<(string UnitId, (EquipmentCategory Category, int Authorised)[] Kit)> EquippedUnits()
    {
        yield return (BacKan.ProvinceId, ProvinceKit);
        foreach (var district in BacKan.Districts)
        {
            var districtId = BacKan.DistrictId(district);
            yield return (districtId, DistrictKit);
            yield return ($"{districtId}/dbdv", ReserveKit);
            foreach (var commune in BacKan.Communes(district).Take(EquippedMilitiaPerDistrict))
            {
                yield return ($"{commune.Id}/dan-quan", MilitiaKit);
            }
        }
    }

    /// <summary>
    /// What a unit holds of a category in the demo: at least 90 % of the authorised on hand and at
    /// least 90 % of that serviceable, so both equipment areas rate R1 (see the class's remarks).
    /// </summary>
    public static (int OnHand, int UnderRepair, int Unserviceable) Holding(string unitId, EquipmentCategory category, int authorised)
    {
        var stable = BacKan.Stable($"{unitId}#{category}");
        // Rescue kit is made up to strength before the flood season, so only the flagged unit's stands out.
        var shortBy = category == EquipmentCategory.RescueEquipment || authorised * 9 / 100 == 0 ? 0 : stable % ((authorised / 10) + 1);
        var onHand = authorised - Math.Min(shortBy, authorised / 10);
        var underRepair = onHand >= 20 ? stable % ((onHand / 20) + 1) : 0;
        var unserviceable = unitId == FlaggedRescueUnit && category == EquipmentCategory.RescueEquipment ? 1 : 0;
        return (onHand, underRepair, unserviceable);
    }

    private static void Equipment(Action<int, string, Func<string, ICommand>> add)
    {
        var allotted = new DateTimeOffset(2023, 1, 10, 8, 0, 0, Vietnam);
        var issued = new DateTimeOffset(2023, 3, 15, 8, 0, 0, Vietnam);
        var inspected = new DateTimeOffset(2024, 11, 20, 8, 0, 0, Vietnam);
        foreach (var (unitId, kit) in EquippedUnits())
        {
            foreach (var (category, authorised) in kit)
            {
                var (onHand, underRepair, unserviceable) = Holding(unitId, category, authorised);
                add(6, unitId, id => new AllotEquipment(id, unitId, category, authorised, "Biên chế trang bị năm 2023", allotted));
                add(6, unitId, id => new ReceiveEquipment(id, unitId, category, onHand, "Bộ CHQS tỉnh cấp phát", issued));
                if (underRepair + unserviceable > 0)
                {
                    add(6, unitId, id => new ReportEquipmentCondition(id, unitId, category, onHand - underRepair - unserviceable, underRepair, unserviceable, inspected));
                }
            }
        }
    }

    // Missions as the report's duties suggest: combat duty where an SSCĐ post is kept, rescue where
    // rescue kit is held, mobilisation for the reserve companies. One reserve company short of
    // strength answers No; one militia platoon in three is not yet assessed.
    private static void Missions(Action<int, string, Func<string, ICommand>> add)
    {
        var assigned = new DateTimeOffset(2024, 1, 5, 8, 0, 0, Vietnam);
        var assessed = new DateTimeOffset(2024, 11, 25, 8, 0, 0, Vietnam);
        void Mission(string unitId, Mission mission, MissionAnswer? answer, string reason)
        {
            add(6, unitId, id => new AssignMission(id, unitId, mission, assigned));
            if (answer is { } a)
            {
                add(6, unitId, id => new AssessMission(id, unitId, mission, a, reason, "Chỉ huy trưởng", assessed));
            }
        }
        Mission(BacKan.ProvinceId, Contracts.Mission.CombatReadinessDuty, MissionAnswer.Yes, "Trực SSCĐ duy trì nghiêm, đủ quân số.");
        Mission(BacKan.ProvinceId, Contracts.Mission.SearchAndRescue, MissionAnswer.Yes, "Lực lượng, phương tiện cứu hộ sẵn sàng.");
        foreach (var district in BacKan.Districts)
        {
            var districtId = BacKan.DistrictId(district);
            Mission(districtId, Contracts.Mission.CombatReadinessDuty, MissionAnswer.Yes, "Trực SSCĐ đủ quân số.");
            Mission(districtId, Contracts.Mission.SearchAndRescue, BacKan.Stable(districtId) % 3 == 0 ? MissionAnswer.Qualified : MissionAnswer.Yes,
                "Sẵn sàng ứng trực cứu hộ, cứu nạn mùa mưa bão.");
            var reserveShort = district.Name == "Pác Nặm";
            Mission($"{districtId}/dbdv", Contracts.Mission.Mobilisation, reserveShort ? MissionAnswer.No : MissionAnswer.Yes,
                reserveShort ? "Quân số dự bị động viên chưa đủ để động viên." : "Quân số, trang bị đủ để động viên.");
            var n = 0;
            foreach (var commune in BacKan.Communes(district).Take(EquippedMilitiaPerDistrict))
            {
                Mission($"{commune.Id}/dan-quan", Contracts.Mission.SearchAndRescue, n++ == 2 ? null : MissionAnswer.Yes, "Trung đội dân quân cơ động sẵn sàng cứu hộ.");
            }
        }
    }

    /// <summary>The one demo unit that has reported nothing for longer than its interval: the militia platoon of Pác Nặm's last commune.</summary>
    public static string StaleUnit() => $"{BacKan.Communes(BacKan.Districts.Single(d => d.Name == "Pác Nặm")).Last().Id}/dan-quan";

    // The current training cycle: each unit has done its required trainings in the past ten
    // months; one reserve company in four is a training short.
    private static void YearTraining(Action<int, string, Func<string, ICommand>> add)
    {
        string[] subjects = ["Huấn luyện kỹ thuật chiến đấu bộ binh", "Bắn súng tiểu liên AK", "Huấn luyện chiến thuật", "Cứu hộ, cứu nạn"];
        int[] months = [7, 9, 10, 12];
        foreach (var (unitId, count) in TrainedUnits())
        {
            for (var n = 0; n < count; n++)
            {
                var at = new DateTimeOffset(Year, months[count == 2 ? (n * 2) + 1 : n], 3 + (BacKan.Stable(unitId) % 20), 8, 0, 0, Vietnam);
                var subject = subjects[(n + BacKan.Stable(unitId)) % subjects.Length];
                var participants = 10 + (BacKan.Stable(unitId + n) % 20);
                add(7, unitId, id => new RecordTraining(id, unitId, subject, participants, Grade.Excellent, at));
            }
        }
    }

    /// <summary>The units that train, with the trainings their echelon needs in a cycle.</summary>
    private static IEnumerable<(string Id, int Required)> TrainedUnits()
    {
        yield return (BacKan.ProvinceId, 4);
        foreach (var district in BacKan.Districts)
        {
            var districtId = BacKan.DistrictId(district);
            yield return (districtId, 4);
            yield return ($"{districtId}/dbdv", 4);
            foreach (var communeId in BacKan.Communes(district).Select(c => c.Id))
            {
                yield return (communeId, 2);
                yield return ($"{communeId}/dan-quan", 4);
            }
        }
    }

    private static void RecentTraining(Action<int, string, Func<string, ICommand>> add, DateTimeOffset now)
    {
        string[] subjects = ["Huấn luyện kỹ thuật chiến đấu bộ binh", "Bắn súng tiểu liên AK", "Huấn luyện chiến thuật",
            "Cứu hộ, cứu nạn", "Phòng chống cháy rừng"];
        // One reserve company in four is a training short in the current cycle.
        var units = TrainedUnits().Select(u => u.Id.EndsWith("/dbdv", StringComparison.Ordinal) && BacKan.Stable(u.Id[..^"/dbdv".Length]) % 4 == 0
            ? (u.Id, 3) : u);
        var stale = StaleUnit();
        foreach (var (unitId, count) in units)
        {
            for (var n = 0; n < count; n++)
            {
                // The demo's own silent unit: its trainings are all in the cycle, so its level holds, but
                // the newest is older than a force unit's reporting interval, so it shows as stale.
                var at = unitId == stale
                    ? now.AddDays(-60 - (n * 70))
                    : now.AddDays(-20 - (n * 70) - (BacKan.Stable(unitId) % 15));
                var subject = subjects[(n + BacKan.Stable(unitId)) % subjects.Length];
                var participants = 10 + (BacKan.Stable(unitId + n) % 20);
                add(5, unitId, id => new RecordTraining(id, unitId, subject, participants, n % 3 == 2 ? Grade.Good : Grade.Excellent, at));
            }
        }
    }
}
