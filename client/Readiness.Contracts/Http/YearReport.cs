namespace Readiness.Contracts.Http;

// The year-end report only travels over HTTP, never through a grain, so it has no Orleans codec.

/// <summary>
/// A province's year-end local-defence report (báo cáo tổng kết công tác quốc phòng địa phương):
/// the figures of the real report, for the province command's own units, each district, and the
/// province in total. Every figure lists the ids of the events it was computed from.
/// </summary>
/// <param name="ProvinceId">The province, such as <c>bac-kan</c>.</param>
/// <param name="ProvinceName">The province command's registered name.</param>
/// <param name="Year">The year reported on, counted in Vietnam's time (UTC+7).</param>
/// <param name="Language"><c>vi</c> or <c>en</c>: the language of every title, label and finding.</param>
/// <param name="Title">The report's title.</param>
/// <param name="PeriodStart">1 January 00:00 UTC+7 of the year.</param>
/// <param name="PeriodEnd">1 January 00:00 UTC+7 of the next year (exclusive).</param>
/// <param name="Movements">The emulation movements the year's awards were conferred under, such as "Quyết thắng".</param>
/// <param name="Sections">The report's sections in order, each with the keys of its figures.</param>
/// <param name="Figures">What each figure key means, in order.</param>
/// <param name="Findings">The report's sentences, such as "SSCĐ duty was maintained all year", with the figures they rest on.</param>
/// <param name="ProvinceCommand">The province command's own units and duty posts (not part of any district).</param>
/// <param name="Districts">Each district with its communes and units, in Vietnamese alphabetical order.</param>
/// <param name="Total">The province in total: the province command and every district.</param>
/// <param name="Basis">Which events the report rests on, and when it was generated.</param>
/// <param name="Comparison">The year before, in total, when the store holds figures for it; null otherwise.</param>
/// <param name="FormerUnits">The units it counts that a reorganisation had dissolved by the year's end (Bắc Kạn's, in Thái Nguyên's 2025); null when there are none.</param>
public sealed record YearReport(
    string ProvinceId,
    string ProvinceName,
    int Year,
    string Language,
    string Title,
    DateTimeOffset PeriodStart,
    DateTimeOffset PeriodEnd,
    IReadOnlyList<string> Movements,
    IReadOnlyList<ReportSection> Sections,
    IReadOnlyList<ReportFigureDefinition> Figures,
    IReadOnlyList<ReportFinding> Findings,
    ReportColumn ProvinceCommand,
    IReadOnlyList<ReportColumn> Districts,
    ReportColumn Total,
    ReportBasis Basis,
    ReportComparison? Comparison = null,
    IReadOnlyList<ReportFormerUnit>? FormerUnits = null);

/// <summary>A unit the report counts that a reorganisation had dissolved by the year's end: its figures are in its successor's column.</summary>
/// <param name="UnitId">Its id.</param>
/// <param name="Name">Its name when it was dissolved.</param>
/// <param name="DissolvedAt">When.</param>
/// <param name="SuccessorId">The unit that carries on its history, or null.</param>
/// <param name="Order">The order that dissolved it.</param>
public sealed record ReportFormerUnit(string UnitId, string Name, DateTimeOffset DissolvedAt, string? SuccessorId, string? Order);

/// <summary>The year before the report's, for comparison: the province in total, counted the same way.</summary>
/// <param name="Year">The year before.</param>
/// <param name="Total">Its figures by key, each with the events it rests on.</param>
public sealed record ReportComparison(int Year, ReportColumn Total);

/// <summary>One section of the report, such as duty or awards.</summary>
public sealed record ReportSection(string Key, string Title, IReadOnlyList<string> FigureKeys);

/// <summary>What a figure key, such as <c>outreach.sessions</c>, means.</summary>
/// <param name="Key">The figure's key in every column's <see cref="ReportColumn.Figures"/>.</param>
/// <param name="Section">The key of the section it belongs to.</param>
/// <param name="Label">What it counts, in the report's language.</param>
/// <param name="Measure"><c>count</c>, or <c>share</c> for a fraction between 0 and 1 (duty coverage).</param>
public sealed record ReportFigureDefinition(string Key, string Section, string Label, string Measure);

/// <summary>A column of the report: the province command, a district, or the province in total.</summary>
/// <param name="UnitId">The unit id the column stands for (the province id for the province command and for the total).</param>
/// <param name="Name">Its registered name, or the report's word for the total.</param>
/// <param name="Figures">Every figure of the report by key; a figure nothing contributed to is 0 with no events.</param>
public sealed record ReportColumn(string UnitId, string Name, IReadOnlyDictionary<string, ReportFigure> Figures);

/// <summary>A figure and the events it was computed from.</summary>
/// <param name="Value">The figure: a count, or a share between 0 and 1.</param>
/// <param name="Events">The Marten ids of the events behind it, in the order they were recorded.</param>
public sealed record ReportFigure(double Value, IReadOnlyList<Guid> Events);

/// <summary>One of the report's sentences and the figures it rests on.</summary>
public sealed record ReportFinding(string Key, string Text, IReadOnlyList<string> FigureKeys);

/// <summary>What the report was computed from.</summary>
/// <param name="EventsRead">The events of the province's streams that were read.</param>
/// <param name="EventsCited">The distinct events at least one figure rests on.</param>
/// <param name="LastSequence">The newest event read, by global sequence: the report knows nothing recorded after it.</param>
/// <param name="LastRecordedAt">When that event was recorded.</param>
/// <param name="GeneratedAt">When the report was computed; duty coverage of a year not yet over runs to this moment.</param>
public sealed record ReportBasis(int EventsRead, int EventsCited, long LastSequence, DateTimeOffset? LastRecordedAt, DateTimeOffset GeneratedAt);

/// <summary>One event behind a figure of the report, as stored.</summary>
/// <param name="Id">The event's Marten id.</param>
/// <param name="Sequence">Its global sequence in the store.</param>
/// <param name="StreamKey">The stream it belongs to: a unit id, <c>exercise:</c> or <c>post:</c> and the id.</param>
/// <param name="Version">Its position in that stream.</param>
/// <param name="Type">The event type's name, such as <c>OutreachSessionHeld</c>.</param>
/// <param name="RecordedAt">When the store recorded it.</param>
/// <param name="Data">The event itself, with its <c>occurredAt</c>.</param>
public sealed record ReportEvidence(Guid Id, long Sequence, string StreamKey, long Version, string Type, DateTimeOffset RecordedAt, object Data);
