using JasperFx.Events;
using Marten;
using Marten.Events;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Grains.YearEnd;
using Readiness.Store;
using Readiness.Grains.Structure;
using Readiness.Silo.Http;
using Readiness.Silo.Security;

namespace Readiness.Silo.Api;

/// <summary>
/// The year-end report, computed on request from the province's events (not from the projected
/// roster) so that each figure can cite them, and so that it never lags the store.
/// </summary>
internal static class ReportRoutes
{
    public static void MapReportRoutes(this IEndpointRouteBuilder routes)
    {
        var reports = routes.MapGroup("/api").WithTags("Reports").RequireAuthorization(Policies.View).Reads(ResourceScope.Province);

        reports.MapGet("/provinces/{provinceId}/reports/{year}", GetYearReport)
            .WithName("GetYearReport")
            .WithSummary("The province's year-end local-defence report: the real report's figures by district and in total, awards by kind, each figure with the ids of its events.")
            .WithDescription("JSON by default; printable HTML with ?format=html or 'Accept: text/html'. ?lang=vi (default) or en. Years are counted in Vietnam time (UTC+7).")
            .Produces<YearReport>()
            .Produces(StatusCodes.Status200OK, contentType: "text/html")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        reports.MapGet("/provinces/{provinceId}/reports/{year}/events", GetYearReportEvents)
            .WithName("GetYearReportEvents")
            .WithSummary("The events behind one figure of the year-end report (?figure=outreach.sessions&unit=bac-kan/ba-be; without 'unit', the province total).")
            .Produces<IReadOnlyList<ReportEvidence>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> GetYearReport(HttpContext http, string provinceId, string year, string? lang, string? format,
        ProvinceDatabases databases, ChainOfCommandCache chain, ReadinessClock clock, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        if (Parse(year, lang, format, http, now, out var request) is { } problem)
        {
            return problem;
        }
        var (number, text, html) = request;
        if (await Read(databases, chain, provinceId, number, now, text, cancellationToken) is not { } read)
        {
            return UnknownProvince(provinceId);
        }
        return html
            ? Results.Content(YearReportHtml.Render(read.Report, text, EvidenceBase(provinceId, number), JsonLink(provinceId, number, text)), "text/html; charset=utf-8")
            : Results.Ok(read.Report);
    }

    private static async Task<IResult> GetYearReportEvents(HttpContext http, string provinceId, string year, string? figure, string? unit,
        ProvinceDatabases databases, ChainOfCommandCache chain, ReadinessClock clock, CancellationToken cancellationToken)
    {
        var now = clock.UtcNow;
        if (Parse(year, null, "json", http, now, out var request) is { } problem)
        {
            return problem;
        }
        var number = request.Year;
        if (await Read(databases, chain, provinceId, number, now, YearReportText.Vietnamese, cancellationToken) is not { } read)
        {
            return UnknownProvince(provinceId);
        }
        var report = read.Report;
        var column = unit is null || unit == "total" ? report.Total
            : unit == provinceId ? report.ProvinceCommand
            : report.Districts.FirstOrDefault(d => d.UnitId == unit || d.UnitId == $"{provinceId}/{unit}");
        if (column is null)
        {
            return Bad($"'{unit}' is not a column of the report: use a district's id such as '{provinceId}/ba-be', "
                + $"'{provinceId}' for the province command's own units, or leave 'unit' out for the province total.");
        }
        if (figure is null || !column.Figures.TryGetValue(figure, out var value))
        {
            return Bad($"'{figure}' is not a figure of the report: use one of the keys of its 'figures', such as 'outreach.sessions'.");
        }
        var byId = read.Events.ToDictionary(e => e.Id);
        return Results.Ok(value.Events.Select(id => byId[id]).Select(e =>
            new ReportEvidence(e.Id, e.Sequence, e.StreamKey!, e.Version, e.Data.GetType().Name, e.Timestamp, e.Data)).ToList());
    }

    private readonly record struct ReportRequest(int Year, YearReportText Text, bool Html);

    private sealed record ReadReport(YearReport Report, IReadOnlyList<IEvent> Events);

    /// <summary>Null when the request is valid (and then <paramref name="request"/> says what was asked for), else the 400 problem.</summary>
    private static IResult? Parse(string year, string? lang, string? format, HttpContext http, DateTimeOffset now, out ReportRequest request)
    {
        request = default;
        if (CommandTime.ReportYearProblem(year, now, out var number) is { } yearProblem)
        {
            return Bad(yearProblem);
        }
        if (YearReportText.For(lang) is not { } text)
        {
            return Bad($"'{lang}' is not a language of the report: use 'vi' (the default) or 'en'.");
        }
        bool? html = format?.Trim().ToLowerInvariant() switch
        {
            null or "" => http.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)),
            "json" => false,
            "html" => true,
            _ => null,
        };
        if (html is null)
        {
            return Bad($"'{format}' is not a format of the report: use 'json' (the default) or 'html'.");
        }
        request = new ReportRequest(number, text, html.Value);
        return null;
    }

    /// <summary>
    /// The report, shaped by the chain of command: the events of every unit the year (and the year
    /// before, for the comparison) counts, read from each roster's database they are stored in, by
    /// the first level of their ids, and kept when the shape counts their stream.
    /// </summary>
    private static async Task<ReadReport?> Read(ProvinceDatabases databases, ChainOfCommandCache chain, string provinceId, int year, DateTimeOffset now,
        YearReportText text, CancellationToken cancellationToken)
    {
        var tree = await chain.KnowingAsync([provinceId], cancellationToken);
        if (!tree.Knows(provinceId))
        {
            return null;
        }
        var homes = new[] { year - 1, year }
            .Select(y => RosterArrangement.Over(tree, provinceId, CommandTime.StartOfYear(y), CommandTime.StartOfYear(y + 1)))
            .OfType<RosterArrangement>()
            .SelectMany(a => a.Homes)
            .Append(StreamKeys.HomeOf(provinceId))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var types = YearReportBuilder.EventTypes.ToArray();
        var events = new List<IEvent>();
        foreach (var home in homes)
        {
            await using var session = databases.QuerySession(home);
            var prefix = home + "/";
            var exercises = StreamKeys.Exercise(prefix);
            var posts = StreamKeys.DutyPost(prefix);
            events.AddRange(await session.Events.QueryAllRawEvents()
                .Where(e => e.StreamKey == home || e.StreamKey!.StartsWith(prefix) || e.StreamKey!.StartsWith(exercises) || e.StreamKey!.StartsWith(posts))
                .Where(e => e.EventTypesAre(types))
                .OrderBy(e => e.Sequence)
                .ToListAsync(cancellationToken));
        }
        // A unit registered a moment ago, on this silo or another, is placed by a tree that knows it.
        tree = await chain.KnowingAsync(events.Select(e => e.Data).OfType<UnitRegistered>().Select(r => r.UnitId), cancellationToken);
        var stored = events.Select(e => new StoredEvent(e.Id, e.Sequence, e.StreamKey!, e.Version, e.Timestamp, e.Data));
        return new ReadReport(YearReportBuilder.Build(provinceId, year, stored, now, text, y => ReportShape.Of(tree, provinceId, y)), [.. events]);
    }

    private static string EvidenceBase(string provinceId, int year) =>
        $"/api/provinces/{Uri.EscapeDataString(provinceId)}/reports/{year}/events";

    private static string JsonLink(string provinceId, int year, YearReportText text) =>
        $"/api/provinces/{Uri.EscapeDataString(provinceId)}/reports/{year}?format=json&lang={text.Language}";

    private static IResult Bad(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.", detail: detail);

    private static IResult UnknownProvince(string provinceId) =>
        Problems.NotFound("Unknown province.", $"No province '{provinceId}' has been registered (the demo province is 'bac-kan').");
}
