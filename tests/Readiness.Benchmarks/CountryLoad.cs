using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Benchmarks;

/// <summary>The shape of the synthetic country: how many provinces, and what each holds.</summary>
public sealed record CountryShape(int Provinces, int DistrictsPerProvince, int CommunesPerDistrict, int UnitsPerCommune)
{
    public int UnitsPerProvince => 1 + DistrictsPerProvince * (1 + CommunesPerDistrict * (1 + UnitsPerCommune));
}

/// <summary>
/// A synthetic country: provinces of districts of communes, each commune with its force units, a
/// duty post per district and per commune, an exercise per district under way; and the mix of
/// reports that arrive from them. Province ids start with "bq" so that copies can be told apart.
/// </summary>
public sealed class CountryLoad(CountryShape shape, IGrainFactory grains)
{
    public const string ProvincePrefix = "bq";

    private readonly List<string> reportingUnits = [];
    private readonly Dictionary<string, List<string>> reportingUnitsByProvince = new(StringComparer.Ordinal);
    private readonly List<DutyPost> posts = [];
    private readonly List<string> districts = [];
    private long nextId;
    private long nextExercise;

    public IReadOnlyList<string> Provinces { get; } = ProvinceIds(shape);

    public static IReadOnlyList<string> ProvinceIds(CountryShape shape) =>
        [.. Enumerable.Range(0, shape.Provinces).Select(p => $"{ProvincePrefix}{p:D2}")];

    public int Units { get; private set; }

    /// <summary>The units of one province that reports are sent for: its districts, communes and their force units.</summary>
    public IReadOnlyList<string> ReportingUnitsIn(string provinceId) =>
        reportingUnitsByProvince.TryGetValue(provinceId, out var units) ? units : [];

    public int Posts => posts.Count;

    /// <summary>The newest acknowledged command, for the projection-lag probe to follow.</summary>
    public Acknowledged? Latest { get => Volatile.Read(ref latest); private set => Volatile.Write(ref latest, value); }

    private Acknowledged? latest;

    public sealed record Acknowledged(string StreamKey, string ProvinceId, long Version, long AckTimestamp);

    private sealed class DutyPost(string id)
    {
        public string Id { get; } = id;
        public string Commander = "Trực ban 0";
        public int Shift;
        /// <summary>1 while one caller hands the shift over: the outgoing commander must be the one on duty.</summary>
        public int Busy;
    }

    private string NewId() => $"b{Interlocked.Increment(ref nextId):x}-{Environment.ProcessId}";

    private async Task Send(ICommand command)
    {
        var result = await grains.Execute(command);
        if (!result.Accepted)
        {
            throw new InvalidOperationException($"Seeding {command.GetType().Name} for {result.StreamId} was refused: {result.Rejection?.Message}");
        }
    }

    /// <summary>Registers everything through the grains, a province per caller, top down.</summary>
    public async Task SeedAsync()
    {
        var at = DateTimeOffset.UtcNow.AddDays(-300);
        var shiftStart = DateTimeOffset.UtcNow.AddHours(-2);
        var byProvince = await Task.WhenAll(Provinces.Select(p => Task.Run(async () =>
        {
            var units = new List<string>();
            var provincePosts = new List<DutyPost>();
            var provinceDistricts = new List<string>();
            await Send(new RegisterUnit(NewId(), p, $"Bộ CHQS tỉnh {p}", Echelon.Province, null, 120, at));
            for (var d = 0; d < shape.DistrictsPerProvince; d++)
            {
                var district = $"{p}/d{d}";
                provinceDistricts.Add(district);
                await Send(new RegisterUnit(NewId(), district, $"Ban CHQS huyện {d}", Echelon.District, null, 40, at));
                await Send(new EnlistRecruits(NewId(), district, 36, at.Year, at.AddHours(1)));
                var communes = new List<string>();
                for (var c = 0; c < shape.CommunesPerDistrict; c++)
                {
                    var commune = $"{district}/c{c}";
                    communes.Add(commune);
                    await Send(new RegisterUnit(NewId(), commune, $"Ban CHQS xã {d}.{c}", Echelon.Commune, null, 12, at));
                    await Send(new RecordMembersJoined(NewId(), commune, ForceType.MilitiaSelfDefence, 11, at.AddHours(1)));
                    units.Add(commune);
                    for (var u = 0; u < shape.UnitsPerCommune; u++)
                    {
                        var unit = $"{commune}/u{u}";
                        await Send(new RegisterUnit(NewId(), unit, $"Trung đội dân quân {u}", Echelon.ForceUnit, null, 30, at));
                        await Send(new RecordMembersJoined(NewId(), unit, ForceType.MilitiaSelfDefence, 28, at.AddHours(1)));
                        units.Add(unit);
                    }
                    var post = $"{commune}/truc";
                    await Send(new EstablishDutyPost(NewId(), post, "Trực SSCĐ xã", DutyKind.CombatReadiness, 2, 24, at));
                    await Send(new StartDutyShift(NewId(), post, "Trực ban 0", 2, shiftStart));
                    provincePosts.Add(new DutyPost(post));
                }
                var districtPost = $"{district}/sscd";
                await Send(new EstablishDutyPost(NewId(), districtPost, "Trực SSCĐ huyện", DutyKind.CombatReadiness, 4, 24, at));
                await Send(new StartDutyShift(NewId(), districtPost, "Trực ban 0", 4, shiftStart));
                provincePosts.Add(new DutyPost(districtPost));
                units.Add(district);
                var exercise = $"{district}/kvpt";
                await Send(new PlanExercise(NewId(), exercise, "Diễn tập KVPT", ExerciseLevel.District, ExerciseKind.DefensiveZone,
                    [.. communes], at.AddDays(10), at.AddDays(11), at.AddDays(1)));
                await Send(new StartExercise(NewId(), exercise, at.AddDays(10)));
            }
            return (units, provincePosts, provinceDistricts);
        })));
        // Task.WhenAll keeps the order of the provinces it was given.
        foreach (var (province, (units, provincePosts, provinceDistricts)) in Provinces.Zip(byProvince))
        {
            reportingUnits.AddRange(units);
            reportingUnitsByProvince[province] = units;
            posts.AddRange(provincePosts);
            districts.AddRange(provinceDistricts);
        }
        Units = shape.Provinces * shape.UnitsPerProvince;
    }

    /// <summary>
    /// One report from the field, chosen by a mix like a working day's: unit reports (outreach,
    /// training, education, recruits, members, awards), duty-post staffing and handovers, and now
    /// and then a new exercise. Returns the events made durable, or -1 when it was refused.
    /// </summary>
    public async Task<int> SendOneAsync(Random random)
    {
        var roll = random.Next(100);
        ICommand command;
        string streamKey;
        DutyPost? claimed = null;
        string? incoming = null;
        if (roll < 62)
        {
            var unit = reportingUnits[random.Next(reportingUnits.Count)];
            streamKey = StreamKeys.Unit(unit);
            command = roll switch
            {
                < 22 => new RecordOutreachSession(NewId(), unit, "Luật Dân quân tự vệ", 20 + random.Next(80)),
                < 37 => new RecordTraining(NewId(), unit, "Bắn súng AK bài 1", 8 + random.Next(20), random.Next(10) == 0 ? Grade.Pass : Grade.Good),
                < 45 => new RecordDefenceEducation(NewId(), unit, random.Next(4) == 0 ? EducationAudience.Cadres : EducationAudience.PupilsAndStudents, 10 + random.Next(60)),
                < 50 => new EnlistRecruits(NewId(), unit, 1 + random.Next(3), DateTimeOffset.UtcNow.Year),
                < 57 => new RecordMembersJoined(NewId(), unit, ForceType.MilitiaSelfDefence, 1 + random.Next(3)),
                _ => new ConferAward(NewId(), unit, AwardKind.CommendationCertificateProvinceCommand, RecipientKind.Individual,
                    $"Đồng chí {random.Next(10_000)}", "Quyết thắng", DateTimeOffset.UtcNow.Year),
            };
        }
        else if (roll < 97)
        {
            var post = posts[random.Next(posts.Count)];
            streamKey = StreamKeys.DutyPost(post.Id);
            if (roll < 72 && Interlocked.CompareExchange(ref post.Busy, 1, 0) == 0)
            {
                claimed = post;
                incoming = $"Trực ban {post.Shift + 1}";
                command = new HandOverDutyShift(NewId(), post.Id, post.Commander, incoming, 2 + random.Next(3));
            }
            else
            {
                command = new ReportDutyStaffing(NewId(), post.Id, 1 + random.Next(4), "Báo cáo quân số ca trực");
            }
        }
        else
        {
            var district = districts[random.Next(districts.Count)];
            var exercise = $"{district}/dt{Interlocked.Increment(ref nextExercise)}";
            streamKey = StreamKeys.Exercise(exercise);
            var start = DateTimeOffset.UtcNow.AddDays(20);
            command = new PlanExercise(NewId(), exercise, "Diễn tập chiến đấu phòng thủ", ExerciseLevel.District, ExerciseKind.CombatReadiness,
                [$"{district}/c0"], start, start.AddDays(1));
        }

        try
        {
            var result = await grains.Execute(command);
            if (!result.Accepted)
            {
                return -1;
            }
            if (claimed is not null)
            {
                claimed.Commander = incoming!;
                claimed.Shift++;
            }
            Latest = new Acknowledged(streamKey, UnitPath.ProvinceOf(StreamKeys.Parse(streamKey).Id), result.Version, System.Diagnostics.Stopwatch.GetTimestamp());
            return 1;
        }
        finally
        {
            if (claimed is not null)
            {
                Volatile.Write(ref claimed.Busy, 0);
            }
        }
    }
}
