using Readiness.Domain;

namespace Readiness.Store;

/// <summary>Where the registrations and orders the chain of command is built from stand in the event table.</summary>
/// <param name="Count">How many there are.</param>
/// <param name="Newest">The newest one's global sequence.</param>
public readonly record struct StructureStamp(long Count, long Newest);

public sealed partial class EventStore
{
    private static string StructureFilter => $"type IN ({string.Join(", ", EventCatalogue.StructureNames.Select(n => $"'{n}'"))})";

    /// <summary>
    /// How many structure events the database holds and the newest one's sequence: cheap (an
    /// index-only count), and changed by any commit that adds one, even one that commits after a later
    /// sequence was seen, which a sequence alone would miss.
    /// </summary>
    public async Task<StructureStamp> StructureStampAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"SELECT count(*), coalesce(max(seq_id), 0) FROM {Events} WHERE {StructureFilter}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StructureStamp(reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Every registration and order, in recording order, with its global sequence and when it was recorded.</summary>
    public async Task<IReadOnlyList<StructureEvent>> StructureAsync(CancellationToken cancellationToken)
    {
        var serializer = store.Options.Serializer();
        await using var command = database.CreateCommand($"SELECT seq_id, timestamp, type, data FROM {Events} WHERE {StructureFilter} ORDER BY seq_id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<StructureEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (EventRow.ClrTypeOf(reader.GetString(2)) is { } type)
            {
                events.Add(new StructureEvent(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), serializer.FromJson(type, reader, 3)));
            }
        }
        return events;
    }
}

/// <summary>A registration or an order as stored: its sequence in its database, when it was recorded, and the event.</summary>
public sealed record StructureEvent(long Sequence, DateTimeOffset RecordedAt, object Event);
