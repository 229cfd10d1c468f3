using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Domain.Integrity;
using Readiness.Store;
using Readiness.Grains.Structure;
using Readiness.Silo.Admin;
using Microsoft.AspNetCore.Mvc;
using Readiness.Silo.Http;
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

        audit.MapGet("/history", GetActorHistory)
            .Reads(ResourceScope.Named("unit", "exercise", "post"))
            .WithName("GetActorHistory")
            .WithSummary("One actor's recorded events, oldest first: ?unit=, ?exercise= or ?post=, with the same filters as the area history.")
            .Produces<HistoryPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        audit.MapGet("/provinces/{provinceId}/history", GetAreaHistory)
            .Reads(ResourceScope.ProvinceOrDistrict)
            .WithName("GetAreaHistory")
            .WithSummary("The recorded events of a province, or of one district or regional command (?district=ba-be), in recording order, a page at a time: "
                + "those of every unit it covered when they happened, its predecessors' included.")
            .WithDescription("Filters: kind (repeatable: RecruitsEnlisted…), from/to (when it happened), recordedFrom/recordedTo (when it was recorded), "
                + "after (the sequence to continue from; 'next' gives it), limit (1–1000, default 100). When the area's units are stored in several databases, "
                + "each numbering its events in its own sequence, ?database= names the one to read.")
            .Produces<HistoryPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/audit/verify", VerifyChains)
            .Reads(ResourceScope.Named("stream", "area"))
            .WithName("VerifyChains")
            .WithSummary("Recomputes the hash chain of every stream, of one (?stream=bac-kan/ba-be, exercise:…, post:…) or of an area's (?area=bac-kan/ba-be: "
                + "the streams of every unit it ever covered, its predecessors' included, in every database they are stored in), "
                + "and reports the first broken link of each. With provinces spread over several databases, the whole store is every database, "
                + "each with its own Merkle log; ?database= checks one.")
            .Produces<VerifyReport>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/audit/tree-heads", GetTreeHeads)
            .Reads(ResourceScope.Everything)
            .WithName("GetTreeHeads")
            .WithSummary("The signed heads of the Merkle log over every event, newest first (?before= a size, ?limit= 1–1000, 100 by default). " + LogDatabaseDescription)
            .Produces<TreeHeadPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/audit/proof/inclusion", GetInclusionProof)
            .Reads(ResourceScope.Everything)
            .WithName("GetInclusionProof")
            .WithSummary("The audit path (RFC 9162) from an event's leaf to the root of a signed tree head: ?event=<id>&treeSize=<n> (the latest head when omitted). "
                + LogDatabaseDescription)
            .Produces<InclusionProof>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/audit/proof/consistency", GetConsistencyProof)
            .Reads(ResourceScope.Everything)
            .WithName("GetConsistencyProof")
            .WithSummary("The proof (RFC 9162) that the signed head of size ?to= extends the one of size ?from=. " + LogDatabaseDescription)
            .Produces<ConsistencyProof>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/audit/imported-log", GetImportedLog)
            .Reads(ResourceScope.Everything)
            .WithName("GetImportedLog")
            .WithSummary("The source's Merkle log over the events an import brought in, recomputed from them as they are now, in the source's order "
                + "and under the sequences it gave them: its root at ?treeSize= (all imported when omitted) is the root of the source's signed head of that size, "
                + "when the import was of its whole store and nothing was changed since. " + LogDatabaseDescription)
            .Produces<ImportedLog>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/audit/imported-log/proof/inclusion", GetImportedInclusionProof)
            .Reads(ResourceScope.Everything)
            .WithName("GetImportedInclusionProof")
            .WithSummary("The audit path (RFC 9162) from an imported event's leaf, under the sequence its source gave it, to the root of the source's log "
                + "of ?treeSize= leaves: check it against the source's signed head of that size. " + LogDatabaseDescription)
            .Produces<InclusionProof>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapGet("/provinces/{provinceId}/chain-heads", GetChainHeads)
            .Reads(ResourceScope.Province)
            .WithName("GetChainHeads")
            .WithSummary("The last hash of every stream of the province, its predecessors' included: kept elsewhere, they show any later change to the record.")
            .Produces<IReadOnlyList<ChainHead>>();
    }

    public static void MapArchiveRoutes(this IEndpointRouteBuilder routes)
    {
        var audit = routes.MapGroup("/api").WithTags("Audit");

        audit.MapGet("/export", ExportHistory)
            .RequireAuthorization(Policies.Audit)
            .Reads(ResourceScope.Named("area"))
            .WithName("ExportHistory")
            .WithSummary("The recorded history of an area (?area=bac-kan: the whole streams of every unit it ever covered, its predecessors' included; or all) "
                + "as CloudEvents in JSON lines, in recording order, with every event's metadata and hash. "
                + "With provinces spread over several databases, 'all', and an area whose units are stored in several, is one database at a time: ?database=.")
            .Produces(StatusCodes.Status200OK, contentType: EventArchive.MediaType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        audit.MapPost("/import", ImportHistory)
            .RequireAuthorization(Policies.Administer)
            .WithMetadata(new RequestSizeLimitAttribute(ImportBodyLimit))
            .Reads(ResourceScope.Everything)
            .WithName("ImportHistory")
            .WithSummary("Takes an export (CloudEvents JSON lines) into an empty store: every stream's chain is checked first, and a file that does not verify is refused "
                + "with its first bad line. ?database= names the database to fill, the main one by default.")
            .WithDescription($"Given the source's signed tree head in the {EventArchive.HeadHeader} header (one head as /api/audit/tree-heads lists it) "
                + $"and the source's public keys in {EventArchive.KeysHeader} (its /.well-known/jwks.json), "
                + "the head's signature is checked and the source's Merkle log over the file's first events must give the head's root at its size, or the file is refused whole. "
                + "Without them only the chains, which have no key, are checked, and the report's 'checked' says so. Every event keeps its source's sequence beside its own.")
            .Accepts<string>(EventArchive.MediaType)
            .Produces<ImportReport>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static Task<IResult> GetActorHistory(
        string? unit, string? exercise, string? post, [AsParameters] HistoryFilter filter, AuditDatabases audits, HttpContext http, CancellationToken cancellationToken)
    {
        var named = new[] { (unit, (Func<string, string>)StreamKeys.Unit), (exercise, StreamKeys.Exercise), (post, StreamKeys.DutyPost) }
            .Where(n => n.Item1 is not null).ToList();
        if (named.Count != 1)
        {
            return Task.FromResult(Problems.Invalid(
                "Name exactly one actor: ?unit=bac-kan/ba-be, ?exercise=… or ?post=…; for an area use /api/provinces/{provinceId}/history."));
        }
        var (id, key) = named[0];
        return UnitPath.Problem(id) is { } problem
            ? Task.FromResult(Problems.Invalid(problem))
            : Page(audits.Of(StreamKeys.HomeOf(id!)).History, filter, key(id!), area: null, http, cancellationToken);
    }

    /// <summary>
    /// An area's history as the chain of command had it: the events of every unit it covered when they
    /// happened, those of the units merged into it included; an area the tree does not know is selected
    /// by its id as a path.
    /// </summary>
    private static async Task<IResult> GetAreaHistory(
        string provinceId, string? district, string? database, [AsParameters] HistoryFilter filter, AuditDatabases audits, ProvinceDatabases databases,
        ChainOfCommandCache chain, HttpContext http, CancellationToken cancellationToken)
    {
        var area = district is null ? provinceId : $"{provinceId}/{district}";
        if (UnitPath.Problem(area) is { } problem)
        {
            return Problems.Invalid(problem);
        }
        // Auditors' reads are few and must hold every unit registered before them: the tree is checked against the store first.
        var tree = await chain.RefreshAsync(force: true, cancellationToken);
        var parts = audits.Spread(area, tree);
        var part = OneDatabase(parts, area, database, "read", databases);
        if (part.Problem is { } spread)
        {
            return spread;
        }
        var over = tree.Knows(area) ? new AreaOverTime((stream, at) => tree.Covers([area], StreamKeys.OwnerOf(stream), at)) : null;
        return await Page(part.Audit!.History, filter, stream: null, part.Streams, http, cancellationToken, over);
    }

    /// <summary>
    /// The one database an area's history is read or exported from: each database numbers its events in
    /// its own sequence, so an area whose units are stored in several is taken one database at a time.
    /// </summary>
    private static (DatabaseAudit? Audit, StreamArea? Streams, IResult? Problem) OneDatabase(
        IReadOnlyList<(DatabaseAudit Audit, StreamArea Streams)> parts, string area, string? database, string verb, ProvinceDatabases databases)
    {
        var names = string.Join(", ", parts.Select(p => p.Audit.Database.Name));
        if (database is null)
        {
            return parts.Count == 1
                ? (parts[0].Audit, parts[0].Streams, null)
                : (null, null, Problems.Invalid($"The units of '{area}' are stored in several databases ({names}), each numbering its events in its own sequence; "
                    + $"{verb} one at a time with &database=."));
        }
        if (Problems.Databases(databases, database, out var unknown) is null)
        {
            return (null, null, unknown);
        }
        return parts.FirstOrDefault(p => p.Audit.Database.Name == database) is { Audit: not null } chosen
            ? (chosen.Audit, chosen.Streams, null)
            : (null, null, Problems.Invalid($"No unit of '{area}' is stored in database '{database}'; its units are stored in {names}."));
    }

    private static async Task<IResult> VerifyChains(
        string? stream, string? area, string? database, AuditDatabases audits, ProvinceDatabases databases, ChainOfCommandCache chain,
        CancellationToken cancellationToken)
    {
        if (area is not null && UnitPath.Problem(area) is { } problem)
        {
            return Problems.Invalid(problem);
        }
        var named = string.IsNullOrWhiteSpace(stream) ? null : stream;
        if (named is not null || area is not null)
        {
            if (database is not null || (named is not null && area is not null))
            {
                return Problems.Invalid("Name one stream, one area or one database: a stream is checked in the database it is stored in, "
                    + "an area in every database its units are stored in.");
            }
            if (named is not null)
            {
                return Results.Ok(await audits.Of(StreamKeys.HomeOf(named)).Verifier.VerifyAsync(named, null, progress: null, cancellationToken));
            }
            var parts = audits.Spread(area!, await chain.RefreshAsync(force: true, cancellationToken));
            var areaReports = new List<DatabaseVerifyReport>(parts.Count);
            foreach (var (audit, streams) in parts)
            {
                areaReports.Add(new DatabaseVerifyReport(audit.Database.Name, await audit.Verifier.VerifyAsync(null, streams, progress: null, cancellationToken)));
            }
            return Results.Ok(areaReports.Count == 1 ? areaReports[0].Report : ChainVerifier.Combine(areaReports));
        }
        if (Problems.Databases(databases, database, out var unknown) is not { } chosen)
        {
            return unknown!;
        }
        var reports = new List<DatabaseVerifyReport>(chosen.Count);
        foreach (var each in chosen)
        {
            reports.Add(new DatabaseVerifyReport(each.Name, await audits.For(each).Verifier.VerifyAsync(null, null, progress: null, cancellationToken)));
        }
        return Results.Ok(reports.Count == 1 ? reports[0].Report : ChainVerifier.Combine(reports));
    }

    private static async Task<IResult> GetTreeHeads(
        long? before, int? limit, string? database, AuditDatabases audits, ProvinceDatabases databases, CancellationToken cancellationToken)
    {
        if (LogOf(audits, databases, database, out var unknown) is not { } log)
        {
            return unknown!;
        }
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
        var also = database is null ? "" : $"&database={Uri.EscapeDataString(database)}";
        return Results.Ok(new TreeHeadPage(page, next, next is null ? null : $"/api/audit/tree-heads?before={next}&limit={take}{also}"));
    }

    private static Task<IResult> GetInclusionProof(
        [FromQuery(Name = "event")] string? eventId, long? treeSize, string? database, AuditDatabases audits, ProvinceDatabases databases, CancellationToken cancellationToken) =>
        InclusionProofAsync(eventId, treeSize, "a signed tree head", (log, id) => log.InclusionAsync(id, treeSize, cancellationToken), database, audits, databases);

    private static async Task<IResult> GetConsistencyProof(
        long? from, long? to, string? database, AuditDatabases audits, ProvinceDatabases databases, CancellationToken cancellationToken)
    {
        if (LogOf(audits, databases, database, out var unknown) is not { } log)
        {
            return unknown!;
        }
        if (from is not > 0 || to is not > 0 || from > to)
        {
            return Problems.Invalid("Give two tree sizes, ?from=m&to=n with 0 < m ≤ n, each the size of a signed head.");
        }
        var (proof, missing) = await log.ConsistencyAsync(from.Value, to.Value, cancellationToken);
        return proof is null ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such proof.", detail: missing) : Results.Ok(proof);
    }

    private static async Task<IResult> GetImportedLog(
        long? treeSize, string? database, AuditDatabases audits, ProvinceDatabases databases, CancellationToken cancellationToken)
    {
        if (LogOf(audits, databases, database, out var unknown) is not { } log)
        {
            return unknown!;
        }
        if (treeSize is <= 0)
        {
            return Problems.Invalid("'treeSize' is the size of a head of the source's log, a whole number above 0.");
        }
        var (imported, missing) = await log.ImportedAsync(treeSize, cancellationToken);
        return imported is null ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such log.", detail: missing) : Results.Ok(imported);
    }

    private static Task<IResult> GetImportedInclusionProof(
        [FromQuery(Name = "event")] string? eventId, long? treeSize, string? database, AuditDatabases audits, ProvinceDatabases databases, CancellationToken cancellationToken) =>
        InclusionProofAsync(eventId, treeSize, "a head of the source's log", (log, id) => log.ImportedInclusionAsync(id, treeSize, cancellationToken), database, audits, databases);

    /// <summary>An event's inclusion proof from the log the database keeps, or from the source's log recomputed over imported events.</summary>
    private static async Task<IResult> InclusionProofAsync(string? eventId, long? treeSize, string headOf,
        Func<MerkleLogReader, Guid, Task<(InclusionProof? Proof, string? Missing)>> prove, string? database, AuditDatabases audits, ProvinceDatabases databases)
    {
        if (LogOf(audits, databases, database, out var unknown) is not { } log)
        {
            return unknown!;
        }
        if (!Guid.TryParse(eventId, out var id))
        {
            return Problems.Invalid("Name the event by its id: ?event=<guid> (history and export give it).");
        }
        if (treeSize is <= 0)
        {
            return Problems.Invalid($"'treeSize' is the size of {headOf}, a whole number above 0.");
        }
        var (proof, missing) = await prove(log, id);
        return proof is null ? Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such proof.", detail: missing) : Results.Ok(proof);
    }

    private static async Task<IResult> GetChainHeads(string provinceId, AuditDatabases audits, ChainOfCommandCache chain, CancellationToken cancellationToken) =>
        UnitPath.Problem(provinceId) is { } problem
            ? Problems.Invalid(problem)
            : Results.Ok(await audits.ChainHeadsAsync(provinceId, await chain.RefreshAsync(force: true, cancellationToken), cancellationToken));

    private static async Task ExportHistory(
        string? area, string? database, AuditDatabases audits, ProvinceDatabases databases, ChainOfCommandCache chain, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (area is not null && UnitPath.Problem(area) is { } problem)
        {
            await Problems.Invalid(problem).ExecuteAsync(http);
            return;
        }
        DatabaseAudit source;
        StreamArea? streams = null;
        if (area is not null)
        {
            var part = OneDatabase(audits.Spread(area, await chain.RefreshAsync(force: true, cancellationToken)), area, database, "export", databases);
            if (part.Problem is { } spread)
            {
                await spread.ExecuteAsync(http);
                return;
            }
            (source, streams) = (part.Audit!, part.Streams);
        }
        else if (database is null && databases.Several)
        {
            // An archive is one database's record in its own sequence; a silent part of the country would mislead.
            await Problems.Invalid("The provinces are spread over several databases; export one at a time with "
                + $"?database= ({string.Join(", ", databases.All.Select(d => d.Name))}), or an area with ?area=.").ExecuteAsync(http);
            return;
        }
        else if (Problems.Databases(databases, database, out var unknown) is not { } chosen)
        {
            await unknown!.ExecuteAsync(http);
            return;
        }
        else
        {
            source = audits.For(chosen[0]);
        }
        http.Response.ContentType = EventArchive.MediaType;
        var name = area ?? (source.Database.IsMain && database is null ? "all" : source.Database.Name);
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{name.Replace('/', '-')}.events.jsonl\"";
        await source.Archive.ExportAsync(streams, http.Response.Body, cancellationToken);
    }

    private static async Task<IResult> ImportHistory(
        HttpRequest request, string? database, AuditDatabases audits, ProvinceDatabases databases, ProjectionRebuilder rebuilder, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (database is not null && Problems.Databases(databases, database, out var unknown) is null)
        {
            return unknown!;
        }
        var target = database is null ? databases.Main : databases.Named(database)!;
        if (SourceHeadOf(request, out var invalid) is var source && invalid is not null)
        {
            return invalid;
        }
        ImportReport report;
        try
        {
            report = await audits.For(target).Archive.ImportAsync(request.Body, clock.GetUtcNow(), source, cancellationToken);
        }
        catch (ImportRefusedException refused)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The file does not verify; nothing was imported.",
                detail: refused.Message, extensions: refused.Line is { } line ? new Dictionary<string, object?> { ["line"] = line } : null);
        }
        catch (InvalidOperationException notEmpty)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The store is not empty.", detail: notEmpty.Message);
        }
        // Raw rows bypass the inline projections: fold every view from what was imported.
        await rebuilder.RebuildAsync([.. rebuilder.Targets.Keys], new RebuildProgress(), cancellationToken, [target]);
        return Results.Ok(report);
    }

    /// <summary>The source's head and keys an import request carries, null when it carries neither; <paramref name="invalid"/> says what is wrong with them.</summary>
    private static SourceHead? SourceHeadOf(HttpRequest request, out IResult? invalid)
    {
        invalid = null;
        var head = request.Headers[EventArchive.HeadHeader].ToString();
        var keys = request.Headers[EventArchive.KeysHeader].ToString();
        if (head.Length == 0 && keys.Length == 0)
        {
            return null;
        }
        if (head.Length == 0 || keys.Length == 0)
        {
            invalid = Problems.Invalid($"Give the source's tree head ({EventArchive.HeadHeader}) and the keys to check its signature with ({EventArchive.KeysHeader}) together.");
            return null;
        }
        try
        {
            return new SourceHead(SignedHead.Read(head), keys);
        }
        catch (FormatException ex)
        {
            invalid = Problems.Invalid($"{EventArchive.HeadHeader}: {ex.Message}");
            return null;
        }
    }

    private const string LogDatabaseDescription = "Each database keeps a Merkle log of its own events: ?database= names it, the main one by default.";

    private static MerkleLogReader? LogOf(AuditDatabases audits, ProvinceDatabases databases, string? database, out IResult? unknown)
    {
        unknown = null;
        if (database is null)
        {
            return audits.Main.Log;
        }
        return Problems.Databases(databases, database, out unknown) is { } chosen ? audits.For(chosen[0]).Log : null;
    }

    internal sealed record HistoryFilter(
        string[]? Kind, DateTimeOffset? From, DateTimeOffset? To, DateTimeOffset? RecordedFrom, DateTimeOffset? RecordedTo, long? After, int? Limit);

    private static async Task<IResult> Page(EventHistory history, HistoryFilter filter, string? stream, StreamArea? area, HttpContext http, CancellationToken cancellationToken,
        AreaOverTime? over = null)
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
            new HistoryQuery(stream, area, types, filter.From, filter.To, filter.RecordedFrom, filter.RecordedTo, Math.Max(0, filter.After ?? 0), limit, over),
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
