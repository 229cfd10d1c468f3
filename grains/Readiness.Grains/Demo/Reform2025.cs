using Readiness.Contracts;

namespace Readiness.Grains.Demo;

/// <summary>A commune-level command formed on 1 July 2025, and the 2024 communes of Bắc Kạn merged into it.</summary>
/// <param name="Id">Its id: a name of its own, not a path under its regional command.</param>
/// <param name="Place">The commune or ward it serves.</param>
/// <param name="RegionalCommand">The number of the regional defence command it stood under from the reform until January 2026.</param>
/// <param name="Predecessors">The 2024 communes merged into it, by their ids under <c>bac-kan/</c>.</param>
public sealed record ReformedCommune(string Id, string Place, int RegionalCommand, IReadOnlyList<string> Predecessors);

/// <summary>
/// The reform of 1 July 2025 as the demo records it after Bắc Kạn's 2024: the Thái Nguyên province
/// command (<c>thai-nguyen</c>) with a small part of its own; four regional defence commands for the
/// former Bắc Kạn; its 108 communes merged into 37, as the published lists give them; the 8 district
/// commands dissolved into the regional commands; each district's reserve company and each commune's
/// militia platoon re-subordinated; and Bắc Kạn merged into Thái Nguyên. Then the second half of 2025
/// and 2026 to date, so that today's views mean something, with the commune commands placed directly under
/// the province command in January 2026. docs/reorganisation.md says which parts are
/// published and which are the demo's own (the regional commands and every strength and figure).
/// </summary>
public static class Reform2025
{
    public const string ProvinceId = "thai-nguyen";
    public const string ProvinceName = "Bộ CHQS tỉnh Thái Nguyên";
    public const string Order = "2786/QĐ-BQP; 1683/NQ-UBTVQH15";

    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    /// <summary>When the new structure took effect.</summary>
    public static readonly DateTimeOffset EffectiveFrom = new(2025, 7, 1, 0, 0, 0, Vietnam);

    /// <summary>
    /// January 2026: the commune commands re-formed directly under the province command, each led by a regular
    /// officer. The sources give the month; the day and the order's wording are the demo's own.
    /// </summary>
    public static readonly DateTimeOffset CommunesUnderProvinceFrom = new(2026, 1, 15, 0, 0, 0, Vietnam);

    public const string CommunesUnderProvinceOrder = "Tái lập Ban CHQS xã trực thuộc Bộ CHQS tỉnh, tháng 01/2026";

    private static readonly DateTimeOffset Established = new(2020, 1, 2, 8, 0, 0, Vietnam);
    private static readonly DateTimeOffset Formed = EffectiveFrom.AddHours(8);

    /// <summary>The regional defence commands, by number: the demo's own, named after their seats.</summary>
    public static readonly IReadOnlyList<(int Number, string Seat)> RegionalCommands =
        [(1, "Bắc Kạn"), (2, "Chợ Rã"), (3, "Na Rì"), (4, "Chợ Đồn"), (5, "Đại Từ")];

    public static string RegionalCommandId(int number) => $"{ProvinceId}/kv-{number}";

    /// <summary>Which regional command each former district's reserve company and command pass to.</summary>
    private static readonly Dictionary<string, int> CommandOfDistrict = new(StringComparer.Ordinal)
    {
        ["thanh-pho-bac-kan"] = 1, ["bach-thong"] = 1, ["ba-be"] = 2, ["pac-nam"] = 2,
        ["na-ri"] = 3, ["ngan-son"] = 3, ["cho-don"] = 4, ["cho-moi"] = 4,
    };

    /// <summary>The 37 commune-level units that the 108 became, from the published lists.</summary>
    public static readonly IReadOnlyList<ReformedCommune> Communes =
    [
        new($"{ProvinceId}/phuong-duc-xuan", "phường Đức Xuân", 1, ["thanh-pho-bac-kan/duc-xuan", "thanh-pho-bac-kan/nguyen-thi-minh-khai", "thanh-pho-bac-kan/huyen-tung"]),
        new($"{ProvinceId}/phuong-bac-kan", "phường Bắc Kạn", 1, ["thanh-pho-bac-kan/phung-chi-kien", "thanh-pho-bac-kan/song-cau", "thanh-pho-bac-kan/xuat-hoa", "thanh-pho-bac-kan/nong-thuong"]),
        new($"{ProvinceId}/xa-phong-quang", "xã Phong Quang", 1, ["thanh-pho-bac-kan/duong-quang", "bach-thong/don-phong"]),
        new($"{ProvinceId}/xa-cho-ra", "xã Chợ Rã", 2, ["ba-be/cho-ra", "ba-be/dia-linh", "ba-be/thuong-giao"]),
        new($"{ProvinceId}/xa-phuc-loc", "xã Phúc Lộc", 2, ["ba-be/banh-trach", "ba-be/ha-hieu", "ba-be/phuc-loc"]),
        new($"{ProvinceId}/xa-ba-be", "xã Ba Bể", 2, ["ba-be/cao-thuong", "ba-be/khang-ninh", "ba-be/nam-mau"]),
        new($"{ProvinceId}/xa-thuong-minh", "xã Thượng Minh", 2, ["ba-be/chu-huong", "ba-be/my-phuong", "ba-be/yen-duong"]),
        new($"{ProvinceId}/xa-dong-phuc", "xã Đồng Phúc", 2, ["ba-be/dong-phuc", "ba-be/hoang-tri", "ba-be/quang-khe", "cho-don/bang-phuc"]),
        new($"{ProvinceId}/xa-phu-thong", "xã Phủ Thông", 1, ["bach-thong/phu-thong", "bach-thong/luc-binh", "bach-thong/tan-tu", "bach-thong/vi-huong"]),
        new($"{ProvinceId}/xa-cam-giang", "xã Cẩm Giàng", 1, ["bach-thong/cam-giang", "bach-thong/my-thanh", "bach-thong/nguyen-phuc", "bach-thong/quan-ha"]),
        new($"{ProvinceId}/xa-vinh-thong", "xã Vĩnh Thông", 1, ["bach-thong/cao-son", "bach-thong/si-binh", "bach-thong/vu-muon"]),
        // partly the demo's own: see docs/reorganisation.md
        new($"{ProvinceId}/xa-bach-thong", "xã Bạch Thông", 1, ["bach-thong/duong-phong", "bach-thong/quang-thuan", "cho-don/dong-thang", "cho-don/dong-vien"]),
        new($"{ProvinceId}/xa-cho-don", "xã Chợ Đồn", 4, ["cho-don/bang-lung", "cho-don/bang-lang", "cho-don/ngoc-phai", "cho-don/phuong-vien"]),
        new($"{ProvinceId}/xa-yen-thinh", "xã Yên Thịnh", 4, ["cho-don/ban-thi", "cho-don/yen-thinh", "cho-don/yen-thuong"]),
        new($"{ProvinceId}/xa-nghia-ta", "xã Nghĩa Tá", 4, ["cho-don/binh-trung", "cho-don/luong-bang", "cho-don/nghia-ta"]),
        new($"{ProvinceId}/xa-yen-phong", "xã Yên Phong", 4, ["cho-don/dai-sao", "cho-don/yen-my", "cho-don/yen-phong"]),
        new($"{ProvinceId}/xa-nam-cuong", "xã Nam Cường", 4, ["cho-don/nam-cuong", "cho-don/xuan-lac"]),
        new($"{ProvinceId}/xa-quang-bach", "xã Quảng Bạch", 4, ["cho-don/quang-bach", "cho-don/tan-lap"]),
        // partly the demo's own: see docs/reorganisation.md
        new($"{ProvinceId}/xa-cho-moi", "xã Chợ Mới", 4, ["cho-moi/dong-tam", "cho-moi/nhu-co", "cho-moi/quang-chu", "cho-moi/yen-dinh"]),
        new($"{ProvinceId}/xa-yen-binh", "xã Yên Bình", 4, ["cho-moi/binh-van", "cho-moi/yen-cu"]),
        // partly the demo's own: see docs/reorganisation.md
        new($"{ProvinceId}/xa-tan-ky", "xã Tân Kỳ", 4, ["cho-moi/cao-ky", "cho-moi/hoa-thanh", "cho-moi/tan-son"]),
        new($"{ProvinceId}/xa-thanh-mai", "xã Thanh Mai", 4, ["cho-moi/mai-lap", "cho-moi/thanh-mai", "cho-moi/thanh-van"]),
        new($"{ProvinceId}/xa-thanh-thinh", "xã Thanh Thịnh", 4, ["cho-moi/nong-ha", "cho-moi/thanh-thinh"]),
        new($"{ProvinceId}/xa-na-ri", "xã Na Rì", 3, ["na-ri/yen-lac", "na-ri/kim-lu", "na-ri/son-thanh"]),
        new($"{ProvinceId}/xa-con-minh", "xã Côn Minh", 3, ["na-ri/con-minh", "na-ri/duong-son", "na-ri/quang-phong"]),
        new($"{ProvinceId}/xa-tran-phu", "xã Trần Phú", 3, ["na-ri/cu-le", "na-ri/tran-phu", "na-ri/van-minh"]),
        new($"{ProvinceId}/xa-cuong-loi", "xã Cường Lợi", 3, ["na-ri/cuong-loi"]),
        new($"{ProvinceId}/xa-xuan-duong", "xã Xuân Dương", 3, ["na-ri/dong-xa", "na-ri/liem-thuy", "na-ri/xuan-duong"]),
        // partly the demo's own: see docs/reorganisation.md
        new($"{ProvinceId}/xa-van-lang", "xã Văn Lang", 3, ["na-ri/kim-hy", "na-ri/lang-san", "na-ri/luong-thuong", "na-ri/van-lang"]),
        new($"{ProvinceId}/xa-na-phac", "xã Nà Phặc", 3, ["ngan-son/na-phac", "ngan-son/trung-hoa"]),
        new($"{ProvinceId}/xa-bang-van", "xã Bằng Vân", 3, ["ngan-son/bang-van", "ngan-son/thuong-an"]),
        new($"{ProvinceId}/xa-ngan-son", "xã Ngân Sơn", 3, ["ngan-son/coc-dan", "ngan-son/duc-van", "ngan-son/van-tung"]),
        new($"{ProvinceId}/xa-hiep-luc", "xã Hiệp Lực", 3, ["ngan-son/hiep-luc", "ngan-son/thuan-mang"]),
        new($"{ProvinceId}/xa-thuong-quan", "xã Thượng Quan", 3, ["ngan-son/thuong-quan"]),
        new($"{ProvinceId}/xa-nghien-loan", "xã Nghiên Loan", 2, ["pac-nam/an-thang", "pac-nam/nghien-loan", "pac-nam/xuan-la"]),
        new($"{ProvinceId}/xa-bang-thanh", "xã Bằng Thành", 2, ["pac-nam/bang-thanh", "pac-nam/boc-bo", "pac-nam/giao-hieu", "pac-nam/nhan-mon"]),
        new($"{ProvinceId}/xa-cao-minh", "xã Cao Minh", 2, ["pac-nam/cao-tan", "pac-nam/co-linh", "pac-nam/cong-bang"]),
    ];

    /// <summary>Thái Nguyên's own part in the demo: one regional command and two communes, all the demo's own.</summary>
    private static readonly IReadOnlyList<ReformedCommune> OwnCommunes =
    [
        new($"{ProvinceId}/xa-dai-tu", "xã Đại Từ", 5, []),
        new($"{ProvinceId}/xa-quan-chu", "xã Quân Chu", 5, []),
    ];

    /// <summary>The reform and the months after it, as commands with fixed ids; the recent weeks relative to <paramref name="now"/>.</summary>
    public static IReadOnlyList<DemoCommand> Commands(DateTimeOffset now)
    {
        var commands = new List<DemoCommand>();
        var sequence = 0;
        void Add(int phase, string target, Func<string, ICommand> command) =>
            commands.Add(new DemoCommand(phase, target, command($"demo:reform:{++sequence}")));

        // Phase 0-2: the new commands, registered from the day the reform takes effect, parents first.
        Add(0, ProvinceId, id => new RegisterUnit(id, ProvinceId, ProvinceName, Echelon.Province, null, 150, Established));
        foreach (var (number, seat) in RegionalCommands)
        {
            var commandId = RegionalCommandId(number);
            Add(1, commandId, id => new RegisterUnit(id, commandId, $"Ban CHPT khu vực {number} - {seat}", Echelon.RegionalDefence, ProvinceId, 24, EffectiveFrom));
        }
        foreach (var commune in Communes.Concat(OwnCommunes))
        {
            Add(2, commune.Id, id => new RegisterUnit(id, commune.Id, $"Ban CHQS {commune.Place}", Echelon.Commune, RegionalCommandId(commune.RegionalCommand), 14, EffectiveFrom));
        }

        // Phase 3: the reform itself, one order recorded whole.
        Add(3, "chain", id => new Reorganise(id, Order, EffectiveFrom, [.. Steps()], EffectiveFrom.AddHours(8)));

        // Phase 4: Bắc Kạn's districts' conscription of early 2025, reported after the reform (late reports,
        // dated before it); then the months since, for the new commands. The moved platoons and reserve
        // companies carry on with their own.
        Conscription(Add);
        After(Add, now);

        // Phase 5: the communes' commands under the province's from January 2026, once that month has come. Its id is
        // apart from the numbered ones above, so a store loaded before this order was in the demo keeps its ids' meaning.
        if (now >= CommunesUnderProvinceFrom)
        {
            commands.Add(new DemoCommand(5, "chain", new Reorganise("demo:reform-2026:communes", CommunesUnderProvinceOrder, CommunesUnderProvinceFrom,
                [.. Communes.Concat(OwnCommunes).Select(c => new ReorganisationStep(ReorganisationAction.Resubordinate, c.Id, ParentId: ProvinceId))],
                CommunesUnderProvinceFrom.AddHours(8))));
        }
        return commands;
    }

    private static IEnumerable<ReorganisationStep> Steps()
    {
        foreach (var commune in Communes)
        {
            foreach (var predecessor in commune.Predecessors.Select(p => $"{BacKan.ProvinceId}/{p}"))
            {
                yield return new(ReorganisationAction.Resubordinate, $"{predecessor}/dan-quan", ParentId: commune.Id);
                yield return new(ReorganisationAction.Dissolve, predecessor, SuccessorId: commune.Id);
            }
        }
        foreach (var district in BacKan.Districts)
        {
            var districtId = BacKan.DistrictId(district);
            var successor = RegionalCommandId(CommandOfDistrict[districtId[(BacKan.ProvinceId.Length + 1)..]]);
            yield return new(ReorganisationAction.Resubordinate, $"{districtId}/dbdv", ParentId: successor);
            yield return new(ReorganisationAction.Dissolve, districtId, SuccessorId: successor);
        }
        yield return new(ReorganisationAction.Dissolve, BacKan.ProvinceId, SuccessorId: ProvinceId);
    }

    /// <summary>Each former district's conscription quota for 2025 (the demo's own figures), in the order of <see cref="BacKan.Districts"/>.</summary>
    public static readonly IReadOnlyList<int> Quotas2025 = [50, 72, 58, 78, 66, 70, 54, 48];

    private static void Conscription(Action<int, string, Func<string, ICommand>> add)
    {
        for (var i = 0; i < BacKan.Districts.Count; i++)
        {
            var districtId = BacKan.DistrictId(BacKan.Districts[i]);
            var quota = Quotas2025[i];
            add(4, districtId, id => new AssignConscriptionQuota(id, districtId, 2025, quota, new DateTimeOffset(2025, 1, 9, 9, 0, 0, Vietnam)));
            add(4, districtId, id => new EnlistRecruits(id, districtId, quota, 2025, new DateTimeOffset(2025, 2, 4, 9, 0, 0, Vietnam)));
            add(4, districtId, id => new HandOverRecruits(id, districtId, quota, 2025, new DateTimeOffset(2025, 2, 13, 7, 0, 0, Vietnam)));
        }
    }

    private static void After(Action<int, string, Func<string, ICommand>> add, DateTimeOffset now)
    {
        var joined = EffectiveFrom.AddDays(3);
        add(4, ProvinceId, id => new RecordMembersJoined(id, ProvinceId, ForceType.Standing, 142, Established.AddDays(10)));
        foreach (var (number, _) in RegionalCommands)
        {
            var commandId = RegionalCommandId(number);
            add(4, commandId, id => new RecordMembersJoined(id, commandId, ForceType.Standing, 22 + (BacKan.Stable(commandId) % 3), joined));
        }
        string[] topics = ["Luật Quốc phòng", "Luật Dân quân tự vệ", "Luật Nghĩa vụ quân sự", "Phòng chống thiên tai"];
        foreach (var commune in Communes.Concat(OwnCommunes))
        {
            var communeId = commune.Id;
            add(4, communeId, id => new RecordMembersJoined(id, communeId, ForceType.Standing, 12 + (BacKan.Stable(communeId) % 3), joined));
            add(4, communeId, id => new EstablishPartyCell(id, communeId, 5 + (BacKan.Stable(communeId) % 5), EffectiveFrom.AddDays(20)));
            for (var n = 0; n < 3; n++)
            {
                var at = new DateTimeOffset(2025, 8 + (n * 2), 5 + (BacKan.Stable(communeId) % 20), 19, 30, 0, Vietnam);
                var topic = topics[(n + BacKan.Stable(communeId)) % topics.Length];
                var attendances = 80 + (BacKan.Stable($"{communeId}#{n}") % 40);
                add(4, communeId, id => new RecordOutreachSession(id, communeId, topic, attendances, at));
            }
        }
        Training(add, now);
        foreach (var (postId, name) in Posts())
        {
            Duty(add, postId, name, now);
        }
    }

    // Trainings of the current cycle, relative to now, as the 2024 demo records them.
    private static void Training(Action<int, string, Func<string, ICommand>> add, DateTimeOffset now)
    {
        string[] subjects = ["Huấn luyện kỹ thuật chiến đấu bộ binh", "Bắn súng tiểu liên AK", "Huấn luyện chiến thuật", "Cứu hộ, cứu nạn"];
        var units = new List<(string Id, int Count)> { (ProvinceId, 4) };
        units.AddRange(RegionalCommands.Select(c => (RegionalCommandId(c.Number), 4)));
        units.AddRange(Communes.Concat(OwnCommunes).Select(c => (c.Id, 2)));
        foreach (var (unitId, count) in units)
        {
            for (var n = 0; n < count; n++)
            {
                var at = Max(EffectiveFrom.AddDays(7), now.AddDays(-15 - (n * 60) - (BacKan.Stable(unitId) % 15)));
                var subject = subjects[(n + BacKan.Stable(unitId)) % subjects.Length];
                var participants = 10 + (BacKan.Stable(unitId + n) % 12);
                add(4, unitId, id => new RecordTraining(id, unitId, subject, participants, n % 3 == 2 ? Grade.Good : Grade.Excellent, at));
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static IEnumerable<(string Id, string Name)> Posts()
    {
        yield return ($"{ProvinceId}/sscd", "Trực SSCĐ Bộ CHQS tỉnh Thái Nguyên");
        foreach (var (number, seat) in RegionalCommands)
        {
            yield return ($"{RegionalCommandId(number)}/sscd", $"Trực SSCĐ Ban CHPT khu vực {number} - {seat}");
        }
    }

    // A post kept since the reform, whose record the demo gives for the 30 days before now.
    private static void Duty(Action<int, string, Func<string, ICommand>> add, string postId, string name, DateTimeOffset now)
    {
        var crew = Enumerable.Range(1, 4).Select(n => $"Trực ban {n}").ToArray();
        add(4, postId, id => new EstablishDutyPost(id, postId, name, DutyKind.CombatReadiness, 6, 24, EffectiveFrom.AddDays(1)));
        var today = now.ToOffset(Vietnam);
        var latestShift = new DateTimeOffset(today.Year, today.Month, today.Day, 7, 30, 0, Vietnam);
        if (latestShift > now)
        {
            latestShift = latestShift.AddDays(-1);
        }
        var resume = Max(latestShift.AddDays(-30), EffectiveFrom.AddDays(1).AddHours(8));
        add(4, postId, id => new StartDutyShift(id, postId, crew[0], 6, resume));
        for (var (n, at) = (1, resume.AddDays(1)); at <= latestShift; n++, at = at.AddDays(1))
        {
            var (handoverAt, outgoing, incoming) = (at, crew[(n - 1) % crew.Length], crew[n % crew.Length]);
            add(4, postId, id => new HandOverDutyShift(id, postId, outgoing, incoming, 6, handoverAt));
        }
    }
}
