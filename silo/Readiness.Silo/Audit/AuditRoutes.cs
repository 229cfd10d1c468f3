using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Storage;
using Readiness.Silo.Admin;
using Microsoft.AspNetCore.Mvc;
using Readiness.Silo.Api;
using Readiness.Silo.Security;

namespace Readiness.Silo.Audit;

/// <summary>
/// What auditors ask: the recorded history with who, when and why, and whether the record still
/// is what was written.
/// </summary>
internal static class AuditRoutes
{
    private const long ImportBodyLimit = 4L * 1024 * 1024 * 1024;

    public static void MapAuditRoutes(this IEndpointRouteBuilder routes)
    {
        var audit = routes.MapGroup("/api").WithTags("Audit").RequireAuthorization(Policies.Audit);

        audit.MapGet("/history", (string? unit, string? exercise, string? post, [AsParameters] HistoryFilter filter, EventHistory history, HttpContext http, CancellationToken cancellationToken) =>
            {
                var named = new[] { (unit, (Func<string, string>)StreamKeys.Unit), (exercise, StreamKeys.Exercise), (post, StreamKeys.DutyPost) }
                    .Where(n => n.Item1 is not null).ToList();
                if (named.Count != 1)
                {
                    return Task.FromResult(Problems.Invalid("Name exactly one actor: ?unit=bac-kan/ba-be, ?exercise=… or ?post=…; for an area use /api/provinces/{provinceId}/history."));
                }
                var (id, key) = named[0];
                return UnitPath.Problem(id) is { } problem
                    ? Task.FromResult(Problems.Invalid(problem))
                    : Page(history, filter, key(id!), area: null, http, cancellationToken);
            })
            .Reads(ResourceScope.Named("unit", "exercise", "post"))
            .WithName("GetActorHistory")
            .WithSummary("One actor's recorded events, oldest first: ?unit=, ?exercise= or ?post=, with the same filters as the area history.")
            .Produces<HistoryPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        audit.MapGet("/provinces/{provinceId}/history", (string provinceId, string? district, [AsParameters] HistoryFilter filter, EventHistory history, HttpContext http, CancellationToken cancellationToken) =>
            {
                var area = district is null ? provinceId : $"{provinceId}/{district}";
                return UnitPath.Problem(area) is { } problem
                    ? Task.FromResult(Problems.Invalid(problem))
                    : Page(history, filter, stream: null, area, http, cancellationToken);
            })
            .Reads(ResourceScope.ProvinceOrDistrict)
            .WithName("GetAreaHistory")
            .WithSummary("The recorded events of a province, or of one district (?district=ba-be), in recording order, a page at a time.")
            .WithDescription("Filters: kind (repeatable: RecruitsEnlisted…), from/to (when it happened), recordedFrom/recordedTo (when it was recorded), after (the sequence to continue from; 'next' gives it), limit (1–1000, default 100).")
            .Produces<HistoryPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        audit.MapGet("/audit/verify", async (string? stream, string? area, ChainVerifier verifier, CancellationToken cancellationToken) =>
                area is not null && UnitPath.Problem(area) is { } problem
                    ? Problems.Invalid(problem)
                    : Results.Ok(await verifier.VerifyAsync(string.IsNullOrWhiteSpace(stream) ? null : stream, area, progress: null, cancellationToken)))
            .Reads(ResourceScope.Named("stream", "area"))
            .WithName("VerifyChains")
            .WithSummary("Recomputes the hash chain of every stream, of one (?stream=bac-kan/ba-be, exercise:…, post:…) or of an area's (?area=bac-kan/ba-be), and reports the first broken link of each.")
            .Produces<VerifyReport>();

        audit.MapGet("/audit/tree-heads", async (long? before, int? limit, MerkleLogReader log, CancellationToken cancellationToken) =>
            {
                if (before is <= 0)
                {
                    return Problems.Invalid("'before' is a tree size, a whole number above 0.");
                }
                if (limit is < 1 or > 1000)
                {
                    return Problems.Invalid("'limit' is from 1 to 1000.");
                }
                var take = limit ?? 100;
                var heads = await log.HeadsAsync(before, take + 1, cancellationToken);
                var more = heads.Count > take;
                var page = heads.Take(take).ToList();
                long? next = more ? page[^1].Size : null;
                return Results.Ok(new TreeHeadPage(page, next, next is null ? null : $"/api/audit/tree-heads?before={next}&limit={take}"));
            })
            .Reads(ResourceScope.Everything)
            .WithName("GetTreeHeads")
            .WithSummary("The signed heads of the Merkle log over every event, newest first (?before= a size, ?limit= 1–1000, 100 by default).")
            .Produces<TreeHeadPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        audit.MapGet("/audit/proof/inclusion", async ([FromQuery(Name = "event")] string? eventId, long? treeSize, MerkleLogReader log, CancellationToken cancellationToken) =>
            {
                if (!Guid.TryParse(eventId, out var id))
                {
                    return Problems.Invalid("Name the event by its id: ?event=<guid> (history and export give it).");
                }
                if (treeSize is <= 0)
                {
                    return Problems.Invalid("'treeSize' is the size of a signed tree head, a whole number above 0.");
                }
                var (proof, missing) = await log.InclusionAsync(id, treeSize, cancellationToken);
                return proof is null ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such proof.", detail: missing) : Results.Ok(proof);
            })
            .Reads(ResourceScope.Everything)
            .WithName("GetInclusionProof")
            .WithSummary("The audit path (RFC 9162) from an event's leaf to the root of a signed tree head: ?event=<id>&treeSize=<n> (the latest head when omitted).")
            .Produces<InclusionProof>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/audit/proof/consistency", async (long? from, long? to, MerkleLogReader log, CancellationToken cancellationToken) =>
            {
                if (from is not > 0 || to is not > 0 || from > to)
                {
                    return Problems.Invalid("Give two tree sizes, ?from=m&to=n with 0 < m ≤ n, each the size of a signed head.");
                }
                var (proof, missing) = await log.ConsistencyAsync(from.Value, to.Value, cancellationToken);
                return proof is null ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such proof.", detail: missing) : Results.Ok(proof);
            })
            .Reads(ResourceScope.Everything)
            .WithName("GetConsistencyProof")
            .WithSummary("The proof (RFC 9162) that the signed head of size ?to= extends the one of size ?from=.")
            .Produces<ConsistencyProof>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/provinces/{provinceId}/chain-heads", async (string provinceId, ChainVerifier verifier, CancellationToken cancellationToken) =>
                UnitPath.Problem(provinceId) is { } problem
                    ? Problems.Invalid(problem)
                    : Results.Ok(await verifier.HeadsAsync(provinceId, cancellationToken)))
            .Reads(ResourceScope.Province)
            .WithName("GetChainHeads")
            .WithSummary("The last hash of every stream of the province: kept elsewhere, they show any later change to the record.")
            .Produces<IReadOnlyList<ChainHead>>();
    }

    public static void MapArchiveRoutes(this IEndpointRouteBuilder routes)
    {
        var audit = routes.MapGroup("/api").WithTags("Audit");

        audit.MapGet("/export", async (string? area, EventArchive archive, HttpContext http, CancellationToken cancellationToken) =>
            {
                if (area is not null && UnitPath.Problem(area) is { } problem)
                {
                    await Problems.Invalid(problem).ExecuteAsync(http);
                    return;
                }
                http.Response.ContentType = EventArchive.MediaType;
                http.Response.Headers.ContentDisposition = $"attachment; filename=\"{(area ?? "all").Replace('/', '-')}.events.jsonl\"";
                await archive.ExportAsync(area, http.Response.Body, cancellationToken);
            })
            .RequireAuthorization(Policies.Audit)
            .Reads(ResourceScope.Named("area"))
            .WithName("ExportHistory")
            .WithSummary("The recorded history of an area (?area=bac-kan, or all) as CloudEvents in JSON lines, in recording order, with every event's metadata and hash.")
            .Produces(StatusCodes.Status200OK, contentType: EventArchive.MediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest);

        audit.MapPost("/import", async (HttpRequest request, EventArchive archive, ProjectionRebuilder rebuilder, CancellationToken cancellationToken) =>
            {
                ImportReport report;
                try
                {
                    report = await archive.ImportAsync(request.Body, cancellationToken);
                }
                catch (ImportRefusedException refused)
                {
                    return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The file does not verify; nothing was imported.",
                        detail: refused.Message, extensions: new Dictionary<string, object?> { ["line"] = refused.Line });
                }
                catch (InvalidOperationException notEmpty)
                {
                    return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The store is not empty.", detail: notEmpty.Message);
                }
                // Raw rows bypass the inline projections: fold every view from what was imported.
                await rebuilder.RebuildAsync([.. rebuilder.Targets.Keys], new RebuildProgress(), cancellationToken);
                return Results.Ok(report);
            })
            .RequireAuthorization(Policies.Administer)
            .WithMetadata(new RequestSizeLimitAttribute(ImportBodyLimit))
            .Reads(ResourceScope.Everything)
            .WithName("ImportHistory")
            .WithSummary("Takes an export (CloudEvents JSON lines) into an empty store: every stream's chain is checked first, and a file that does not verify is refused with its first bad line.")
            .Accepts<string>(EventArchive.MediaType)
            .Produces<ImportReport>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    internal sealed record HistoryFilter(
        string[]? Kind, DateTimeOffset? From, DateTimeOffset? To, DateTimeOffset? RecordedFrom, DateTimeOffset? RecordedTo, long? After, int? Limit);

    private static async Task<IResult> Page(EventHistory history, HistoryFilter filter, string? stream, string? area, HttpContext http, CancellationToken cancellationToken)
    {
        var limit = filter.Limit ?? EventHistory.DefaultPageSize;
        if (limit is < 1 or > EventHistory.MaxPageSize)
        {
            return Problems.Invalid($"limit is 1 to {EventHistory.MaxPageSize}.");
        }
        var types = new List<string>();
        foreach (var kind in filter.Kind ?? [])
        {
            if (EventRow.TypeOf(kind) is not { } type)
            {
                return Problems.Invalid($"Unknown event kind '{kind}'. Kinds: {string.Join(", ", EventRow.Kinds)}.");
            }
            types.Add(type);
        }
        var (events, nextAfter) = await history.PageAsync(
            new HistoryQuery(stream, area, types, filter.From, filter.To, filter.RecordedFrom, filter.RecordedTo, Math.Max(0, filter.After ?? 0), limit),
            cancellationToken);
        var next = nextAfter is { } after
            ? $"{http.Request.Path}{QueryWith(http.Request.Query, "after", after.ToString(System.Globalization.CultureInfo.InvariantCulture))}"
            : null;
        return Results.Ok(new HistoryPage(events, nextAfter, next));
    }

    private static string QueryWith(IQueryCollection query, string key, string value) =>
        Microsoft.AspNetCore.Http.QueryString.Create(
            query.Where(q => !string.Equals(q.Key, key, StringComparison.OrdinalIgnoreCase))
                .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
                .Append(new KeyValuePair<string, string?>(key, value))).ToString();
}
