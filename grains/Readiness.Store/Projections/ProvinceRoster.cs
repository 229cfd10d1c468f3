using System.Globalization;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Store.Projections;

/// <summary>
/// Units, exercises and duty posts folded from their streams. The projection stores one document per
/// commune, district and province command (<see cref="StreamKeys.RosterPartOf"/>), so a batch
/// rewrites only the parts it touched; <see cref="Compose"/> joins a province's parts
/// into the whole that the province's views are computed from. Levels are not stored: they depend on
/// the moment they are computed for, so <see cref="ToView"/> rates at a given time. Nor is the
/// structure: the views group and name units by the chain of command at their moment, so a roster is
/// <see cref="Arrange">arranged</see> by it before any view of a province is read from it.
/// </summary>
public sealed class ProvinceRoster
{
    // Names are shown to Vietnamese readers in their dictionary order ('Đ' after 'D'), and units of
    // the same name by id: a province composed of its parts in any order gives the same view.
    private static readonly StringComparer VietnameseOrder = StringComparer.Create(CultureInfo.GetCultureInfo("vi-VN"), ignoreCase: false);

    public string Id { get; set; } = string.Empty;

    /// <summary>The province this roster or part belongs to: stored in a column of its own, so a province's parts are found by one indexed query.</summary>
    public string ProvinceId { get; set; } = string.Empty;

    /// <summary>The layout of parts this one was folded under (<see cref="StreamKeys.RosterLayout"/>).</summary>
    public int Layout { get; set; }

    public Dictionary<string, UnitRecord> Units { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, ExerciseRecord> Exercises { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, DutyPostRecord> Posts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The global sequence of the last event applied.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Where each unit stood at the moment the views are about; set by <see cref="Arrange"/>, never stored.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public RosterArrangement? Arrangement { get; private set; }

    // Every view of the province is arranged by the tree; a roster read on its own is grouped by its units' registrations.
    private RosterArrangement Arranged => Arrangement ?? (registered ??= RosterArrangement.AsRegistered(this));

    // Folding another event may change what was registered, so it forgets this.
    private RosterArrangement? registered;

    // On a draft, the entries it holds of its own (copied or new); null on a roster folded in place.
    private HashSet<object>? owned;

    /// <summary>Whether this part is a draft folded in the daemon's memory (<see cref="Draft"/>), as against one read from the store.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Drafted => owned is not null;

    /// <summary>
    /// A copy of this part to fold the next batch into, so that this one stays as the readers who hold
    /// it saw it when it was committed: the dictionaries are the draft's own, and an entry is copied
    /// the first time the draft changes it, so a batch copies only what it touches.
    /// </summary>
    public ProvinceRoster Draft() => new()
    {
        Id = Id, ProvinceId = ProvinceId, Layout = Layout,
        Units = new(Units, StringComparer.Ordinal), Exercises = new(Exercises, StringComparer.Ordinal), Posts = new(Posts, StringComparer.Ordinal),
        Sequence = Sequence, UpdatedAt = UpdatedAt, owned = new(ReferenceEqualityComparer.Instance),
    };

    private PlacedUnit Place(string unitId) =>
        Arranged.Place(unitId) ?? new PlacedUnit(unitId, null, null, null, Units.GetValueOrDefault(unitId)?.Name ?? unitId, Units.GetValueOrDefault(unitId)?.Echelon ?? Echelon.ForceUnit);

    /// <summary>
    /// The province as <paramref name="arrangement"/> has it: the units that stood under it then, from
    /// whichever of <paramref name="homes"/> holds them, with the exercises they hosted and the duty
    /// posts they owned. A new roster: the homes, which may be the daemon's committed parts, are not touched.
    /// </summary>
    public static ProvinceRoster Arrange(RosterArrangement arrangement, IEnumerable<ProvinceRoster> homes)
    {
        var arranged = new ProvinceRoster
        {
            Id = arrangement.ProvinceId, ProvinceId = arrangement.ProvinceId, Layout = StreamKeys.RosterLayout, Arrangement = arrangement,
        };
        foreach (var home in homes.OrderBy(h => h.Id, StringComparer.Ordinal))
        {
            foreach (var (id, unit) in home.Units)
            {
                if (arrangement.Place(id) is not null && unit.Name.Length > 0)
                {
                    arranged.Units[id] = unit;
                }
            }
            foreach (var (id, exercise) in home.Exercises)
            {
                if (arrangement.Place(exercise.HostUnitId) is not null)
                {
                    arranged.Exercises[id] = exercise;
                }
            }
            foreach (var (id, post) in home.Posts)
            {
                if (arrangement.Place(post.OwnerUnitId) is not null)
                {
                    arranged.Posts[id] = post;
                }
            }
            arranged.Sequence = Math.Max(arranged.Sequence, home.Sequence);
            arranged.UpdatedAt = home.UpdatedAt > arranged.UpdatedAt ? home.UpdatedAt : arranged.UpdatedAt;
        }
        return arranged;
    }

    /// <summary>A unit's name at the moment of the arrangement, or as registered when the roster is not arranged.</summary>
    private string NameOf(string unitId) => Arrangement?.Place(unitId)?.Name ?? Units.GetValueOrDefault(unitId)?.Name ?? unitId;

    public void Record(string streamKey, object @event, long version, long sequence, DateTimeOffset updatedAt, DateTimeOffset? recordedAt = null)
    {
        registered = null;
        var (kind, id) = StreamKeys.Parse(streamKey);
        switch (kind)
        {
            case ActorKind.Exercise:
                Entry(Exercises, id, () => new ExerciseRecord { Id = streamKey }, e => e.Copy()).Record(@event, version, updatedAt);
                break;
            case ActorKind.DutyPost:
                Entry(Posts, id, () => new DutyPostRecord { Id = streamKey }, p => p.Copy()).Record(@event, version, updatedAt);
                break;
            default:
                Entry(Units, id, () => new UnitRecord { Id = id }, u => u.Copy()).Record(@event, version, updatedAt, recordedAt);
                break;
        }
        Sequence = Math.Max(Sequence, sequence);
        UpdatedAt = updatedAt > UpdatedAt ? updatedAt : UpdatedAt;
    }

    /// <summary>
    /// The province whole from its parts. Each stream is folded into exactly one part, so their union
    /// holds every stream once; the whole has seen what its most advanced part has.
    /// </summary>
    public static ProvinceRoster Compose(string provinceId, IEnumerable<ProvinceRoster> parts)
    {
        var whole = new ProvinceRoster { Id = provinceId, ProvinceId = provinceId, Layout = StreamKeys.RosterLayout };
        // In id order, so that the whole is the same however the parts were gathered.
        foreach (var part in parts.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            foreach (var (id, unit) in part.Units)
            {
                whole.Units[id] = unit;
            }
            foreach (var (id, exercise) in part.Exercises)
            {
                whole.Exercises[id] = exercise;
            }
            foreach (var (id, post) in part.Posts)
            {
                whole.Posts[id] = post;
            }
            whole.Sequence = Math.Max(whole.Sequence, part.Sequence);
            whole.UpdatedAt = part.UpdatedAt > whole.UpdatedAt ? part.UpdatedAt : whole.UpdatedAt;
        }
        return whole;
    }

    /// <summary>Drops what is known of one stream, so that it can be folded again from its start.</summary>
    public void Forget(string streamKey)
    {
        registered = null;
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
            .Where(id => Place(id).DistrictId is not null)
            .GroupBy(id => Place(id).DistrictId!, StringComparer.Ordinal)
            .Select(g => District(g.Key, g.ToList(), ratings, policy, now))
            .OrderBy(d => d.Name, VietnameseOrder).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();

        return new ProvinceReadinessView(
            Id, NameOf(Id), ratings.TryGetValue(Id, out var own) ? own.Level : null,
            Count(Units.Keys, ratings), districts,
            Concerns(Units.Keys, ratings), PostsNotManned(Posts.Values),
            [.. Posts.Values.Where(p => p.OpenAlert is not null).OrderBy(p => p.PostId, StringComparer.Ordinal).Select(Status)],
            [.. Exercises.Values.Where(e => e.Status == ExerciseStatus.Started)
                .OrderBy(e => e.StartedAt)
                .Select(e => new ExerciseUnderWay(e.ExerciseId, e.Name, e.Level, e.Kind, e.StartedAt!.Value))],
            Sequence, UpdatedAt, now, StaleAmong(Units.Keys.Where(ratings.ContainsKey), policy, now));
    }

    /// <summary>One district of the province, or null when it has no units.</summary>
    public DistrictReadinessView? DistrictView(string districtId, ReadinessPolicy policy, DateTimeOffset now)
    {
        var unitIds = Units.Keys.Where(id => Place(id).DistrictId == districtId).ToList();
        return unitIds.Count == 0 ? null : District(districtId, unitIds, Rate(policy, now), policy, now);
    }

    /// <summary>
    /// <paramref name="scopeId"/> and every unit under it, rated at <paramref name="at"/>: one point of
    /// a trend, or null when the scope had no unit yet. Counted as the views count: the scope itself included.
    /// </summary>
    public TrendPoint? TrendPoint(string scopeId, ReadinessPolicy policy, DateTimeOffset at)
    {
        var ratings = Rate(policy, at);
        var inScope = ratings
            .Where(r => Arranged.Within(r.Key, scopeId))
            .Select(r => r.Value)
            .ToList();
        if (inScope.Count == 0)
        {
            return null;
        }
        var areas = inScope
            .SelectMany(r => r.Areas)
            .Where(a => a.Level is not null)
            .GroupBy(a => a.Area)
            .OrderBy(g => g.Key)
            .Select(g => new AreaLevels(g.Key, g.Aggregate(LevelCounts.None, (counts, a) => counts.Add(a.Level!.Value))))
            .ToList();
        return new TrendPoint(at, ratings.TryGetValue(scopeId, out var own) ? own.Level : null,
            inScope.Aggregate(LevelCounts.None, (counts, r) => counts.Add(r.Level)), areas);
    }

    public UnitReadinessView? UnitView(string unitId, ReadinessPolicy policy, DateTimeOffset now) =>
        Units.TryGetValue(unitId, out var unit) ? ReadinessRating.View(unit, PostsOf(unitId), policy, now) : null;

    /// <summary>The units directly under <paramref name="parentId"/>, rated now, in Vietnamese order.</summary>
    public IReadOnlyList<UnitSummary> Children(string parentId, ReadinessPolicy policy, DateTimeOffset now)
    {
        var postsByOwner = Posts.Values.ToLookup(p => p.OwnerUnitId, StringComparer.Ordinal);
        var childCounts = Units.Keys.Select(Place).Where(u => u.ParentId is not null).GroupBy(u => u.ParentId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. Units.Values
            .Where(u => Place(u.Id).ParentId == parentId && u.Name.Length > 0)
            .Select(u =>
            {
                var rating = ReadinessRating.Rate(u, postsByOwner[u.Id], policy, now);
                var place = Place(u.Id);
                return new UnitSummary(u.Id, place.Name, place.Echelon, rating.Level, rating.SetBy, u.AuthorisedStrength, u.ActualStrength, childCounts.GetValueOrDefault(u.Id));
            })
            .OrderBy(u => u.Echelon).ThenBy(u => u.Name, VietnameseOrder).ThenBy(u => u.Id, StringComparer.Ordinal)];
    }

    /// <summary>The equipment of every unit of the province, by category: authorised, on hand, and on hand by condition.</summary>
    public IReadOnlyList<EquipmentHolding> EquipmentTotals() =>
        [.. Units.Values.Where(u => u.Name.Length > 0)
            .SelectMany(u => u.Equipment)
            .GroupBy(e => e.Key)
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, Stock: EquipmentStock.Total(g.Select(e => e.Value.Stock))))
            .Select(t => new EquipmentHolding(t.Key, t.Stock.Authorised, t.Stock.OnHand, t.Stock.Serviceable, t.Stock.UnderRepair, t.Stock.Unserviceable))];

    /// <summary>The province command's own comments recorded after version <paramref name="afterVersion"/> of its stream, oldest first.</summary>
    public IReadOnlyList<CommanderComment> CommentsAfter(long afterVersion) =>
        Units.TryGetValue(Id, out var province) ? [.. province.Comments.Where(c => c.Event.Version > afterVersion)] : [];

    /// <summary>Units by mission and the commander's answer, the province's and by district, with the contradicted answers.</summary>
    public ProvinceMissionReadiness MissionView(ReadinessPolicy policy, DateTimeOffset now)
    {
        var units = MissionUnits(policy, now, Units.Keys);
        var districts = units
            .Where(u => Place(u.Unit.Id).DistrictId is not null)
            .GroupBy(u => Place(u.Unit.Id).DistrictId!, StringComparer.Ordinal)
            .Select(g => DistrictMissions(g.Key, [.. g]))
            .OrderBy(d => d.Name, VietnameseOrder).ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToList();
        return new ProvinceMissionReadiness(Id, NameOf(Id), Tally(units), districts, Flagged(units), Sequence, UpdatedAt, now);
    }

    /// <summary>One district's units by mission and answer, or null when the district has no units.</summary>
    public DistrictMissionReadiness? DistrictMissionView(string districtId, ReadinessPolicy policy, DateTimeOffset now)
    {
        var unitIds = Units.Keys.Where(id => Place(id).DistrictId == districtId).ToList();
        return unitIds.Count == 0 ? null : DistrictMissions(districtId, MissionUnits(policy, now, unitIds));
    }

    private sealed record UnitMissions(UnitRecord Unit, IReadOnlyList<MissionFlag> Flags);

    private List<UnitMissions> MissionUnits(ReadinessPolicy policy, DateTimeOffset now, IEnumerable<string> unitIds)
    {
        var postsByOwner = Posts.Values.ToLookup(p => p.OwnerUnitId, StringComparer.Ordinal);
        return [.. unitIds
            .Select(id => Units[id])
            .Where(u => u.Name.Length > 0 && u.Missions.Count > 0)
            .Select(u =>
            {
                var posts = postsByOwner[u.Id].ToList();
                return new UnitMissions(u, ReadinessRating.MissionFlags(u, ReadinessRating.Rate(u, posts, policy, now), posts));
            })];
    }

    private DistrictMissionReadiness DistrictMissions(string districtId, IReadOnlyList<UnitMissions> units)
    {
        return new DistrictMissionReadiness(districtId, NameOf(districtId), Tally(units), Flagged(units), Sequence, UpdatedAt);
    }

    private static List<MissionTally> Tally(IReadOnlyList<UnitMissions> units) =>
        [.. Enum.GetValues<Mission>().Select(mission =>
        {
            var assigned = units.Where(u => u.Unit.Missions.ContainsKey(mission)).ToList();
            int Answered(MissionAnswer? answer) => assigned.Count(u => u.Unit.Missions[mission].Answer == answer);
            return new MissionTally(mission, assigned.Count, Answered(MissionAnswer.Yes), Answered(MissionAnswer.Qualified), Answered(MissionAnswer.No),
                Answered(null), assigned.Count(u => u.Flags.Any(f => f.Mission == mission)));
        })];

    private List<FlaggedUnit> Flagged(IEnumerable<UnitMissions> units) =>
        [.. units.SelectMany(u => u.Flags.Select(f => new FlaggedUnit(u.Unit.Id, NameOf(u.Unit.Id), f.Mission, f.Answer, f.Problem)))
            .OrderBy(f => f.Mission).ThenBy(f => f.UnitId, StringComparer.Ordinal)];

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

    private DistrictReadinessView District(string districtId, IReadOnlyCollection<string> unitIds, Dictionary<string, UnitRating> ratings,
        ReadinessPolicy policy, DateTimeOffset now)
    {
        var communes = unitIds
            .Where(id => Place(id).CommuneId is not null)
            .GroupBy(id => Place(id).CommuneId!, StringComparer.Ordinal)
            .Where(g => Units.ContainsKey(g.Key) && ratings.ContainsKey(g.Key))
            .Select(g =>
            {
                var commune = Units[g.Key];
                return new CommuneReadinessView(g.Key, NameOf(g.Key), ratings[g.Key].Level,
                    commune.AuthorisedStrength, commune.ActualStrength, Count(g, ratings), LastReported(g.Where(ratings.ContainsKey)));
            })
            .OrderBy(c => c.Name, VietnameseOrder).ThenBy(c => c.Id, StringComparer.Ordinal)
            .ToList();
        var known = unitIds.Where(ratings.ContainsKey).ToList();
        return new DistrictReadinessView(
            districtId, NameOf(districtId), ratings.TryGetValue(districtId, out var own) ? own.Level : null,
            known.Sum(id => Units[id].AuthorisedStrength), known.Sum(id => Units[id].ActualStrength),
            Count(known, ratings), communes, Concerns(known, ratings),
            PostsNotManned(Posts.Values.Where(p => Arranged.Place(p.OwnerUnitId)?.DistrictId == districtId)),
            Sequence, UpdatedAt, LastReported(known), StaleAmong(known, policy, now));
    }

    /// <summary>When the newest thing reported of any of <paramref name="unitIds"/> happened.</summary>
    private DateTimeOffset? LastReported(IEnumerable<string> unitIds) => unitIds.Select(id => Units[id].LastReportedAt).Max();

    /// <summary>Those of <paramref name="unitIds"/> that have reported nothing within their interval, longest overdue first.</summary>
    private List<StaleUnit> StaleAmong(IEnumerable<string> unitIds, ReadinessPolicy policy, DateTimeOffset now) =>
        [.. unitIds
            .Select(id => (Unit: Units[id], Freshness: Units[id].Freshness(policy, now)))
            .Where(u => u.Freshness.Stale)
            .Select(u => new StaleUnit(u.Unit.Id, NameOf(u.Unit.Id), u.Unit.Echelon, u.Freshness.LastReportedAt, u.Freshness.DueBy!.Value))
            .OrderBy(u => u.DueBy).ThenBy(u => u.UnitId, StringComparer.Ordinal)];

    private List<UnitConcern> Concerns(IEnumerable<string> unitIds, Dictionary<string, UnitRating> ratings) =>
        [.. unitIds
            .Where(id => ratings.TryGetValue(id, out var r) && r.Level > ReadinessLevel.R2)
            .Select(id => new UnitConcern(id, NameOf(id), ratings[id].Level, ratings[id].SetBy, ratings[id].Explanation,
                ratings[id].Areas.First(a => a.Area == ratings[id].SetBy).Measure))
            .OrderByDescending(c => c.Level).ThenBy(c => c.UnitId, StringComparer.Ordinal)];

    private static List<PostStatus> PostsNotManned(IEnumerable<DutyPostRecord> posts) =>
        [.. posts.Where(p => p.PostId.Length > 0 && !p.Manned).OrderBy(p => p.PostId, StringComparer.Ordinal).Select(Status)];

    public static PostStatus Status(DutyPostRecord p) =>
        new(p.PostId, p.Name, p.Kind, p.OwnerUnitId, p.OnDuty, p.StaffPresent, p.StaffRequired,
            p.ShiftStartedAt?.AddHours(p.ShiftHours), p.OpenAlert?.RaisedAt);

    private static LevelCounts Count(IEnumerable<string> unitIds, Dictionary<string, UnitRating> ratings) =>
        unitIds.Where(ratings.ContainsKey).Aggregate(LevelCounts.None, (counts, id) => counts.Add(ratings[id].Level));

    /// <summary>The entry to fold an event into: on a draft, never one that the part it was drafted from still holds.</summary>
    private T Entry<T>(Dictionary<string, T> entries, string id, Func<T> create, Func<T, T> copy) where T : class
    {
        if (!entries.TryGetValue(id, out var entry))
        {
            entries[id] = entry = create();
            owned?.Add(entry);
        }
        else if (owned is not null && !owned.Contains(entry))
        {
            entries[id] = entry = copy(entry);
            owned.Add(entry);
        }
        return entry;
    }
}
