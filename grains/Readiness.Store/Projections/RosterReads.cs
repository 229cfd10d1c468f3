using Marten;
using Readiness.Domain;

namespace Readiness.Store.Projections;

/// <summary>How the views read the roster: a province composed of its parts, or the one part that holds an actor.</summary>
public static class RosterReads
{
    /// <summary>The province's roster, or null when nothing of it has been projected yet.</summary>
    public static async Task<ProvinceRoster?> ProvinceRosterAsync(this IQuerySession session, string provinceId, CancellationToken cancellationToken)
    {
        var parts = await session.RosterPartsAsync(provinceId, cancellationToken);
        return parts.Count == 0 ? null : ProvinceRoster.Compose(provinceId, parts);
    }

    /// <summary>The stored parts of one province, by their indexed <c>province_id</c>.</summary>
    public static Task<IReadOnlyList<ProvinceRoster>> RosterPartsAsync(this IQuerySession session, string provinceId, CancellationToken cancellationToken) =>
        session.Query<ProvinceRoster>().Where(r => r.ProvinceId == provinceId).ToListAsync(cancellationToken);

    /// <summary>The rosters of these provinces (every province when null), each composed of its parts, in id order.</summary>
    public static async Task<IReadOnlyList<ProvinceRoster>> ProvinceRostersAsync(this IQuerySession session, IReadOnlyCollection<string>? provinceIds, CancellationToken cancellationToken)
    {
        var parts = provinceIds is null
            ? await session.Query<ProvinceRoster>().ToListAsync(cancellationToken)
            : await session.Query<ProvinceRoster>().Where(r => provinceIds.Contains(r.ProvinceId)).ToListAsync(cancellationToken);
        return [.. parts.GroupBy(p => p.ProvinceId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => ProvinceRoster.Compose(g.Key, g))];
    }

    /// <summary>
    /// The rosters of these provinces (every province when null), from whichever database each lives in,
    /// in id order. A database whose read fails is skipped when <paramref name="skipWhen"/> says so (and
    /// its failure thrown otherwise): a job over the whole country need not wait for one database.
    /// </summary>
    public static async Task<IReadOnlyList<ProvinceRoster>> ProvinceRostersAsync(this ProvinceDatabases databases, IReadOnlyCollection<string>? provinceIds,
        CancellationToken cancellationToken, Func<ProvinceDatabase, Exception, bool>? skipWhen = null)
    {
        var rosters = new List<ProvinceRoster>();
        var asked = provinceIds is null ? databases.All.Select(d => (d, (string[]?)null)) : databases.Split(provinceIds).Select(s => (s.Database, (string[]?)s.Provinces));
        foreach (var (database, provinces) in asked)
        {
            try
            {
                await using var session = database.Sessions.QuerySession();
                // A roster left in a database the map no longer gives its province to is not the province's.
                rosters.AddRange((await session.ProvinceRostersAsync(provinces, cancellationToken)).Where(r => databases.Of(r.Id) == database));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && skipWhen?.Invoke(database, ex) == true)
            {
            }
        }
        return [.. rosters.OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    /// <summary>Every province with something projected.</summary>
    public static async Task<IReadOnlyList<string>> ProvinceIdsAsync(this IQuerySession session, CancellationToken cancellationToken) =>
        [.. (await session.Query<ProvinceRoster>().Select(r => r.ProvinceId).Distinct().ToListAsync(cancellationToken)).Order(StringComparer.Ordinal)];

    /// <summary>
    /// The part of the roster that holds this stream's actor, once it has folded every event the
    /// stream held when asked, or null. One actor's view reads its own writes: whoever was told a
    /// command was applied sees it in the actor's view, although the roster is projected behind the
    /// commits. A unit's duty posts are in the same part, folded as far as the daemon has come: a
    /// unit's view waits for the unit's own events, not its posts'. It waits for the projection up to <paramref name="patience"/>
    /// and then answers with what is projected.
    /// </summary>
    /// <remarks><paramref name="versionIn"/> reads the actor's version as folded into a part, or null when the part does not hold it yet.</remarks>
    public static async Task<ProvinceRoster?> CaughtUpRosterPartAsync(this IQuerySession session, string streamKey, Func<ProvinceRoster, long?> versionIn,
        TimeSpan patience, CancellationToken cancellationToken)
    {
        var partId = StreamKeys.RosterPartOf(streamKey);
        var stream = await session.Events.FetchStreamStateAsync(streamKey, cancellationToken);
        var deadline = DateTimeOffset.UtcNow + patience;
        while (true)
        {
            var part = await session.LoadAsync<ProvinceRoster>(partId, cancellationToken);
            if (stream is null || (part is not null && versionIn(part) >= stream.Version) || DateTimeOffset.UtcNow >= deadline)
            {
                return part;
            }
            // The daemon polls every 50 ms when busy; a little less finds the batch soon after it lands.
            await Task.Delay(PollWhileBehind, cancellationToken);
        }
    }

    private static readonly TimeSpan PollWhileBehind = TimeSpan.FromMilliseconds(20);
}
