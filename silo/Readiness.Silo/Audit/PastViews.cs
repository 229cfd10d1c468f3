using Marten;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Store;

namespace Readiness.Silo.Audit;

/// <summary>
/// A moment of the past in both times: <see cref="AsOf"/> keeps the events that had happened by
/// then, <see cref="KnownAt"/> those that had been recorded by then (what the command centre could
/// see). Either may be left out; neither means now.
/// </summary>
public sealed record Moment(DateTimeOffset? AsOf, DateTimeOffset? KnownAt)
{
    public bool IsNow => AsOf is null && KnownAt is null;

    /// <summary>Levels look back over a window, so they are computed for the moment asked about.</summary>
    public DateTimeOffset RatedAt(DateTimeOffset now) => AsOf ?? KnownAt ?? now;
}

/// <summary>
/// Views as they were: the same folds as the live projections, over the events the moment selects,
/// in recording order. The province starts from the nearest <see cref="RosterCheckpoint"/> instead
/// of replaying every stream. Each province's events are read from the database it lives in, whose
/// sequence numbers are its own.
/// </summary>
public sealed class PastViews(ProvinceDatabases databases)
{
    /// <summary>The last sequence of the province's database recorded by <paramref name="knownAt"/>, or the newest.</summary>
    public Task<long> SequenceKnownAtAsync(string provinceId, DateTimeOffset? knownAt, CancellationToken cancellationToken) =>
        databases.Of(provinceId).Events.SequenceKnownAtAsync(knownAt, cancellationToken);

    /// <summary>One unit with its own duty posts, as folded at the moment.</summary>
    public async Task<ProvinceRoster> UnitAsync(string unitId, Moment moment, CancellationToken cancellationToken)
    {
        var roster = new ProvinceRoster { Id = StreamKeys.HomeOf(unitId) };
        var known = await SequenceKnownAtAsync(roster.Id, moment.KnownAt, cancellationToken);
        await FoldAsync(roster, databases.Of(roster.Id).Events.UnitEventsAsync(unitId, moment.AsOf, known, cancellationToken));
        return roster;
    }

    /// <summary>One exercise or duty post stream, as folded at the moment.</summary>
    public async Task<ProvinceRoster> StreamAsync(string streamKey, Moment moment, CancellationToken cancellationToken)
    {
        var roster = new ProvinceRoster { Id = StreamKeys.HomeOf(streamKey) };
        var known = await SequenceKnownAtAsync(roster.Id, moment.KnownAt, cancellationToken);
        await FoldAsync(roster, databases.Of(roster.Id).Events.StreamEventsAsync(streamKey, moment.AsOf, known, cancellationToken));
        return roster;
    }

    /// <summary>The roster of each of <paramref name="homes"/> at the moment, in id order: what a province arranged by the tree then is gathered from.</summary>
    public async Task<IReadOnlyList<ProvinceRoster>> HomesAsync(IEnumerable<string> homes, Moment moment, CancellationToken cancellationToken)
    {
        var rosters = new List<ProvinceRoster>();
        foreach (var home in homes.Order(StringComparer.Ordinal))
        {
            rosters.Add(await ProvinceAsync(home, moment, cancellationToken));
        }
        return rosters;
    }

    /// <summary>The province at the moment: the nearest usable checkpoint, then the events it lacks.</summary>
    public async Task<ProvinceRoster> ProvinceAsync(string provinceId, Moment moment, CancellationToken cancellationToken)
    {
        var known = await SequenceKnownAtAsync(provinceId, moment.KnownAt, cancellationToken);
        var asOf = moment.AsOf?.UtcTicks ?? long.MaxValue;
        await using var session = databases.QuerySession(provinceId);
        var checkpoint = await session.Query<RosterCheckpoint>()
            .Where(c => c.ProvinceId == provinceId && c.AsOfTicks <= asOf && c.Sequence <= known)
            .OrderByDescending(c => c.AsOfTicks).ThenByDescending(c => c.Sequence)
            .FirstOrDefaultAsync(cancellationToken);
        return await ContinueAsync(provinceId, checkpoint, moment.AsOf, known, cancellationToken);
    }

    /// <summary>
    /// The province at each of <paramref name="moments"/> (oldest first), each exactly as
    /// <see cref="ProvinceAsync"/> would fold it, from one read of the history: a trend's points cost
    /// one query instead of one each.
    /// </summary>
    public async IAsyncEnumerable<(DateTimeOffset At, ProvinceRoster Roster)> ProvinceAtEachAsync(string provinceId, IReadOnlyList<DateTimeOffset> moments,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (moments.Count == 0)
        {
            yield break;
        }
        var known = await SequenceKnownAtAsync(provinceId, null, cancellationToken);
        var history = new List<PastEvent>();
        await foreach (var e in databases.Of(provinceId).Events.ProvinceEventsAsync(provinceId, null, null, [], moments[^1], known, cancellationToken))
        {
            history.Add(e);
        }
        foreach (var at in moments)
        {
            var bound = EventHeaders.Format(at);
            var roster = new ProvinceRoster { Id = provinceId };
            foreach (var e in history.Where(e => e.OccurredAt is not null && string.CompareOrdinal(e.OccurredAt, bound) <= 0))
            {
                roster.Record(e.Stream, e.Data, e.Version, e.Sequence, e.Timestamp, e.RecordedAt ?? Microseconds(e.Timestamp));
            }
            yield return (at, roster);
        }
    }

    /// <summary>The province folded from its first event: what every checkpoint must agree with.</summary>
    public Task<ProvinceRoster> ProvinceFromStartAsync(string provinceId, Moment moment, long known, CancellationToken cancellationToken) =>
        ContinueAsync(provinceId, checkpoint: null, moment.AsOf, known, cancellationToken);

    internal async Task<ProvinceRoster> ContinueAsync(string provinceId, RosterCheckpoint? checkpoint, DateTimeOffset? asOf, long known, CancellationToken cancellationToken)
    {
        var roster = checkpoint?.Roster ?? new ProvinceRoster { Id = provinceId };
        roster.Id = provinceId;
        var straddling = checkpoint?.Straddling.ToArray() ?? [];
        foreach (var stream in straddling)
        {
            roster.Forget(stream);
        }
        await FoldAsync(roster, databases.Of(provinceId).Events.ProvinceEventsAsync(provinceId, checkpoint?.Sequence, checkpoint?.AsOf, straddling, asOf, known, cancellationToken));
        return roster;
    }

    /// <summary>When the province's first event recorded up to <paramref name="sequence"/> happened.</summary>
    internal Task<DateTimeOffset?> FirstOccurredAsync(string provinceId, long sequence, CancellationToken cancellationToken) =>
        databases.Of(provinceId).Events.FirstOccurredAsync(provinceId, sequence, cancellationToken);

    /// <summary>
    /// The streams of a province that a checkpoint at (<paramref name="asOf"/>, <paramref name="sequence"/>)
    /// cannot be continued for: an event that happened by then was recorded after one that happened later.
    /// </summary>
    internal Task<List<string>> StraddlingAsync(string provinceId, DateTimeOffset asOf, long sequence, CancellationToken cancellationToken) =>
        databases.Of(provinceId).Events.StraddlingAsync(provinceId, asOf, sequence, cancellationToken);

    private static async Task FoldAsync(ProvinceRoster roster, IAsyncEnumerable<PastEvent> selected)
    {
        await foreach (var e in selected)
        {
            // The same recorded time the live views fold, so a view of the past agrees with the present one about it.
            roster.Record(e.Stream, e.Data, e.Version, e.Sequence, e.Timestamp, e.RecordedAt ?? Microseconds(e.Timestamp));
        }
    }

    private static DateTimeOffset Microseconds(DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);
}
