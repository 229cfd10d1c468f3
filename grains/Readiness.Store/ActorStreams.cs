using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using Readiness.Domain;

namespace Readiness.Store;

/// <summary>An event of an actor's stream as the actor folds it: its body and the headers the actor keeps.</summary>
public readonly record struct ActorEvent(long Version, object Data, string? Hash, string? CommandId);

/// <summary>
/// What an actor grain reads and writes of its own stream, on the store's terms: the grains see
/// events, snapshots and the event body's JSON, never a Marten session, so a Marten upgrade is
/// answered here alone.
/// </summary>
public sealed class ActorStreams(StoreSessions sessions, NpgsqlDataSource database)
{
    private const string Snapshots = ReadinessStore.Schema + ".mt_doc_streamsnapshot";
    private const string Events = ReadinessStore.Schema + ".mt_events";

    // The stream from a version on, each event with the two headers the actor keeps.
    private static readonly string EventsFrom =
        $"SELECT version, type, data, headers->>'{EventHeaders.Hash}', headers->>'{EventHeaders.CommandId}' FROM {Events} WHERE stream_id = $1 AND version >= ";

    private readonly ISerializer serializer = sessions.Store.Options.Serializer();

    /// <summary>The event's body as its row holds it.</summary>
    public string ToJson(object @event) => serializer.ToJson(@event);

    /// <summary>
    /// The stream from its snapshot when there is one of the state's <paramref name="shape"/>, whose own
    /// event is still stored with the same link of the chain, and that <paramref name="usable"/> takes;
    /// else the whole stream. The snapshot returned is the one used, and the events are those after it;
    /// <c>IgnoredSnapshot</c> is the version of a snapshot of the shape that was there but failed a check.
    /// The snapshot and the events from its version on are read in one round trip (a cold activation was two
    /// Marten queries, the second waiting on the first); the whole stream is read again only when the snapshot fails its check.
    /// </summary>
    public async Task<(StreamSnapshot? Snapshot, IReadOnlyList<ActorEvent> Events, long? IgnoredSnapshot)> LoadAsync(
        string streamKey, string shape, Func<StreamSnapshot, bool> usable, CancellationToken cancellationToken)
    {
        const string OfShape = $"FROM {Snapshots} WHERE id = $1 AND data->>'shape' = $2";
        StreamSnapshot? snapshot = null;
        List<ActorEvent> fromSnapshot;
        await using (var batch = database.CreateBatch())
        {
            batch.BatchCommands.Add(Command($"SELECT data {OfShape}", streamKey, shape));
            // The statements see the store at moments of their own: a snapshot written between them names a later
            // version than the events start at, fails the check below, and the stream is read whole.
            batch.BatchCommands.Add(Command(EventsFrom + $"COALESCE((SELECT (data->>'version')::bigint {OfShape}), 0) ORDER BY version", streamKey, shape));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                snapshot = serializer.FromJson<StreamSnapshot>(reader, 0);
            }
            await reader.NextResultAsync(cancellationToken);
            fromSnapshot = await ReadAsync(reader, cancellationToken);
        }
        if (snapshot is null)
        {
            return (null, fromSnapshot, null);
        }
        if (fromSnapshot.Count > 0 && fromSnapshot[0].Version == snapshot.Version && fromSnapshot[0].Hash == snapshot.LastHash && usable(snapshot))
        {
            return (snapshot, fromSnapshot[1..], null);
        }
        await using var whole = database.CreateCommand(EventsFrom + "0 ORDER BY version");
        whole.Parameters.Add(new NpgsqlParameter<string> { TypedValue = streamKey });
        await using var all = await whole.ExecuteReaderAsync(cancellationToken);
        return (null, await ReadAsync(all, cancellationToken), snapshot.Version);
    }

    private static NpgsqlBatchCommand Command(string sql, string streamKey, string shape) =>
        new(sql) { Parameters = { new NpgsqlParameter<string> { TypedValue = streamKey }, new NpgsqlParameter<string> { TypedValue = shape } } };

    private async Task<List<ActorEvent>> ReadAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var events = new List<ActorEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var version = reader.GetInt64(0);
            var type = EventCatalogue.TypeOf(reader.GetString(1))
                ?? throw new InvalidOperationException($"Event {version} of a stream is of type '{reader.GetString(1)}', which this version does not know: the stream cannot be folded.");
            events.Add(new ActorEvent(version, serializer.FromJson(type, reader, 2),
                await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetString(3),
                await reader.IsDBNullAsync(4, cancellationToken) ? null : reader.GetString(4)));
        }
        return events;
    }

    /// <summary>Stores a snapshot beside the events, in a transaction of its own.</summary>
    public async Task StoreAsync(StreamSnapshot snapshot)
    {
        await using var session = sessions.LightweightSession();
        session.Store(snapshot);
        await session.SaveChangesAsync();
    }

    /// <summary>An append refused because the stream is not where it was expected: another activation wrote first.</summary>
    public static bool IsStreamConflict(Exception exception) => exception is ConcurrencyException or ExistingStreamIdCollisionException;
}
