using System.Globalization;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Grains.Projections;

/// <summary>
/// The province projection's document: every unit, exercise and duty post of one province, folded
/// with the same code as their own documents. Levels are not stored: they depend on the moment
/// they are computed for, so <see cref="ToView"/> rates at a given time.
/// </summary>
public sealed class ProvinceRoster
{
    // Names are shown to Vietnamese readers in their dictionary order ('Đ' after 'D').
    private static readonly StringComparer VietnameseOrder = StringComparer.Create(CultureInfo.GetCultureInfo("vi-VN"), ignoreCase: false);

    public string Id { get; set; } = string.Empty;
    public Dictionary<string, UnitRecord> Units { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, ExerciseRecord> Exercises { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, DutyPostRecord> Posts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The global sequence of the last event applied.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public void Record(string streamKey, object @event, long version, long sequence, DateTimeOffset updatedAt, DateTimeOffset? recordedAt = null)
    {
        var (kind, id) = StreamKeys.Parse(streamKey);
        switch (kind)
        {
            case ActorKind.Exercise:
                Entry(Exercises, id, () => new ExerciseRecord { Id = streamKey }).Record(@event, version, updatedAt);
                break;
            case ActorKind.DutyPost:
                Entry(Posts, id, () => new DutyPostRecord { Id = streamKey }).Record(@event, version, updatedAt);
                break;
            default:
                Entry(Units, id, () => new UnitRecord { Id = id }).Record(@event, version, updatedAt, recordedAt);
                break;
        }
        Sequence = Math.Max(Sequence, sequence);
        UpdatedAt = updatedAt > UpdatedAt ? updatedAt : UpdatedAt;
    }

    /// <summary>Drops what is known of one stream, so that it can be folded again from its start.</summary>
    public void Forget(string streamKey)
    {
        var (kind, id) = StreamKeys.Parse(streamKey);
        _ = kind switch
        {
            ActorKind.Exercise => Exercises.Remove(id),
            ActorKind.DutyPost => Posts.Remove(id),
            _ => Units.Remove(id),
        };
    }

    public ProvinceReadinessView ToView(ReadinessPolicy policy, DateTimeOffset now)
    {
        var ratings = Rate(policy, now);
        var districts = Units.Keys
            .Where(id => UnitPath.Depth(id) >= 2)
            .GroupBy(id => UnitPath.DistrictOf(id)!, StringComparer.Ordinal)
            .Select(g => District(g.Key, g.ToList(), ratings))
            .OrderBy(d => d.Name, VietnameseOrder)
            .ToList();

        Units.TryGetValue(Id, out var province);
        return new ProvinceReadinessView(
            Id, province?.Name ?? Id, ratings.TryGetValue(Id, out var own) ? own.Level : null,
            Count(Units.Keys, ratings), districts,
            Concerns(Units.Keys, ratings), PostsNotManned(Posts.Values),
            [.. Posts.Values.Where(p => p.OpenAlert is not null).OrderBy(p => p.PostId, StringComparer.Ordinal).Select(Status)],
            [.. Exercises.Values.Where(e => e.Status == ExerciseStatus.Started)
                .OrderBy(e => e.StartedAt)
                .Select(e => new ExerciseUnderWay(e.ExerciseId, e.Name, e.Level, e.Kind, e.StartedAt!.Value))],
            Sequence, UpdatedAt, now);
    }

    /// <summary>One district of the province, or null when it has no units.</summary>
    public DistrictReadinessView? DistrictView(string districtId, ReadinessPolicy policy, DateTimeOffset now)
    {
        var unitIds = Units.Keys.Where(id => UnitPath.DistrictOf(id) == districtId).ToList();
        return unitIds.Count == 0 ? null : District(districtId, unitIds, Rate(policy, now));
    }

    public UnitReadinessView? UnitView(string unitId, ReadinessPolicy policy, DateTimeOffset now) =>
        Units.TryGetValue(unitId, out var unit) ? ReadinessRating.View(unit, PostsOf(unitId), policy, now) : null;

    /// <summary>The units directly under <paramref name="parentId"/>, rated now, in Vietnamese order.</summary>
    public IReadOnlyList<UnitSummary> Children(string parentId, ReadinessPolicy policy, DateTimeOffset now)
    {
        var postsByOwner = Posts.Values.ToLookup(p => p.OwnerUnitId, StringComparer.Ordinal);
        var childCounts = Units.Values.Where(u => u.ParentId is not null).GroupBy(u => u.ParentId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. Units.Values
            .Where(u => u.ParentId == parentId && u.Name.Length > 0)
            .Select(u =>
            {
                var rating = ReadinessRating.Rate(u, postsByOwner[u.Id], policy, now);
                return new UnitSummary(u.Id, u.Name, u.Echelon, rating.Level, rating.SetBy, u.AuthorisedStrength, u.ActualStrength, childCounts.GetValueOrDefault(u.Id));
            })
            .OrderBy(u => u.Echelon).ThenBy(u => u.Name, VietnameseOrder)];
    }

    public YearSummary Summary(int year)
    {
        var yearStart = CommandTime.StartOfYear(year);
        var yearEnd = yearStart.AddYears(1);
        var tallies = Units.Values.Select(u => u.Years.GetValueOrDefault(year)).OfType<YearTally>().ToList();

        var exercises = Exercises.Values
            .Where(e => e.Status == ExerciseStatus.Completed && e.CompletedAt is { } at && CommandTime.YearOf(at) == year)
            .GroupBy(e => (e.Level, Grade: e.Grade!.Value))
            .Select(g => new ExerciseTally(g.Key.Level, g.Key.Grade, g.Count()))
            .OrderBy(t => t.Level).ThenBy(t => t.Grade)
            .ToList();
        var cancelled = Exercises.Values.Count(e => e.Status == ExerciseStatus.Cancelled && CommandTime.YearOf(e.ScheduledStart) == year);

        var quota = tallies.Sum(t => t.ConscriptionQuota);
        var handedOver = tallies.Sum(t => t.RecruitsHandedOver);
        var awards = tallies
            .SelectMany(t => t.Awards)
            .GroupBy(a => a.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var parts = g.Key.Split('/');
                return new AwardTally(Enum.Parse<AwardKind>(parts[0]), Enum.Parse<RecipientKind>(parts[1]), g.Sum(a => a.Value));
            })
            .OrderBy(a => a.Kind).ThenBy(a => a.RecipientKind)
            .ToList();

        var posts = Posts.Values.Where(p => p.EstablishedAt < yearEnd).ToList();
        var coverageEnd = yearEnd < UpdatedAt ? yearEnd : UpdatedAt;
        var coverage = posts.Count == 0 ? 0 : posts.Average(p => p.Coverage(yearStart, coverageEnd));

        return new YearSummary(
            Id, year, exercises, cancelled,
            new ConscriptionSummary(quota, tallies.Sum(t => t.RecruitsEnlisted), handedOver, quota == 0 ? 0 : Math.Round((double)handedOver / quota, 4)),
            tallies.Sum(t => t.PupilsAndStudentsEducated), tallies.Sum(t => t.CadresEducated),
            tallies.Sum(t => t.OutreachSessions), tallies.Sum(t => t.OutreachAttendances),
            Units.Values.Count(u => u.PartyCellActiveAt(yearEnd.AddTicks(-1))),
            awards,
            new DutySummary(posts.Count, Math.Round(coverage, 4), posts.Sum(p => p.AlertsRaised)),
            Sequence, UpdatedAt);
    }

    private IEnumerable<DutyPostRecord> PostsOf(string unitId) => Posts.Values.Where(p => p.OwnerUnitId == unitId);

    private Dictionary<string, UnitRating> Rate(ReadinessPolicy policy, DateTimeOffset now)
    {
        var postsByOwner = Posts.Values.ToLookup(p => p.OwnerUnitId, StringComparer.Ordinal);
        return Units.Values
            .Where(u => u.Echelon != Echelon.MilitaryRegion && u.Name.Length > 0)
            .ToDictionary(u => u.Id, u => ReadinessRating.Rate(u, postsByOwner[u.Id], policy, now), StringComparer.Ordinal);
    }

    private DistrictReadinessView District(string districtId, IReadOnlyCollection<string> unitIds, Dictionary<string, UnitRating> ratings)
    {
        Units.TryGetValue(districtId, out var head);
        var communes = unitIds
            .Where(id => UnitPath.Depth(id) >= 3)
            .GroupBy(id => UnitPath.CommuneOf(id)!, StringComparer.Ordinal)
            .Where(g => Units.TryGetValue(g.Key, out var c) && c.Echelon == Echelon.Commune && ratings.ContainsKey(g.Key))
            .Select(g =>
            {
                var commune = Units[g.Key];
                return new CommuneReadinessView(g.Key, commune.Name, ratings[g.Key].Level,
                    commune.AuthorisedStrength, commune.ActualStrength, Count(g, ratings));
            })
            .OrderBy(c => c.Name, VietnameseOrder)
            .ToList();
        var known = unitIds.Where(ratings.ContainsKey).ToList();
        return new DistrictReadinessView(
            districtId, head?.Name ?? districtId, ratings.TryGetValue(districtId, out var own) ? own.Level : null,
            known.Sum(id => Units[id].AuthorisedStrength), known.Sum(id => Units[id].ActualStrength),
            Count(known, ratings), communes, Concerns(known, ratings),
            PostsNotManned(Posts.Values.Where(p => UnitPath.DistrictOf(p.OwnerUnitId) == districtId)),
            Sequence, UpdatedAt);
    }

    private List<UnitConcern> Concerns(IEnumerable<string> unitIds, Dictionary<string, UnitRating> ratings) =>
        [.. unitIds
            .Where(id => ratings.TryGetValue(id, out var r) && r.Level > ReadinessLevel.R2)
            .Select(id => new UnitConcern(id, Units[id].Name, ratings[id].Level, ratings[id].SetBy, ratings[id].Explanation,
                ratings[id].Areas.First(a => a.Area == ratings[id].SetBy).Measure))
            .OrderByDescending(c => c.Level).ThenBy(c => c.UnitId, StringComparer.Ordinal)];

    private static List<PostStatus> PostsNotManned(IEnumerable<DutyPostRecord> posts) =>
        [.. posts.Where(p => p.PostId.Length > 0 && !p.Manned).OrderBy(p => p.PostId, StringComparer.Ordinal).Select(Status)];

    public static PostStatus Status(DutyPostRecord p) =>
        new(p.PostId, p.Name, p.Kind, p.OwnerUnitId, p.OnDuty, p.StaffPresent, p.StaffRequired,
            p.ShiftStartedAt?.AddHours(p.ShiftHours), p.OpenAlert?.RaisedAt);

    private static LevelCounts Count(IEnumerable<string> unitIds, Dictionary<string, UnitRating> ratings) =>
        unitIds.Where(ratings.ContainsKey).Aggregate(LevelCounts.None, (counts, id) => counts.Add(ratings[id].Level));

    private static T Entry<T>(Dictionary<string, T> entries, string id, Func<T> create)
    {
        if (!entries.TryGetValue(id, out var entry))
        {
            entries[id] = entry = create();
        }
        return entry;
    }
}
