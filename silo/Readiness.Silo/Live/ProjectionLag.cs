using Readiness.Store;

namespace Readiness.Silo.Live;

/// <summary>How far an asynchronous projection trails the event store, in events and in seconds.</summary>
/// <param name="Projection">The projection's name.</param>
/// <param name="Position">The last event sequence the projection has applied.</param>
/// <param name="NewestSequence">The newest event sequence in the store.</param>
/// <param name="LagEvents">Events appended but not yet applied.</param>
/// <param name="LagSeconds">How long the oldest unapplied event has waited; 0 when caught up.</param>
/// <param name="MeasuredAt">When this was measured.</param>
/// <param name="Database">The database the projection runs in (<c>main</c> unless provinces are spread over several).</param>
public sealed record ProjectionLag(string Projection, long Position, long NewestSequence, long LagEvents, double LagSeconds, DateTimeOffset MeasuredAt,
    string Database = ProvinceDatabases.MainName);
