using Npgsql;
using NpgsqlTypes;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Storage;

namespace Readiness.Silo.Audit;

/// <summary>What an auditor asks of the history: one actor's stream, or an area's, narrowed by kind and time.</summary>
public sealed record HistoryQuery(
    string? Stream,
    string? Area,
    IReadOnlyList<string> Types,
    DateTimeOffset? OccurredFrom,
    DateTimeOffset? OccurredTo,
    DateTimeOffset? RecordedFrom,
    DateTimeOffset? RecordedTo,
    long After,
    int Limit);

/// <summary>Reads the recorded events a page at a time, in recording order, with their metadata.</summary>
public sealed class EventHistory(NpgsqlDataSource database)
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public async Task<(IReadOnlyList<HistoryEntry> Events, long? NextAfter)> PageAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT {EventRow.Columns} FROM {ReadinessStore.Schema}.mt_events
            WHERE seq_id > @after
              AND (@stream::text IS NULL OR stream_id = @stream)
              AND (@area::text IS NULL OR {AreaFilter("stream_id")})
              AND (cardinality(@types) = 0 OR type = ANY(@types))
              AND (@occurredFrom::text IS NULL OR headers->>'{EventHeaders.OccurredAt}' >= @occurredFrom)
              AND (@occurredTo::text IS NULL OR headers->>'{EventHeaders.OccurredAt}' < @occurredTo)
              AND (@recordedFrom::timestamptz IS NULL OR timestamp >= @recordedFrom)
              AND (@recordedTo::timestamptz IS NULL OR timestamp < @recordedTo)
            ORDER BY seq_id
            LIMIT @limit
            """);
        command.Parameters.Add(new NpgsqlParameter<long>("after", query.After));
        command.Parameters.Add(new NpgsqlParameter<string?>("stream", query.Stream));
        AddAreaParameters(command, query.Area);
        command.Parameters.Add(new NpgsqlParameter<string[]>("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = [.. query.Types] });
        command.Parameters.Add(new NpgsqlParameter<string?>("occurredFrom", query.OccurredFrom is { } f ? EventHeaders.Format(f) : null));
        command.Parameters.Add(new NpgsqlParameter<string?>("occurredTo", query.OccurredTo is { } t ? EventHeaders.Format(t) : null));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("recordedFrom", query.RecordedFrom?.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?>("recordedTo", query.RecordedTo?.ToUniversalTime()));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", query.Limit + 1));

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<HistoryEntry>(Math.Min(query.Limit, 256));
        var more = false;
        while (await reader.ReadAsync(cancellationToken))
        {
            if (events.Count == query.Limit)
            {
                more = true;
                break;
            }
            events.Add(EventRow.Read(reader).ToEntry());
        }
        return (events, more ? events[^1].Sequence : null);
    }

    /// <summary>
    /// SQL true for the streams of a unit's subtree: its units, and the exercises and duty posts
    /// whose ids start with one of them. Expects the parameters of <see cref="AddAreaParameters"/>.
    /// </summary>
    internal static string AreaFilter(string column) =>
        $"({column} = @area OR {column} LIKE @areaUnits OR {column} LIKE @areaExercises OR {column} LIKE @areaPosts)";

    internal static void AddAreaParameters(NpgsqlCommand command, string? area)
    {
        // Unit ids hold only [a-z0-9/-], so nothing in them needs escaping for LIKE.
        command.Parameters.Add(new NpgsqlParameter<string?>("area", area));
        command.Parameters.Add(new NpgsqlParameter<string?>("areaUnits", area is null ? null : area + "/%"));
        command.Parameters.Add(new NpgsqlParameter<string?>("areaExercises", area is null ? null : StreamKeys.Exercise(area) + "/%"));
        command.Parameters.Add(new NpgsqlParameter<string?>("areaPosts", area is null ? null : StreamKeys.DutyPost(area) + "/%"));
    }
}
