using System.Globalization;
using System.Text;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Grains.YearEnd;

namespace Readiness.Silo.Api;

/// <summary>
/// The year-end report as one self-contained, printable HTML document: no script, no external
/// style, so it prints and archives the same everywhere. Every inserted string is escaped.
/// </summary>
internal static class YearReportHtml
{
    private const string Style = """
        :root { color-scheme: light; }
        body { font: 11pt/1.4 "Times New Roman", "Noto Serif", serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #111; }
        header { text-align: center; margin-bottom: 1.5rem; }
        header .issuer { font-weight: bold; text-transform: uppercase; }
        h1 { font-size: 15pt; margin: .6rem 0 .2rem; text-transform: uppercase; }
        h2 { font-size: 12.5pt; margin: 1.6rem 0 .5rem; border-bottom: 1px solid #999; }
        h3 { font-size: 11.5pt; margin: 1.1rem 0 .4rem; }
        table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; font-size: 10pt; }
        th, td { border: 1px solid #777; padding: .2rem .4rem; vertical-align: top; }
        th { background: #eee; font-weight: bold; text-align: center; }
        td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        tr.total td { font-weight: bold; background: #f6f6f6; }
        a { color: inherit; text-decoration: none; border-bottom: 1px dotted #666; }
        .ev { color: #666; font-size: 8pt; }
        ul.findings li { margin: .2rem 0; }
        footer { margin-top: 2rem; border-top: 1px solid #999; padding-top: .5rem; font-size: 9pt; color: #333; }
        @page { size: A4; margin: 15mm 12mm; }
        @media print {
          body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
          a { border-bottom: none; }
          h2 { break-after: avoid; }
          table { break-inside: auto; }
          tr { break-inside: avoid; }
          thead { display: table-header-group; }
        }
        """;

    public static string Render(YearReport report, YearReportText text, string evidenceBase, string jsonLink)
    {
        var labels = report.Figures.ToDictionary(f => f.Key, StringComparer.Ordinal);
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"").Append(E(report.Language)).Append("\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E(report.Title)).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n");

        html.Append("<header>\n<div class=\"issuer\">").Append(E(report.ProvinceName)).Append("</div>\n<h1>").Append(E(report.Title)).Append("</h1>\n")
            .Append("<div>").Append(E(text["period"])).Append(": ")
            .Append(E(Day(report.PeriodStart, text))).Append(" – ").Append(E(Day(report.PeriodEnd.AddTicks(-1), text))).Append("</div>\n</header>\n");

        html.Append("<section id=\"findings\">\n<h2>").Append(E(text["keyFigures"])).Append("</h2>\n<ul class=\"findings\">\n");
        foreach (var finding in report.Findings)
        {
            html.Append("<li>").Append(E(finding.Text)).Append("</li>\n");
        }
        html.Append("</ul>\n");

        // The real report's table: each figure for the province as a whole.
        var before = report.Comparison;
        html.Append("<table class=\"totals\">\n<thead><tr><th>").Append(E(text["column.what"])).Append("</th><th>")
            .Append(E(text.Total)).Append("</th>");
        if (before is not null)
        {
            html.Append("<th>").Append(E(string.Format(text.Culture, text["column.yearBefore"], before.Year))).Append("</th><th>").Append(E(text["column.change"])).Append("</th>");
        }
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var section in report.Sections)
        {
            html.Append("<tr><th colspan=\"").Append(before is null ? 2 : 4).Append("\" style=\"text-align:left\">").Append(E(section.Title)).Append("</th></tr>\n");
            foreach (var key in section.FigureKeys)
            {
                html.Append("<tr><td>").Append(E(labels[key].Label)).Append("</td>");
                Cell(html, report.Total, key, labels[key].Measure, text, evidenceBase, unitId: null);
                if (before is not null)
                {
                    Compare(html, report.Total, before.Total, key, labels[key].Measure, text);
                }
                html.Append("</tr>\n");
            }
        }
        html.Append("</tbody>\n</table>\n</section>\n");

        html.Append("<section id=\"awards\">\n<h2>").Append(E(text["awardsByKind"])).Append("</h2>\n<table>\n<thead><tr><th></th><th>")
            .Append(E(text["collectives"])).Append("</th><th>").Append(E(text["individuals"])).Append("</th></tr></thead>\n<tbody>\n");
        foreach (var kind in YearReportBuilder.Awards.Select(a => a.Kind).Distinct())
        {
            html.Append("<tr><td>").Append(E(text["award." + kind])).Append("</td>");
            foreach (var recipient in new[] { Contracts.RecipientKind.Collective, Contracts.RecipientKind.Individual })
            {
                var key = YearReportBuilder.AwardKey(kind, recipient);
                if (report.Total.Figures.ContainsKey(key) && labels.ContainsKey(key))
                {
                    Cell(html, report.Total, key, "count", text, evidenceBase, unitId: null);
                }
                else
                {
                    html.Append("<td class=\"n\">—</td>");
                }
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
        if (report.Movements.Count > 0 && report.Findings.FirstOrDefault(f => f.Key == "movement") is { } movement)
        {
            html.Append("<p>").Append(E(movement.Text)).Append("</p>\n");
        }
        html.Append("</section>\n");

        html.Append("<section id=\"districts\">\n<h2>").Append(E(text["byDistrict"])).Append("</h2>\n");
        var columns = new List<(ReportColumn Column, string Name, string? UnitId)> { (report.ProvinceCommand, text["provinceCommand"], report.ProvinceCommand.UnitId) };
        columns.AddRange(report.Districts.Select(d => (d, d.Name, (string?)d.UnitId)));
        columns.Add((report.Total, text.Total, null));
        foreach (var section in report.Sections)
        {
            html.Append("<h3>").Append(E(section.Title)).Append("</h3>\n<table>\n<thead><tr><th>").Append(E(text["column.unit"])).Append("</th>");
            foreach (var key in section.FigureKeys)
            {
                html.Append("<th>").Append(E(labels[key].Label)).Append("</th>");
            }
            html.Append("</tr></thead>\n<tbody>\n");
            foreach (var (column, name, unitId) in columns)
            {
                html.Append(unitId is null ? "<tr class=\"total\">" : "<tr>").Append("<td>").Append(E(name)).Append("</td>");
                foreach (var key in section.FigureKeys)
                {
                    Cell(html, column, key, labels[key].Measure, text, evidenceBase, unitId);
                }
                html.Append("</tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }
        html.Append("</section>\n");

        var basis = report.Basis;
        html.Append("<footer>\n<p>")
            .Append(E(string.Format(text.Culture, text["footer.basis"], text.Number(basis.EventsRead), basis.LastSequence.ToString(CultureInfo.InvariantCulture),
                basis.LastRecordedAt is { } recorded ? Moment(recorded, text) : "—", text.Number(basis.EventsCited))))
            .Append("</p>\n<p>").Append(E(string.Format(text.Culture, text["footer.generated"], Moment(basis.GeneratedAt, text)))).Append("</p>\n<p>");
        var trace = string.Format(text.Culture, text["footer.trace"], "\u0001");
        var cut = trace.IndexOf('\u0001', StringComparison.Ordinal);
        html.Append(E(trace[..cut])).Append("<a href=\"").Append(E(jsonLink)).Append("\">").Append(E(jsonLink)).Append("</a>").Append(E(trace[(cut + 1)..]))
            .Append("</p>\n<p>").Append(E(text["footer.years"])).Append("</p>\n</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Cell(StringBuilder html, ReportColumn column, string key, string measure, YearReportText text, string evidenceBase, string? unitId)
    {
        var figure = column.Figures[key];
        // A share of nothing (a district with no post of that kind) is no figure at all, not 0 %.
        var value = measure != "share" ? text.Number(figure.Value) : figure.Events.Count == 0 ? "—" : text.Percent(figure.Value);
        if (figure.Events.Count == 0)
        {
            html.Append("<td class=\"n\">").Append(E(value)).Append("</td>");
            return;
        }
        var link = $"{evidenceBase}?figure={Uri.EscapeDataString(key)}" + (unitId is null ? "" : $"&unit={Uri.EscapeDataString(unitId)}");
        var events = $"{text.Number(figure.Events.Count)} {text["events"]}";
        html.Append("<td class=\"n\"><a href=\"").Append(E(link)).Append("\" title=\"").Append(E(events)).Append("\" data-events=\"")
            .Append(figure.Events.Count.ToString(CultureInfo.InvariantCulture)).Append("\">").Append(E(value)).Append("</a></td>");
    }

    /// <summary>The year before's figure and the change to this year's: a signed count, or percentage points for a share.</summary>
    private static void Compare(StringBuilder html, ReportColumn now, ReportColumn before, string key, string measure, YearReportText text)
    {
        var then = before.Figures.TryGetValue(key, out var figure) ? figure.Value : 0;
        var change = (now.Figures.TryGetValue(key, out var current) ? current.Value : 0) - then;
        var shown = measure == "share"
            ? (change * 100).ToString("+0.##;-0.##;0", text.Culture) + " pp"
            : change.ToString("+#,0.##;-#,0.##;0", text.Culture);
        html.Append("<td class=\"num\">").Append(E(measure == "share" ? text.Percent(then) : text.Number(then))).Append("</td><td class=\"num\">")
            .Append(E(shown)).Append("</td>");
    }

    private static string Day(DateTimeOffset at, YearReportText text) =>
        at.ToOffset(CommandTime.Offset).ToString("d", text.Culture);

    private static string Moment(DateTimeOffset at, YearReportText text) =>
        at.ToOffset(CommandTime.Offset).ToString("g", text.Culture);

    /// <summary>Escapes text for HTML content and quoted attributes; the document is UTF-8, so nothing else needs encoding.</summary>
    private static string E(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }
        var escaped = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            _ = c switch
            {
                '&' => escaped.Append("&amp;"),
                '<' => escaped.Append("&lt;"),
                '>' => escaped.Append("&gt;"),
                '"' => escaped.Append("&quot;"),
                '\'' => escaped.Append("&#39;"),
                _ => escaped.Append(c),
            };
        }
        return escaped.ToString();
    }
}
