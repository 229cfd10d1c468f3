using System.Globalization;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Grains.Projections;

namespace Readiness.Grains.Reports;

/// <summary>One stored event, as the year-end report reads it.</summary>
public sealed record StoredEvent(Guid Id, long Sequence, string StreamKey, long Version, DateTimeOffset RecordedAt, object Data);

/// <summary>
/// Folds a province's events into its year-end report. It works from the events themselves rather
/// than from the projected roster, so that each figure can name the events it adds up: an auditor
/// can check any number of the report against the store.
/// </summary>
public static class YearReportBuilder
{
    private static readonly StringComparer VietnameseOrder = StringComparer.Create(CultureInfo.GetCultureInfo("vi-VN"), ignoreCase: false);

    /// <summary>The event types the report reads; the rest of a province's history does not change it.</summary>
    public static readonly IReadOnlyList<Type> EventTypes =
    [
        typeof(UnitRegistered), typeof(ConscriptionQuotaAssigned), typeof(RecruitsEnlisted), typeof(RecruitsHandedOver),
        typeof(DefenceEducationDelivered), typeof(OutreachSessionHeld), typeof(PartyCellEstablished), typeof(PartyCellDissolved),
        typeof(AwardConferred), typeof(ExercisePlanned), typeof(ExerciseCompleted), typeof(ExerciseCancelled),
        typeof(DutyPostEstablished), typeof(DutyShiftStarted), typeof(DutyShiftHandedOver), typeof(DutyShiftEnded),
        typeof(DutyStaffingReported), typeof(DutyHandoverOverdue),
    ];

    /// <summary>The awards the 2024 report names, in its order: each kind, collectives before individuals.</summary>
    public static readonly IReadOnlyList<(AwardKind Kind, RecipientKind Recipient)> Awards =
    [
        (AwardKind.MeritCertificateProvincialCommittee, RecipientKind.Collective),
        (AwardKind.MeritCertificateProvincialCommittee, RecipientKind.Individual),
        (AwardKind.CommendationCertificateProvinceCommand, RecipientKind.Collective),
        (AwardKind.CommendationCertificateProvinceCommand, RecipientKind.Individual),
        (AwardKind.AdvancedUnit, RecipientKind.Collective),
        (AwardKind.GrassrootsEmulationSoldier, RecipientKind.Individual),
        (AwardKind.AdvancedSoldier, RecipientKind.Individual),
    ];

    public static string AwardKey(AwardKind kind, RecipientKind recipient) => $"awards.{Camel(kind.ToString())}.{Camel(recipient.ToString())}";

    public static string DutyKey(DutyKind kind, string measure) => $"duty.{Camel(kind.ToString())}.{measure}";

    public static string ExerciseKey(ExerciseLevel level, string measure) => $"exercises.{Camel(level.ToString())}.{measure}";

    /// <summary>
    /// The report of <paramref name="provinceId"/> for <paramref name="year"/>. Things that happen at a
    /// moment count in the year they happened (UTC+7); quotas and awards count in the year they are
    /// for; party cells and communes are those existing at the year's end; duty coverage runs to the
    /// year's end, or to <paramref name="now"/> while the year is not over. <paramref name="events"/>
    /// are the province's events in the order they were recorded (by sequence).
    /// </summary>
    public static YearReport Build(string provinceId, int year, IEnumerable<StoredEvent> events, DateTimeOffset now, YearReportText text)
    {
        ArgumentNullException.ThrowIfNull(events);
        var read = events as IReadOnlyCollection<StoredEvent> ?? [.. events];
        var report = BuildYear(provinceId, year, read, now, text);
        if (year - 1 < CommandTime.FirstYear)
        {
            return report;
        }
        // Compared only when the year before has figures of its own: a province registered this year has nothing to compare with.
        var before = BuildYear(provinceId, year - 1, read, now, text);
        return before.Basis.EventsCited > 0 ? report with { Comparison = new ReportComparison(before.Year, before.Total) } : report;
    }

    private static YearReport BuildYear(string provinceId, int year, IEnumerable<StoredEvent> events, DateTimeOffset now, YearReportText text)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(text);
        var fold = new Fold(provinceId, year, now);
        foreach (var e in events)
        {
            if (StreamKeys.ProvinceOf(e.StreamKey) == provinceId)
            {
                fold.Apply(e);
            }
        }
        return fold.Report(text);
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private sealed class Post(DutyPostEstablished established, Guid establishedBy)
    {
        public DutyPostEstablished Established { get; } = established;
        public Guid EstablishedBy { get; } = establishedBy;
        public DutyPostRecord Record { get; } = new();
        public List<Guid> Manning { get; } = [];
        public Guid? ManningAtYearStart { get; set; }
    }

    private sealed record Exercise(ExercisePlanned Planned, Guid PlannedBy)
    {
        public bool Cancelled { get; set; }
    }

    private sealed record Cell(Guid EstablishedBy, DateTimeOffset EstablishedAt)
    {
        public DateTimeOffset? DissolvedAt { get; set; }
    }

    private sealed class Tally
    {
        public double Value { get; set; }
        public List<(long Sequence, Guid Id)> Events { get; } = [];

        public void Add(double amount, StoredEvent e) => Add(amount, e.Sequence, e.Id);

        public void Add(double amount, long sequence, Guid id)
        {
            Value += amount;
            Events.Add((sequence, id));
        }
    }

    private sealed class Fold(string provinceId, int year, DateTimeOffset now)
    {
        private readonly DateTimeOffset yearStart = CommandTime.StartOfYear(year);
        private readonly DateTimeOffset yearEnd = CommandTime.StartOfYear(year + 1);
        private readonly Dictionary<string, (UnitRegistered Event, Guid Id, long Sequence)> units = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Post> posts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Exercise> exercises = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<Cell>> cells = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (int Quota, long Sequence, Guid Id)> quotas = new(StringComparer.Ordinal);
        private readonly Dictionary<Guid, long> sequences = [];
        // (column unit id, figure key) → tally; the column is the district, or the province for its own units.
        private readonly Dictionary<(string Column, string Key), Tally> tallies = [];
        private readonly SortedSet<string> movements = new(StringComparer.Ordinal);
        private readonly HashSet<string> extraAwardKeys = new(StringComparer.Ordinal);
        private int read;
        private long lastSequence;
        private DateTimeOffset? lastRecordedAt;

        private bool InYear(DateTimeOffset at) => at >= yearStart && at < yearEnd;

        private string Column(string unitId) => UnitPath.DistrictOf(unitId) ?? provinceId;

        private Tally At(string unitId, string key)
        {
            var slot = (Column(unitId), key);
            if (!tallies.TryGetValue(slot, out var tally))
            {
                tallies[slot] = tally = new Tally();
            }
            return tally;
        }

        public void Apply(StoredEvent e)
        {
            read++;
            sequences[e.Id] = e.Sequence;
            if (e.Sequence > lastSequence)
            {
                lastSequence = e.Sequence;
                lastRecordedAt = e.RecordedAt;
            }
            switch (e.Data)
            {
                case UnitRegistered r:
                    units[r.UnitId] = (r, e.Id, e.Sequence);
                    break;
                case ConscriptionQuotaAssigned q when q.Year == year:
                    // A later assignment replaces the earlier one, as in the unit's own tally.
                    quotas[q.UnitId] = (q.Quota, e.Sequence, e.Id);
                    break;
                case RecruitsEnlisted r when InYear(r.OccurredAt):
                    At(r.UnitId, "conscription.enlisted").Add(r.Count, e);
                    break;
                case RecruitsHandedOver r when InYear(r.OccurredAt):
                    At(r.UnitId, "conscription.handedOver").Add(r.Count, e);
                    break;
                case DefenceEducationDelivered d when InYear(d.OccurredAt):
                    At(d.UnitId, d.Audience == EducationAudience.PupilsAndStudents ? "education.pupilsAndStudents" : "education.cadres").Add(d.Participants, e);
                    break;
                case OutreachSessionHeld o when InYear(o.OccurredAt):
                    At(o.UnitId, "outreach.sessions").Add(1, e);
                    At(o.UnitId, "outreach.attendances").Add(o.Attendances, e);
                    break;
                case PartyCellEstablished p:
                    Cells(p.UnitId).Add(new Cell(e.Id, p.OccurredAt));
                    break;
                case PartyCellDissolved p when Cells(p.UnitId) is [.., { DissolvedAt: null } open]:
                    open.DissolvedAt = p.OccurredAt;
                    break;
                case AwardConferred a when a.Year == year:
                    var awardKey = AwardKey(a.Kind, a.RecipientKind);
                    if (!Awards.Contains((a.Kind, a.RecipientKind)))
                    {
                        extraAwardKeys.Add(awardKey);
                    }
                    At(a.UnitId, awardKey).Add(1, e);
                    movements.Add(a.Movement);
                    break;
                case ExercisePlanned p:
                    exercises[p.ExerciseId] = new Exercise(p, e.Id);
                    break;
                case ExerciseCompleted c when exercises.TryGetValue(c.ExerciseId, out var exercise) && InYear(c.OccurredAt):
                    At(exercise.Planned.HostUnitId, ExerciseKey(exercise.Planned.Level, "completed")).Add(1, e);
                    if (c.Grade == Grade.Excellent)
                    {
                        At(exercise.Planned.HostUnitId, ExerciseKey(exercise.Planned.Level, "excellent")).Add(1, e);
                    }
                    break;
                case ExerciseCancelled c when exercises.TryGetValue(c.ExerciseId, out var exercise):
                    exercise.Cancelled = true;
                    if (InYear(exercise.Planned.ScheduledStart))
                    {
                        At(exercise.Planned.HostUnitId, "exercises.cancelled").Add(1, e);
                    }
                    break;
                case DutyPostEstablished p:
                    var established = posts[p.PostId] = new Post(p, e.Id);
                    established.Record.Record(p, e.Version, e.RecordedAt);
                    break;
                case DutyHandoverOverdue o when posts.TryGetValue(o.PostId, out var post) && InYear(o.OccurredAt):
                    At(post.Established.OwnerUnitId, DutyKey(post.Established.Kind, "overdue")).Add(1, e);
                    break;
                case DutyShiftStarted or DutyShiftHandedOver or DutyShiftEnded or DutyStaffingReported:
                    Manning(e);
                    break;
            }
        }

        private List<Cell> Cells(string unitId)
        {
            if (!cells.TryGetValue(unitId, out var list))
            {
                cells[unitId] = list = [];
            }
            return list;
        }

        // Coverage rests on the manning changes inside the year and on the last one before it,
        // which set how the post stood when the year began.
        private void Manning(StoredEvent e)
        {
            var (postId, at) = e.Data switch
            {
                DutyShiftStarted s => (s.PostId, s.OccurredAt),
                DutyShiftHandedOver h => (h.PostId, h.OccurredAt),
                DutyShiftEnded x => (x.PostId, x.OccurredAt),
                DutyStaffingReported r => (r.PostId, r.OccurredAt),
                _ => throw new ArgumentException($"{e.Data.GetType().Name} is not a manning change.", nameof(e)),
            };
            if (!posts.TryGetValue(postId, out var post) || at >= yearEnd)
            {
                return;
            }
            post.Record.Record(e.Data, e.Version, e.RecordedAt);
            if (at < yearStart)
            {
                post.ManningAtYearStart = e.Id;
            }
            else
            {
                post.Manning.Add(e.Id);
            }
        }

        public YearReport Report(YearReportText text)
        {
            var lastMoment = yearEnd.AddTicks(-1);
            foreach (var (unitId, list) in cells)
            {
                if (list.LastOrDefault(c => c.EstablishedAt <= lastMoment && (c.DissolvedAt is null || c.DissolvedAt > lastMoment)) is { } cell)
                {
                    At(unitId, "partyCells.active").Add(1, sequences[cell.EstablishedBy], cell.EstablishedBy);
                }
            }
            foreach (var (unit, id, sequence) in units.Values.Where(u => u.Event.Echelon == Echelon.Commune && u.Event.OccurredAt < yearEnd))
            {
                At(unit.UnitId, "communes.registered").Add(1, sequence, id);
            }
            foreach (var (unitId, (quota, sequence, id)) in quotas)
            {
                At(unitId, "conscription.quota").Add(quota, sequence, id);
            }
            foreach (var exercise in exercises.Values.Where(x => !x.Cancelled && InYear(x.Planned.ScheduledStart)))
            {
                At(exercise.Planned.HostUnitId, ExerciseKey(exercise.Planned.Level, "planned")).Add(1, sequences[exercise.PlannedBy], exercise.PlannedBy);
            }

            var keys = Keys().ToList();
            var columnIds = tallies.Keys.Select(k => k.Column)
                .Concat(units.Keys.Where(id => UnitPath.Depth(id) == 2 && units[id].Event.Echelon == Echelon.District))
                .Where(id => id != provinceId)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var provinceName = units.TryGetValue(provinceId, out var province) ? province.Event.Name : provinceId;
            var own = Column(provinceId, provinceName, keys, [provinceId]);
            var districts = columnIds
                .Select(id => Column(id, units.TryGetValue(id, out var d) ? d.Event.Name : id, keys, [id]))
                .OrderBy(c => c.Name, VietnameseOrder)
                .ToList();
            var total = Column(provinceId, text.Total, keys, [provinceId, .. columnIds]);

            var sections = keys.GroupBy(k => k[..k.IndexOf('.', StringComparison.Ordinal)])
                .Select(g => new ReportSection(g.Key, text.Section(g.Key), [.. g]))
                .ToList();
            var cited = total.Figures.Values.SelectMany(f => f.Events).Distinct().Count();
            return new YearReport(
                provinceId, provinceName, year, text.Language, text.Title(provinceName, year),
                yearStart, yearEnd, [.. movements], sections,
                [.. keys.Select(k => new ReportFigureDefinition(k, k[..k.IndexOf('.', StringComparison.Ordinal)], text.Figure(k), k.EndsWith(".coverage", StringComparison.Ordinal) ? "share" : "count"))],
                text.Findings(total, year, [.. movements]),
                own, districts, total,
                new ReportBasis(read, cited, lastSequence, lastRecordedAt, now));
        }

        private IEnumerable<string> Keys()
        {
            foreach (var kind in Enum.GetValues<DutyKind>())
            {
                yield return DutyKey(kind, "posts");
                yield return DutyKey(kind, "coverage");
                yield return DutyKey(kind, "overdue");
            }
            foreach (var level in Enum.GetValues<ExerciseLevel>())
            {
                yield return ExerciseKey(level, "planned");
                yield return ExerciseKey(level, "completed");
                yield return ExerciseKey(level, "excellent");
            }
            yield return "exercises.cancelled";
            yield return "conscription.quota";
            yield return "conscription.enlisted";
            yield return "conscription.handedOver";
            yield return "education.pupilsAndStudents";
            yield return "education.cadres";
            yield return "outreach.sessions";
            yield return "outreach.attendances";
            yield return "partyCells.active";
            yield return "communes.registered";
            foreach (var (kind, recipient) in Awards)
            {
                yield return AwardKey(kind, recipient);
            }
            foreach (var key in extraAwardKeys.Order(StringComparer.Ordinal))
            {
                yield return key;
            }
        }

        private ReportColumn Column(string unitId, string name, IReadOnlyList<string> keys, IReadOnlyList<string> columns)
        {
            var figures = new Dictionary<string, ReportFigure>(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                var parts = columns.Select(c => tallies.GetValueOrDefault((c, key))).OfType<Tally>().ToList();
                figures[key] = new ReportFigure(parts.Sum(t => t.Value), Ids(parts.SelectMany(t => t.Events)));
            }
            // Coverage is a share, not a sum: the mean over the posts of the columns.
            var coverageEnd = yearEnd < now ? yearEnd : now;
            foreach (var kind in Enum.GetValues<DutyKind>())
            {
                var owned = posts.Values
                    .Where(p => p.Established.Kind == kind && p.Established.OccurredAt < yearEnd && columns.Contains(Column(p.Established.OwnerUnitId)))
                    .ToList();
                figures[DutyKey(kind, "posts")] = new ReportFigure(owned.Count, Ids(owned.Select(p => (sequences[p.EstablishedBy], p.EstablishedBy))));
                var coverage = owned.Count == 0 ? 0 : Math.Round(owned.Average(p => p.Record.Coverage(yearStart, coverageEnd)), 4);
                var evidence = owned.SelectMany(p => p.ManningAtYearStart is { } before ? [before, .. p.Manning] : p.Manning);
                figures[DutyKey(kind, "coverage")] = new ReportFigure(coverage, Ids(evidence.Select(id => (sequences[id], id))));
            }
            return new ReportColumn(unitId, name, figures);
        }

        private static List<Guid> Ids(IEnumerable<(long Sequence, Guid Id)> events) =>
            [.. events.DistinctBy(e => e.Id).OrderBy(e => e.Sequence).Select(e => e.Id)];
    }
}
