using JasperFx;
using JasperFx.Events;
using Marten;

namespace Readiness.Store;

/// <summary>An event of an actor's stream as the actor folds it: its body and the headers the actor keeps.</summary>
public readonly record struct ActorEvent(long Version, object Data, string? Hash, string? CommandId);

/// <summary>
/// What an actor grain reads and writes of its own stream, on the store's terms: the grains see
/// events, snapshots and the event body's JSON, never a Marten session, so a Marten upgrade is
/// answered here alone.
/// </summary>
public sealed class ActorStreams(StoreSessions sessions)
{
    private readonly ISerializer serializer = sessions.Store.Options.Serializer();

    /// <summary>The event's body as its row holds it.</summary>
    public string ToJson(object @event) => serializer.ToJson(@event);

    /// <summary>
    /// The stream from its snapshot when there is one of the state's <paramref name="shape"/>, whose own
    /// event is still stored with the same link of the chain, and that <paramref name="usable"/> takes;
    /// else the whole stream. The snapshot returned is the one used, and the events are those after it;
    /// <c>IgnoredSnapshot</c> is the version of a snapshot of the shape that was there but failed a check.
    /// </summary>
    public async Task<(StreamSnapshot? Snapshot, IReadOnlyList<ActorEvent> Events, long? IgnoredSnapshot)> LoadAsync(
        string streamKey, string shape, Func<StreamSnapshot, bool> usable, CancellationToken cancellationToken)
    {
        await using var session = sessions.QuerySession();
        long? ignored = null;
        if (await session.LoadAsync<StreamSnapshot>(streamKey, cancellationToken) is { } snapshot && snapshot.Shape == shape)
        {
            var fromSnapshot = await session.Events.FetchStreamAsync(streamKey, fromVersion: snapshot.Version, token: cancellationToken);
            if (fromSnapshot.Count > 0 && fromSnapshot[0].Version == snapshot.Version && EventHeaders.HashOf(fromSnapshot[0]) == snapshot.LastHash
                && usable(snapshot))
            {
                return (snapshot, Folded(fromSnapshot, skip: 1), null);
            }
            ignored = snapshot.Version;
        }
        return (null, Folded(await session.Events.FetchStreamAsync(streamKey, token: cancellationToken), skip: 0), ignored);
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

    private static ActorEvent[] Folded(IReadOnlyList<IEvent> events, int skip)
    {
        var folded = new ActorEvent[Math.Max(0, events.Count - skip)];
        for (var i = 0; i < folded.Length; i++)
        {
            var e = events[i + skip];
            folded[i] = new ActorEvent(e.Version, e.Data, EventHeaders.HashOf(e), EventHeaders.CommandIdOf(e));
        }
        return folded;
    }
}
