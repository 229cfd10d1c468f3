using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Readiness.Contracts;

namespace Readiness.Client;

/// <summary>
/// A moment to see a view at, in either or both of the two times an auditor asks about.
/// With neither set, the view is the current one.
/// </summary>
/// <param name="AsOf">The view as things were at this moment, by when they happened (the reports' <c>occurredAt</c>).</param>
/// <param name="KnownAt">The view from only the events recorded by this moment: what the command centre could see then.</param>
public sealed record PointInTime(DateTimeOffset? AsOf = null, DateTimeOffset? KnownAt = null)
{
    /// <summary>The current view: no moment set.</summary>
    public static readonly PointInTime Now = new();

    /// <summary>True when neither moment is set.</summary>
    public bool IsNow => AsOf is null && KnownAt is null;

    /// <summary>The query string this moment adds to a view's route: empty, or <c>?asOf=…&amp;knownAt=…</c>.</summary>
    /// <returns>The query, with its leading <c>?</c> when not empty.</returns>
    public string ToQuery()
    {
        var parts = new List<string>(2);
        if (AsOf is { } asOf)
        {
            parts.Add("asOf=" + ReadinessClient.FormatMoment(asOf));
        }
        if (KnownAt is { } knownAt)
        {
            parts.Add("knownAt=" + ReadinessClient.FormatMoment(knownAt));
        }
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

/// <summary>Whose history to read: one actor's stream, or every stream of a province or of one of its districts.</summary>
public sealed record HistoryScope
{
    private HistoryScope(string path, string description)
    {
        Path = path;
        Description = description;
    }

    /// <summary>The route and its scope parameter, relative to the API's base address.</summary>
    public string Path { get; }

    /// <summary>The scope in words, such as <c>unit bac-kan/ba-be/cho-ra</c>.</summary>
    public string Description { get; }

    /// <summary>One unit's stream.</summary>
    /// <param name="unitId">The unit's path id, such as <c>bac-kan/ba-be/cho-ra</c>.</param>
    /// <returns>The scope.</returns>
    public static HistoryScope Unit(string unitId) => Actor("unit", unitId);

    /// <summary>One exercise's stream.</summary>
    /// <param name="exerciseId">The exercise id, such as <c>bac-kan/ba-be/kvpt-2024</c>.</param>
    /// <returns>The scope.</returns>
    public static HistoryScope Exercise(string exerciseId) => Actor("exercise", exerciseId);

    /// <summary>One duty post's stream.</summary>
    /// <param name="postId">The post id, such as <c>bac-kan/ba-be/sscd</c>.</param>
    /// <returns>The scope.</returns>
    public static HistoryScope DutyPost(string postId) => Actor("post", postId);

    /// <summary>Every stream of a province (its units, exercises and duty posts), or of one district of it.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="district">The last level of a district's id, such as <c>ba-be</c>; the whole province when null.</param>
    /// <returns>The scope.</returns>
    public static HistoryScope Province(string provinceId, string? district = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provinceId);
        var path = $"api/provinces/{Uri.EscapeDataString(provinceId)}/history";
        return district is null
            ? new HistoryScope(path, $"province {provinceId}")
            : new HistoryScope($"{path}?district={Uri.EscapeDataString(district)}", $"district {provinceId}/{district}");
    }

    private static HistoryScope Actor(string parameter, string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return new HistoryScope($"api/history?{parameter}={Uri.EscapeDataString(id)}", $"{(parameter == "post" ? "duty post" : parameter)} {id}");
    }
}

/// <summary>Narrows a history: by kind of event, by when things happened, by when they were recorded; and the page size.</summary>
public sealed record HistoryFilter
{
    /// <summary>Event kinds to keep, such as <c>RecruitsEnlisted</c>; every kind when null or empty.</summary>
    public IReadOnlyList<string>? Kinds { get; init; }

    /// <summary>Keep events that happened at or after this moment (<c>occurredAt</c>).</summary>
    public DateTimeOffset? OccurredFrom { get; init; }

    /// <summary>Keep events that happened before this moment.</summary>
    public DateTimeOffset? OccurredTo { get; init; }

    /// <summary>Keep events recorded at or after this moment (the store's timestamp).</summary>
    public DateTimeOffset? RecordedFrom { get; init; }

    /// <summary>Keep events recorded before this moment.</summary>
    public DateTimeOffset? RecordedTo { get; init; }

    /// <summary>Events per page, 1 to 1000; the server's default (100) when null.</summary>
    public int? Limit { get; init; }

    internal string AppendTo(string path, long? after)
    {
        var query = new StringBuilder(path);
        void Add(string key, string value) =>
            query.Append(query.ToString().Contains('?', StringComparison.Ordinal) ? '&' : '?').Append(key).Append('=').Append(value);
        foreach (var kind in Kinds ?? [])
        {
            Add("kind", Uri.EscapeDataString(kind));
        }
        (string Key, DateTimeOffset? Value)[] moments =
            [("from", OccurredFrom), ("to", OccurredTo), ("recordedFrom", RecordedFrom), ("recordedTo", RecordedTo)];
        foreach (var (key, value) in moments)
        {
            if (value is { } moment)
            {
                Add(key, ReadinessClient.FormatMoment(moment));
            }
        }
        if (Limit is { } limit)
        {
            Add("limit", limit.ToString(CultureInfo.InvariantCulture));
        }
        if (after is { } sequence)
        {
            Add("after", sequence.ToString(CultureInfo.InvariantCulture));
        }
        return query.ToString();
    }
}

public sealed partial class ReadinessClient
{
    /// <summary>
    /// One page of recorded events, oldest first (by the store's sequence), each with when it happened,
    /// when it was recorded, who recorded it, its command, correlation and causation ids and its hash.
    /// </summary>
    /// <param name="scope">Whose history: <see cref="HistoryScope.Unit"/>, <see cref="HistoryScope.Province"/>, ….</param>
    /// <param name="filter">Kinds, time ranges and page size; everything, 100 a page, when null.</param>
    /// <param name="after">Continue after this sequence (a page's <see cref="HistoryPage.NextAfter"/>); from the start when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, with <see cref="HistoryPage.NextAfter"/> and <see cref="HistoryPage.Next"/> null on the last one.</returns>
    /// <exception cref="ReadinessApiException">400 for a malformed id, an unknown kind or a limit outside 1–1000.</exception>
    public Task<HistoryPage> GetHistoryPageAsync(HistoryScope scope, HistoryFilter? filter = null, long? after = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return Get<HistoryPage>((filter ?? new HistoryFilter()).AppendTo(scope.Path, after), cancellationToken);
    }

    /// <summary>
    /// Every recorded event of the scope that passes the filter, oldest first, fetching the next page
    /// (the link the server gives as <see cref="HistoryPage.Next"/>) only when the caller has read the previous one.
    /// </summary>
    /// <param name="scope">Whose history.</param>
    /// <param name="filter">Kinds, time ranges, and the size of each page fetched; everything, 100 a page, when null.</param>
    /// <param name="after">Start after this sequence; from the first event when null.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The events, in recording order.</returns>
    /// <exception cref="ReadinessApiException">400 for a malformed id, an unknown kind or a limit outside 1–1000.</exception>
    public async IAsyncEnumerable<HistoryEntry> ReadHistoryAsync(HistoryScope scope, HistoryFilter? filter = null, long? after = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var page = await GetHistoryPageAsync(scope, filter, after, cancellationToken);
        while (true)
        {
            foreach (var entry in page.Events)
            {
                yield return entry;
            }
            if (page.Next is not { } next)
            {
                yield break;
            }
            // The server's link starts at /api; made relative, it keeps any path prefix of the base address (a reverse proxy's).
            page = await Get<HistoryPage>(next.TrimStart('/'), cancellationToken);
        }
    }

    /// <summary>
    /// Recomputes the hash chain of every stream, or of one stream, or of an area's streams, and
    /// reports whether each link holds, the first broken one, and how fast it ran.
    /// </summary>
    /// <param name="stream">One stream's key: a unit id such as <c>bac-kan/ba-be</c>, <c>exercise:…</c> or <c>post:…</c>; null for all.</param>
    /// <param name="area">A unit id whose subtree's streams (units, exercises, duty posts) to check, such as <c>bac-kan/ba-be</c>; null for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report: <see cref="VerifyReport.Intact"/>, counts, events per second, <see cref="VerifyReport.FirstBreak"/>.</returns>
    /// <exception cref="ReadinessApiException">400 for a malformed area.</exception>
    public Task<VerifyReport> VerifyAsync(string? stream = null, string? area = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>(2);
        if (!string.IsNullOrWhiteSpace(stream))
        {
            query.Add("stream=" + Uri.EscapeDataString(stream));
        }
        if (!string.IsNullOrWhiteSpace(area))
        {
            query.Add("area=" + Uri.EscapeDataString(area));
        }
        return Get<VerifyReport>("api/audit/verify" + (query.Count == 0 ? "" : "?" + string.Join('&', query)), cancellationToken);
    }

    /// <summary>
    /// Checks every chain of one database, and its Merkle log, where the provinces are spread over
    /// several; <see cref="VerifyAsync"/> with neither a stream nor an area checks every database.
    /// </summary>
    /// <param name="database">The database's name, such as <c>main</c>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="ReadinessApiException">404 for a database the silo does not know.</exception>
    public Task<VerifyReport> VerifyDatabaseAsync(string database, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return Get<VerifyReport>("api/audit/verify?database=" + Uri.EscapeDataString(database), cancellationToken);
    }

    /// <summary>
    /// The hash of the last event of every stream of a province. Kept outside the system (in the report
    /// sent upward), they reveal any later change to the record, even one made by a database superuser.
    /// </summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One head per stream.</returns>
    /// <exception cref="ReadinessApiException">400 for a malformed province id.</exception>
    public Task<IReadOnlyList<ChainHead>> GetChainHeadsAsync(string provinceId, CancellationToken cancellationToken = default) =>
        Get<IReadOnlyList<ChainHead>>($"api/provinces/{Uri.EscapeDataString(provinceId)}/chain-heads", cancellationToken);

    /// <summary>The Merkle log's signed tree heads, newest first, a page at a time.</summary>
    /// <param name="before">Only heads smaller than this size (a page's <see cref="TreeHeadPage.NextBefore"/>); null for the newest.</param>
    /// <param name="limit">1–1000 heads; 100 when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TreeHeadPage> GetTreeHeadsAsync(long? before = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>(2);
        if (before is { } size)
        {
            query.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"before={size}"));
        }
        if (limit is { } count)
        {
            query.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"limit={count}"));
        }
        return Get<TreeHeadPage>("api/audit/tree-heads" + (query.Count == 0 ? "" : "?" + string.Join('&', query)), cancellationToken);
    }

    /// <summary>The audit path from an event's leaf to the root of the signed head of <paramref name="treeSize"/> (the latest when null).</summary>
    /// <exception cref="ReadinessApiException">404 when the event is not in that head, or no head has that size.</exception>
    public Task<InclusionProof> GetInclusionProofAsync(Guid eventId, long? treeSize = null, CancellationToken cancellationToken = default) =>
        Get<InclusionProof>(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"api/audit/proof/inclusion?event={eventId}{(treeSize is { } size ? $"&treeSize={size}" : "")}"), cancellationToken);

    /// <summary>The proof that the signed head of size <paramref name="to"/> extends the one of size <paramref name="from"/>.</summary>
    /// <exception cref="ReadinessApiException">404 when either size is not that of a signed head.</exception>
    public Task<ConsistencyProof> GetConsistencyProofAsync(long from, long to, CancellationToken cancellationToken = default) =>
        Get<ConsistencyProof>(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"api/audit/proof/consistency?from={from}&to={to}"), cancellationToken);

    /// <summary>
    /// The source's Merkle log over the events an import brought into this store, recomputed from them as
    /// they are now under the sequences the source gave them: its <see cref="ImportedLog.Root"/> at
    /// <paramref name="treeSize"/> equals the root of the source's signed head of that size when the import
    /// was of the source's whole store and nothing was changed since.
    /// </summary>
    /// <param name="treeSize">The size of a head kept for the source; all imported events when null.</param>
    /// <param name="database">Where the provinces are spread over several databases, the one imported into; the main one when null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ReadinessApiException">404 when nothing was imported, or fewer events than <paramref name="treeSize"/>.</exception>
    public Task<ImportedLog> GetImportedLogAsync(long? treeSize = null, string? database = null, CancellationToken cancellationToken = default) =>
        Get<ImportedLog>("api/audit/imported-log" + ImportedLogQuery(treeSize, database, null), cancellationToken);

    /// <summary>
    /// The audit path from an imported event's leaf, under its source's sequence, to the root of the source's
    /// log of <paramref name="treeSize"/> leaves: check it against the source's signed head of that size.
    /// </summary>
    /// <exception cref="ReadinessApiException">404 when the event was not imported or lies after <paramref name="treeSize"/>.</exception>
    public Task<InclusionProof> GetImportedInclusionProofAsync(Guid eventId, long? treeSize = null, string? database = null, CancellationToken cancellationToken = default) =>
        Get<InclusionProof>("api/audit/imported-log/proof/inclusion" + ImportedLogQuery(treeSize, database, eventId), cancellationToken);

    private static string ImportedLogQuery(long? treeSize, string? database, Guid? eventId)
    {
        var query = new List<string>(3);
        if (eventId is { } id)
        {
            query.Add($"event={id}");
        }
        if (treeSize is { } size)
        {
            query.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"treeSize={size}"));
        }
        if (database is not null)
        {
            query.Add($"database={Uri.EscapeDataString(database)}");
        }
        return query.Count == 0 ? "" : "?" + string.Join('&', query);
    }

    /// <summary>A province's readiness view as it was at a moment, or as the record showed it at a moment.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="at">The moment: <see cref="PointInTime.AsOf"/>, <see cref="PointInTime.KnownAt"/>, or both.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view, rated at that moment.</returns>
    /// <exception cref="ReadinessApiException">404 when the province had not been registered by then.</exception>
    public Task<ProvinceReadinessView> GetProvinceReadinessAsync(string provinceId, PointInTime at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(at);
        return Get<ProvinceReadinessView>($"api/provinces/{Uri.EscapeDataString(provinceId)}/readiness{at.ToQuery()}", cancellationToken);
    }

    /// <summary>One district as it was at a moment, or as the record showed it at a moment.</summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="district">The last level of the district's id, such as <c>ba-be</c>.</param>
    /// <param name="at">The moment: <see cref="PointInTime.AsOf"/>, <see cref="PointInTime.KnownAt"/>, or both.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view, rated at that moment.</returns>
    /// <exception cref="ReadinessApiException">404 when the province or district is unknown at that moment.</exception>
    public Task<DistrictReadinessView> GetDistrictReadinessAsync(string provinceId, string district, PointInTime at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(at);
        return Get<DistrictReadinessView>(
            $"api/provinces/{Uri.EscapeDataString(provinceId)}/districts/{Uri.EscapeDataString(district)}{at.ToQuery()}", cancellationToken);
    }

    /// <summary>One unit's readiness as it was at a moment, or as the record showed it at a moment.</summary>
    /// <param name="unitId">The unit's path id, such as <c>bac-kan/ba-be/cho-ra</c>.</param>
    /// <param name="at">The moment: <see cref="PointInTime.AsOf"/>, <see cref="PointInTime.KnownAt"/>, or both.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The view, rated at that moment.</returns>
    /// <exception cref="ReadinessApiException">404 when the unit had not been registered by then.</exception>
    public Task<UnitReadinessView> GetUnitAsync(string unitId, PointInTime at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(at);
        return Get<UnitReadinessView>($"api/units/{unitId}{at.ToQuery()}", cancellationToken);
    }

    /// <summary>One exercise as it was at a moment, or as the record showed it at a moment.</summary>
    /// <param name="exerciseId">The exercise id, such as <c>bac-kan/ba-be/kvpt-2024</c>.</param>
    /// <param name="at">The moment: <see cref="PointInTime.AsOf"/>, <see cref="PointInTime.KnownAt"/>, or both.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The exercise.</returns>
    /// <exception cref="ReadinessApiException">404 when the exercise had not been planned by then.</exception>
    public Task<ExerciseView> GetExerciseAsync(string exerciseId, PointInTime at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(at);
        return Get<ExerciseView>($"api/exercises/{exerciseId}{at.ToQuery()}", cancellationToken);
    }

    /// <summary>One duty post as it was at a moment, or as the record showed it at a moment.</summary>
    /// <param name="postId">The post id, such as <c>bac-kan/ba-be/sscd</c>.</param>
    /// <param name="at">The moment: <see cref="PointInTime.AsOf"/>, <see cref="PointInTime.KnownAt"/>, or both.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The post.</returns>
    /// <exception cref="ReadinessApiException">404 when the post had not been established by then.</exception>
    public Task<DutyPostView> GetDutyPostAsync(string postId, PointInTime at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(at);
        return Get<DutyPostView>($"api/duty-posts/{postId}{at.ToQuery()}", cancellationToken);
    }

    // Round-trip form in UTC: no '+' for a query string to turn into a space, and exact to the tick.
    internal static string FormatMoment(DateTimeOffset moment) =>
        Uri.EscapeDataString(moment.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
}
