using System.Globalization;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;

namespace Readiness.Grains.YearEnd;

/// <summary>One stored event, as the year-end report reads it.</summary>
public sealed record StoredEvent(Guid Id, long Sequence, string StreamKey, long Version, DateTimeOffset RecordedAt, object Data);

/// <summary>
/// Folds a province's events into its year-end report. It works from the events themselves rather
/// than from the projected roster, so that each figure can name the events it adds up: an auditor
/// can check any number of the report against the store.
/// </summary>
public static partial class YearReportBuilder
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
        return Build(provinceId, year, read, now, text, ReportShape.AsRegistered(provinceId, read));
    }

    /// <summary>The report shaped by the chain of command (<paramref name="shape"/>, for a year): what it counts, and in which column.</summary>
    public static YearReport Build(string provinceId, int year, IEnumerable<StoredEvent> events, DateTimeOffset now, YearReportText text, Func<int, ReportShape> shape)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(shape);
        var read = events as IReadOnlyCollection<StoredEvent> ?? [.. events];
        var report = BuildYear(provinceId, year, read, now, text, shape(year));
        if (year - 1 < CommandTime.FirstYear)
        {
            return report;
        }
        // Compared only when the year before has figures of its own: a province registered this year has nothing to compare with.
        var before = BuildYear(provinceId, year - 1, read, now, text, shape(year - 1));
        return before.Basis.EventsCited > 0 ? report with { Comparison = new ReportComparison(before.Year, before.Total) } : report;
    }

    private static YearReport BuildYear(string provinceId, int year, IEnumerable<StoredEvent> events, DateTimeOffset now, YearReportText text, ReportShape shape)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(text);
        var fold = new Fold(provinceId, year, now, shape);
        foreach (var e in events)
        {
            if (shape.Counts(e.StreamKey))
            {
                fold.Apply(e);
            }
        }
        return fold.Report(text);
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static List<Guid> Ids(IEnumerable<(long Sequence, Guid Id)> events) =>
        [.. events.DistinctBy(e => e.Id).OrderBy(e => e.Sequence).Select(e => e.Id)];

    /// <summary>
    /// The year's fold, as a list of steps: each step folds the events of one part of the report,
    /// counts what stands at the year's end, and names its figures; the fold then lays the tallies
    /// out in the province's, the districts' and the total column.
    /// </summary>
    private sealed class Fold
    {
        private readonly Ledger ledger;
        private readonly Units units;
        private readonly AwardsConferred awards;
        private readonly Duty duty;
        // The report's figures, in the report's order.
        private readonly IReadOnlyList<Step> steps;
        // The year-end counts, in the order they have always been tallied: a district's first tally
        // places it among districts of the same name.
        private readonly IReadOnlyList<Step> closing;

        public Fold(string provinceId, int year, DateTimeOffset now, ReportShape shape)
        {
            ledger = new Ledger(provinceId, year, now, shape);
            units = new Units(ledger);
            awards = new AwardsConferred(ledger);
            duty = new Duty(ledger);
            var exercises = new Exercises(ledger);
            var conscription = new Conscription(ledger);
            var partyCells = new PartyCells(ledger);
            steps = [duty, exercises, conscription, new Education(ledger), new Outreach(ledger), partyCells, units, awards];
            closing = [partyCells, units, conscription, exercises];
        }

        public void Apply(StoredEvent e)
        {
            ledger.Note(e);
            foreach (var step in steps)
            {
                step.Apply(e);
            }
        }

        public YearReport Report(YearReportText text)
        {
            foreach (var step in closing)
            {
                step.Close();
            }
            var keys = steps.SelectMany(s => s.Keys()).ToList();
            var provinceId = ledger.ProvinceId;
            var columnIds = ledger.Tallies.Keys.Select(k => k.Column)
                .Concat(units.Districts())
                .Where(id => id != provinceId)
                .Distinct(StringComparer.Ordinal)
                .ToList();
            var provinceName = units.NameOf(provinceId);
            var own = Column(provinceId, provinceName, keys, [provinceId]);
            var districts = columnIds
                .Select(id => Column(id, units.NameOf(id), keys, [id]))
                .OrderBy(c => c.Name, VietnameseOrder)
                .ToList();
            var total = Column(provinceId, text.Total, keys, [provinceId, .. columnIds]);
            var cited = total.Figures.Values.SelectMany(f => f.Events).Distinct().Count();
            return new YearReport(
                provinceId, provinceName, ledger.Year, text.Language, text.Title(provinceName, ledger.Year),
                ledger.YearStart, ledger.YearEnd, [.. awards.Movements], Sections(keys, text), Definitions(keys, text),
                text.Findings(total, ledger.Year, [.. awards.Movements]),
                own, districts, total,
                new ReportBasis(ledger.Read, cited, ledger.LastSequence, ledger.LastRecordedAt, ledger.Now),
                FormerUnits: ledger.Shape.Former is { Count: > 0 } former ? former : null);
        }

        private static List<ReportSection> Sections(List<string> keys, YearReportText text) =>
            [.. keys.GroupBy(SectionOf).Select(g => new ReportSection(g.Key, text.Section(g.Key), [.. g]))];

        private static List<ReportFigureDefinition> Definitions(List<string> keys, YearReportText text) =>
            [.. keys.Select(k => new ReportFigureDefinition(k, SectionOf(k), text.Figure(k), k.EndsWith(".coverage", StringComparison.Ordinal) ? "share" : "count"))];

        private static string SectionOf(string key) => key[..key.IndexOf('.', StringComparison.Ordinal)];

        private ReportColumn Column(string unitId, string name, IReadOnlyList<string> keys, IReadOnlyList<string> columns)
        {
            var figures = new Dictionary<string, ReportFigure>(StringComparer.Ordinal);
            foreach (var key in keys)
            {
                var parts = columns.Select(c => ledger.Tallies.GetValueOrDefault((c, key))).OfType<Tally>().ToList();
                figures[key] = new ReportFigure(parts.Sum(t => t.Value), Ids(parts.SelectMany(t => t.Events)));
            }
            duty.Figures(columns, figures);
            return new ReportColumn(unitId, name, figures);
        }
    }
}
