using Marten;
using Npgsql;
using Readiness.Domain;
using Readiness.Grains.Projections;
using Readiness.Grains.Storage;

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
/// of replaying every stream.
/// </summary>
public sealed class PastViews(NpgsqlDataSource database, IDocumentStore store)
{
    private readonly Marten.ISerializer serializer = store.Options.Serializer();

    /// <summary>The last global sequence recorded by <paramref name="knownAt"/>, or the newest.</summary>
    public async Task<long> SequenceKnownAtAsync(DateTimeOffset? knownAt, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT coalesce(max(seq_id), 0) FROM {ReadinessStore.Schema}.mt_events WHERE (@knownAt::timestamptz IS NULL OR timestamp <= @knownAt)");
        // Npgsql writes timestamptz from UTC values only.
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("knownAt", knownAt?.ToUniversalTime()));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>One unit with its own duty posts, as folded at the moment.</summary>
    public async Task<ProvinceRoster> UnitAsync(string unitId, Moment moment, CancellationToken cancellationToken)
    {
        var roster = new ProvinceRoster { Id = UnitPath.ProvinceOf(unitId) };
        var known = await SequenceKnownAtAsync(moment.KnownAt, cancellationToken);
        await FoldAsync(roster, """
            (stream_id = @unit OR (stream_id LIKE @posts AND stream_id NOT LIKE @deeper))
            """, command =>
            {
                command.Parameters.Add(new NpgsqlParameter<string>("unit", StreamKeys.Unit(unitId)));
                command.Parameters.Add(new NpgsqlParameter<string>("posts", StreamKeys.DutyPost(unitId) + "/%"));
                command.Parameters.Add(new NpgsqlParameter<string>("deeper", StreamKeys.DutyPost(unitId) + "/%/%"));
            }, moment.AsOf, known, cancellationToken);
        return roster;
    }

    /// <summary>One exercise or duty post stream, as folded at the moment.</summary>
    public async Task<ProvinceRoster> StreamAsync(string streamKey, Moment moment, CancellationToken cancellationToken)
    {
        var roster = new ProvinceRoster { Id = StreamKeys.ProvinceOf(streamKey) };
        var known = await SequenceKnownAtAsync(moment.KnownAt, cancellationToken);
        await FoldAsync(roster, "stream_id = @stream",
            command => command.Parameters.Add(new NpgsqlParameter<string>("stream", streamKey)),
            moment.AsOf, known, cancellationToken);
        return roster;
    }

    /// <summary>The province at the moment: the nearest usable checkpoint, then the events it lacks.</summary>
    public async Task<ProvinceRoster> ProvinceAsync(string provinceId, Moment moment, CancellationToken cancellationToken)
    {
        var known = await SequenceKnownAtAsync(moment.KnownAt, cancellationToken);
        var asOf = moment.AsOf?.UtcTicks ?? long.MaxValue;
        await using var session = store.QuerySession();
        var checkpoint = await session.Query<RosterCheckpoint>()
            .Where(c => c.ProvinceId == provinceId && c.AsOfTicks <= asOf && c.Sequence <= known)
            .OrderByDescending(c => c.AsOfTicks).ThenByDescending(c => c.Sequence)
            .FirstOrDefaultAsync(cancellationToken);
        return await ContinueAsync(provinceId, checkpoint, moment.AsOf, known, cancellationToken);
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
        await FoldAsync(roster, $"""
            {EventHistory.AreaFilter("stream_id")}
            AND (@checkpointSequence::bigint IS NULL
                 OR stream_id = ANY(@straddling)
                 OR seq_id > @checkpointSequence
                 OR headers->>'{EventHeaders.OccurredAt}' > @checkpointAsOf)
            """, command =>
            {
                EventHistory.AddAreaParameters(command, provinceId);
                command.Parameters.Add(new NpgsqlParameter<long?>("checkpointSequence", checkpoint?.Sequence));
                command.Parameters.Add(new NpgsqlParameter<string[]>("straddling", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = straddling });
                command.Parameters.Add(new NpgsqlParameter<string?>("checkpointAsOf", checkpoint is null ? null : EventHeaders.Format(checkpoint.AsOf)));
            }, asOf, known, cancellationToken);
        return roster;
    }

    /// <summary>When the province's first event recorded up to <paramref name="sequence"/> happened.</summary>
    internal async Task<DateTimeOffset?> FirstOccurredAsync(string provinceId, long sequence, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT min(headers->>'{EventHeaders.OccurredAt}') FROM {ReadinessStore.Schema}.mt_events
            WHERE seq_id <= @sequence AND {EventHistory.AreaFilter("stream_id")}
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("sequence", sequence));
        EventHistory.AddAreaParameters(command, provinceId);
        return await command.ExecuteScalarAsync(cancellationToken) is string first
            ? DateTimeOffset.Parse(first, System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>
    /// The streams of a province that a checkpoint at (<paramref name="asOf"/>, <paramref name="sequence"/>)
    /// cannot be continued for: an event that happened by then was recorded after one that happened later.
    /// </summary>
    internal async Task<List<string>> StraddlingAsync(string provinceId, DateTimeOffset asOf, long sequence, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT DISTINCT stream_id FROM (
              SELECT stream_id, headers->>'{EventHeaders.OccurredAt}' AS occurred,
                     max(headers->>'{EventHeaders.OccurredAt}') OVER (PARTITION BY stream_id ORDER BY version
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_before
              FROM {ReadinessStore.Schema}.mt_events
              WHERE seq_id <= @sequence AND {EventHistory.AreaFilter("stream_id")}) events
            WHERE occurred <= @asOf AND latest_before > @asOf
            ORDER BY stream_id
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("sequence", sequence));
        command.Parameters.Add(new NpgsqlParameter<string>("asOf", EventHeaders.Format(asOf)));
        EventHistory.AddAreaParameters(command, provinceId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var streams = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            streams.Add(reader.GetString(0));
        }
        return streams;
    }

    private async Task FoldAsync(ProvinceRoster roster, string scope, Action<NpgsqlCommand> parameters, DateTimeOffset? asOf, long known, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT seq_id, stream_id, version, type, data, timestamp FROM {ReadinessStore.Schema}.mt_events
            WHERE seq_id <= @known
              AND (@asOf::text IS NULL OR headers->>'{EventHeaders.OccurredAt}' <= @asOf)
              AND {scope}
            ORDER BY seq_id
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("known", known));
        command.Parameters.Add(new NpgsqlParameter<string?>("asOf", asOf is { } at && at != DateTimeOffset.MaxValue ? EventHeaders.Format(at) : null));
        parameters(command);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (EventRow.ClrTypeOf(reader.GetString(3)) is not { } type)
            {
                continue;
            }
            var data = serializer.FromJson(type, reader, 4);
            roster.Record(reader.GetString(1), data, reader.GetInt64(2), reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(5));
        }
    }
}
