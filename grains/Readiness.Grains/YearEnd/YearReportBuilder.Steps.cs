using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Store.Projections;

namespace Readiness.Grains.YearEnd;

// The steps of the year's fold, one for each part of the report.
public static partial class YearReportBuilder
{
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

    /// <summary>The year's bounds, what was read, and the tallies the steps add to.</summary>
    private sealed class Ledger(string provinceId, int year, DateTimeOffset now, ReportShape shape)
    {
        public string ProvinceId { get; } = provinceId;
        public ReportShape Shape { get; } = shape;
        public int Year { get; } = year;
        public DateTimeOffset Now { get; } = now;
        public DateTimeOffset YearStart { get; } = CommandTime.StartOfYear(year);
        public DateTimeOffset YearEnd { get; } = CommandTime.StartOfYear(year + 1);
        public Dictionary<Guid, long> Sequences { get; } = [];
        // (column unit id, figure key) → tally; the column is the district, or the province for its own units.
        public Dictionary<(string Column, string Key), Tally> Tallies { get; } = [];
        public int Read { get; private set; }
        public long LastSequence { get; private set; }
        public DateTimeOffset? LastRecordedAt { get; private set; }

        public void Note(StoredEvent e)
        {
            Read++;
            Sequences[e.Id] = e.Sequence;
            if (e.Sequence > LastSequence)
            {
                LastSequence = e.Sequence;
                LastRecordedAt = e.RecordedAt;
            }
        }

        public bool InYear(DateTimeOffset at) => at >= YearStart && at < YearEnd;

        public string Column(string unitId) => Shape.ColumnOf(unitId);

        public Tally At(string unitId, string key)
        {
            var slot = (Column(unitId), key);
            if (!Tallies.TryGetValue(slot, out var tally))
            {
                Tallies[slot] = tally = new Tally();
            }
            return tally;
        }

        /// <summary>An event read earlier, to cite for a count that stands at the year's end.</summary>
        public (long Sequence, Guid Id) Cite(Guid id) => (Sequences[id], id);
    }

    /// <summary>One part of the report: the events it folds, what it counts at the year's end, and its figures.</summary>
    private abstract class Step(Ledger ledger)
    {
        protected Ledger Ledger { get; } = ledger;

        public abstract void Apply(StoredEvent e);

        /// <summary>Counts what stands at the year's end, once every event is read.</summary>
        public virtual void Close()
        {
        }

        /// <summary>The step's figure keys, in the report's order.</summary>
        public abstract IEnumerable<string> Keys();
    }

    /// <summary>Names the columns, and counts the communes registered by the year's end.</summary>
    private sealed class Units(Ledger ledger) : Step(ledger)
    {
        private readonly Dictionary<string, (UnitRegistered Event, Guid Id, long Sequence)> units = new(StringComparer.Ordinal);

        public override void Apply(StoredEvent e)
        {
            if (e.Data is UnitRegistered r)
            {
                units[r.UnitId] = (r, e.Id, e.Sequence);
            }
        }

        public override void Close()
        {
            var communes = units.Values.Where(u => u.Event.Echelon == Echelon.Commune && u.Event.OccurredAt < Ledger.YearEnd && Ledger.Shape.Stands(u.Event.UnitId));
            foreach (var (unit, id, sequence) in communes)
            {
                Ledger.At(unit.UnitId, "communes.registered").Add(1, sequence, id);
            }
        }

        public override IEnumerable<string> Keys() => ["communes.registered"];

        public string NameOf(string unitId) => Ledger.Shape.NameOf(unitId) ?? (units.TryGetValue(unitId, out var unit) ? unit.Event.Name : unitId);

        public IEnumerable<string> Districts() => Ledger.Shape.Columns;
    }

    private sealed class Conscription(Ledger ledger) : Step(ledger)
    {
        private readonly Dictionary<string, (int Quota, long Sequence, Guid Id)> quotas = new(StringComparer.Ordinal);

        public override void Apply(StoredEvent e)
        {
            switch (e.Data)
            {
                case ConscriptionQuotaAssigned q when q.Year == Ledger.Year:
                    // A later assignment replaces the earlier one, as in the unit's own tally.
                    quotas[q.UnitId] = (q.Quota, e.Sequence, e.Id);
                    break;
                case RecruitsEnlisted r when Ledger.InYear(r.OccurredAt):
                    Ledger.At(r.UnitId, "conscription.enlisted").Add(r.Count, e);
                    break;
                case RecruitsHandedOver r when Ledger.InYear(r.OccurredAt):
                    Ledger.At(r.UnitId, "conscription.handedOver").Add(r.Count, e);
                    break;
            }
        }

        public override void Close()
        {
            foreach (var (unitId, (quota, sequence, id)) in quotas)
            {
                Ledger.At(unitId, "conscription.quota").Add(quota, sequence, id);
            }
        }

        public override IEnumerable<string> Keys() => ["conscription.quota", "conscription.enlisted", "conscription.handedOver"];
    }

    private sealed class Education(Ledger ledger) : Step(ledger)
    {
        public override void Apply(StoredEvent e)
        {
            if (e.Data is DefenceEducationDelivered d && Ledger.InYear(d.OccurredAt))
            {
                var key = d.Audience == EducationAudience.PupilsAndStudents ? "education.pupilsAndStudents" : "education.cadres";
                Ledger.At(d.UnitId, key).Add(d.Participants, e);
            }
        }

        public override IEnumerable<string> Keys() => ["education.pupilsAndStudents", "education.cadres"];
    }

    private sealed class Outreach(Ledger ledger) : Step(ledger)
    {
        public override void Apply(StoredEvent e)
        {
            if (e.Data is OutreachSessionHeld o && Ledger.InYear(o.OccurredAt))
            {
                Ledger.At(o.UnitId, "outreach.sessions").Add(1, e);
                Ledger.At(o.UnitId, "outreach.attendances").Add(o.Attendances, e);
            }
        }

        public override IEnumerable<string> Keys() => ["outreach.sessions", "outreach.attendances"];
    }

    /// <summary>Counts the units with a party cell standing at the year's end.</summary>
    private sealed class PartyCells(Ledger ledger) : Step(ledger)
    {
        private sealed record Cell(Guid EstablishedBy, DateTimeOffset EstablishedAt)
        {
            public DateTimeOffset? DissolvedAt { get; set; }
        }

        private readonly Dictionary<string, List<Cell>> cells = new(StringComparer.Ordinal);

        public override void Apply(StoredEvent e)
        {
            switch (e.Data)
            {
                case PartyCellEstablished p:
                    Cells(p.UnitId).Add(new Cell(e.Id, p.OccurredAt));
                    break;
                case PartyCellDissolved p when Cells(p.UnitId) is [.., { DissolvedAt: null } open]:
                    open.DissolvedAt = p.OccurredAt;
                    break;
            }
        }

        public override void Close()
        {
            var lastMoment = Ledger.YearEnd.AddTicks(-1);
            foreach (var (unitId, list) in cells)
            {
                if (list.LastOrDefault(c => c.EstablishedAt <= lastMoment && (c.DissolvedAt is null || c.DissolvedAt > lastMoment)) is { } cell)
                {
                    var (sequence, id) = Ledger.Cite(cell.EstablishedBy);
                    Ledger.At(unitId, "partyCells.active").Add(1, sequence, id);
                }
            }
        }

        public override IEnumerable<string> Keys() => ["partyCells.active"];

        private List<Cell> Cells(string unitId)
        {
            if (!cells.TryGetValue(unitId, out var list))
            {
                cells[unitId] = list = [];
            }
            return list;
        }
    }

    /// <summary>Counts the awards for the year, and gathers the emulation movements they were given in.</summary>
    private sealed class AwardsConferred(Ledger ledger) : Step(ledger)
    {
        private readonly HashSet<string> extraKeys = new(StringComparer.Ordinal);

        public SortedSet<string> Movements { get; } = new(StringComparer.Ordinal);

        public override void Apply(StoredEvent e)
        {
            if (e.Data is AwardConferred a && a.Year == Ledger.Year)
            {
                var key = AwardKey(a.Kind, a.RecipientKind);
                if (!Awards.Contains((a.Kind, a.RecipientKind)))
                {
                    extraKeys.Add(key);
                }
                Ledger.At(a.UnitId, key).Add(1, e);
                Movements.Add(a.Movement);
            }
        }

        public override IEnumerable<string> Keys()
        {
            foreach (var (kind, recipient) in Awards)
            {
                yield return AwardKey(kind, recipient);
            }
            foreach (var key in extraKeys.Order(StringComparer.Ordinal))
            {
                yield return key;
            }
        }
    }

    /// <summary>Counts exercises planned, completed, excellent and cancelled, at their host's column.</summary>
    private sealed class Exercises(Ledger ledger) : Step(ledger)
    {
        private sealed record Exercise(ExercisePlanned Planned, Guid PlannedBy)
        {
            public bool Cancelled { get; set; }
        }

        private readonly Dictionary<string, Exercise> exercises = new(StringComparer.Ordinal);

        public override void Apply(StoredEvent e)
        {
            switch (e.Data)
            {
                case ExercisePlanned p:
                    exercises[p.ExerciseId] = new Exercise(p, e.Id);
                    break;
                case ExerciseCompleted c when exercises.TryGetValue(c.ExerciseId, out var exercise) && Ledger.InYear(c.OccurredAt):
                    Ledger.At(exercise.Planned.HostUnitId, ExerciseKey(exercise.Planned.Level, "completed")).Add(1, e);
                    if (c.Grade == Grade.Excellent)
                    {
                        Ledger.At(exercise.Planned.HostUnitId, ExerciseKey(exercise.Planned.Level, "excellent")).Add(1, e);
                    }
                    break;
                case ExerciseCancelled c when exercises.TryGetValue(c.ExerciseId, out var exercise):
                    exercise.Cancelled = true;
                    if (Ledger.InYear(exercise.Planned.ScheduledStart))
                    {
                        Ledger.At(exercise.Planned.HostUnitId, "exercises.cancelled").Add(1, e);
                    }
                    break;
            }
        }

        public override void Close()
        {
            foreach (var exercise in exercises.Values.Where(x => !x.Cancelled && Ledger.InYear(x.Planned.ScheduledStart)))
            {
                var (sequence, id) = Ledger.Cite(exercise.PlannedBy);
                Ledger.At(exercise.Planned.HostUnitId, ExerciseKey(exercise.Planned.Level, "planned")).Add(1, sequence, id);
            }
        }

        public override IEnumerable<string> Keys()
        {
            foreach (var level in Enum.GetValues<ExerciseLevel>())
            {
                yield return ExerciseKey(level, "planned");
                yield return ExerciseKey(level, "completed");
                yield return ExerciseKey(level, "excellent");
            }
            yield return "exercises.cancelled";
        }
    }

    /// <summary>Counts duty posts, their overdue handovers, and how much of the year they were manned.</summary>
    private sealed class Duty(Ledger ledger) : Step(ledger)
    {
        private sealed class Post(DutyPostEstablished established, Guid establishedBy)
        {
            public DutyPostEstablished Established { get; } = established;
            public Guid EstablishedBy { get; } = establishedBy;
            public DutyPostRecord Record { get; } = new();
            public List<Guid> Manning { get; } = [];
            public Guid? ManningAtYearStart { get; set; }
        }

        private readonly Dictionary<string, Post> posts = new(StringComparer.Ordinal);

        public override void Apply(StoredEvent e)
        {
            switch (e.Data)
            {
                case DutyPostEstablished p:
                    var established = posts[p.PostId] = new Post(p, e.Id);
                    established.Record.Record(p, e.Version, e.RecordedAt);
                    break;
                case DutyHandoverOverdue o when posts.TryGetValue(o.PostId, out var post) && Ledger.InYear(o.OccurredAt):
                    Ledger.At(post.Established.OwnerUnitId, DutyKey(post.Established.Kind, "overdue")).Add(1, e);
                    break;
                case DutyShiftStarted or DutyShiftHandedOver or DutyShiftEnded or DutyStaffingReported:
                    Manning(e);
                    break;
            }
        }

        public override IEnumerable<string> Keys()
        {
            foreach (var kind in Enum.GetValues<DutyKind>())
            {
                yield return DutyKey(kind, "posts");
                yield return DutyKey(kind, "coverage");
                yield return DutyKey(kind, "overdue");
            }
        }

        /// <summary>
        /// Sets the posts and coverage of the <paramref name="columns"/>. Coverage is a share, not a
        /// sum: the mean over the posts of the columns.
        /// </summary>
        public void Figures(IReadOnlyList<string> columns, Dictionary<string, ReportFigure> figures)
        {
            var coverageEnd = Ledger.YearEnd < Ledger.Now ? Ledger.YearEnd : Ledger.Now;
            foreach (var kind in Enum.GetValues<DutyKind>())
            {
                var owned = posts.Values
                    .Where(p => p.Established.Kind == kind && p.Established.OccurredAt < Ledger.YearEnd)
                    .Where(p => columns.Contains(Ledger.Column(p.Established.OwnerUnitId)))
                    .ToList();
                figures[DutyKey(kind, "posts")] = new ReportFigure(owned.Count, Ids(owned.Select(p => Ledger.Cite(p.EstablishedBy))));
                var coverage = owned.Count == 0 ? 0 : Math.Round(owned.Average(p => p.Record.Coverage(Ledger.YearStart, coverageEnd)), 4);
                var evidence = owned.SelectMany(p => p.ManningAtYearStart is { } before ? [before, .. p.Manning] : p.Manning);
                figures[DutyKey(kind, "coverage")] = new ReportFigure(coverage, Ids(evidence.Select(Ledger.Cite)));
            }
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
            if (!posts.TryGetValue(postId, out var post) || at >= Ledger.YearEnd)
            {
                return;
            }
            post.Record.Record(e.Data, e.Version, e.RecordedAt);
            if (at < Ledger.YearStart)
            {
                post.ManningAtYearStart = e.Id;
            }
            else
            {
                post.Manning.Add(e.Id);
            }
        }
    }
}
