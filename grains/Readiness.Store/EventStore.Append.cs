using JasperFx;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;

namespace Readiness.Store;

/// <summary>One stream's events for a commit, serialised and hashed by its grain, with the version the stream must be at.</summary>
/// <param name="Stream">The stream's key.</param>
/// <param name="FromVersion">The version the stream must have now: 0 for a stream that must not exist yet.</param>
/// <param name="Events">The events, in order; the first gets version <paramref name="FromVersion"/> + 1.</param>
public sealed record StreamAppend(string Stream, long FromVersion, IReadOnlyList<StagedEvent> Events)
{
    public long ToVersion => FromVersion + Events.Count;
}

/// <summary>An event as its row will hold it: the body and headers already JSON.</summary>
public sealed record StagedEvent(Guid Id, string Type, string DotnetType, string Data, string Headers, string? CorrelationId, string? CausationId);

public sealed partial class EventStore
{
    /// <summary>The append function, created by infra/sql/store/040-append-function.sql.</summary>
    private const string AppendFunction = ReadinessStore.Schema + ".append_streams";

    /// <summary>The SQLSTATE the append function raises when a stream is not at the version its append expects.</summary>
    private const string StreamMovedOn = "RD001";

    /// <summary>
    /// Appends the events of many streams in one statement, and so in one transaction: each stream
    /// is checked against the version its append expects (a stream that moved on, or exists when it
    /// should not, fails the whole), its row moved to its new version, and every event inserted by
    /// one set-based INSERT that draws its sequence numbers in the order given. Marten's own append
    /// calls a function per stream that inserts per event; this is the same rows, written once.
    /// </summary>
    /// <exception cref="ConcurrencyException">A stream of the batch is not at the expected version.</exception>
    /// <exception cref="ExistingStreamIdCollisionException">A stream the batch starts exists already.</exception>
    public async Task AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        // One pass fills the event columns: this runs for every group commit.
        var count = appends.Sum(a => a.Events.Count);
        var ids = new Guid[count];
        var streams = new string[count];
        var versions = new long[count];
        var types = new string[count];
        var dotnetTypes = new string[count];
        var bodies = new string[count];
        var headers = new string[count];
        var correlations = new string?[count];
        var causations = new string?[count];
        var row = 0;
        foreach (var append in appends)
        {
            for (var i = 0; i < append.Events.Count; i++, row++)
            {
                var e = append.Events[i];
                (ids[row], streams[row], versions[row], types[row], dotnetTypes[row]) = (e.Id, append.Stream, append.FromVersion + i + 1, e.Type, e.DotnetType);
                (bodies[row], headers[row], correlations[row], causations[row]) = (e.Data, e.Headers, e.CorrelationId, e.CausationId);
            }
        }
        await using var command = database.CreateCommand($"SELECT {AppendFunction}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
        command.Parameters.Add(Array([.. appends.Select(a => a.Stream)], NpgsqlDbType.Varchar));
        command.Parameters.Add(Array([.. appends.Select(a => a.FromVersion)], NpgsqlDbType.Bigint));
        command.Parameters.Add(Array([.. appends.Select(a => a.ToVersion)], NpgsqlDbType.Bigint));
        command.Parameters.Add(Array(ids, NpgsqlDbType.Uuid));
        command.Parameters.Add(Array(streams, NpgsqlDbType.Varchar));
        command.Parameters.Add(Array(versions, NpgsqlDbType.Bigint));
        command.Parameters.Add(Array(types, NpgsqlDbType.Varchar));
        command.Parameters.Add(Array(dotnetTypes, NpgsqlDbType.Varchar));
        command.Parameters.Add(Array(bodies, NpgsqlDbType.Jsonb));
        command.Parameters.Add(Array(headers, NpgsqlDbType.Jsonb));
        command.Parameters.Add(Array(correlations, NpgsqlDbType.Varchar));
        command.Parameters.Add(Array(causations, NpgsqlDbType.Varchar));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == StreamMovedOn)
        {
            throw new ConcurrencyException(ex.MessageText + ".", ex);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "pkey_mt_streams_id")
        {
            throw new ExistingStreamIdCollisionException(Named(appends.Where(a => a.FromVersion == 0)), null!);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "pk_mt_events_stream_and_version")
        {
            // Only a writer that went around the version check could have put an event there first.
            throw new ConcurrencyException($"Stream {Named(appends)} already holds a version its append expected to write.", ex);
        }
    }

    /// <summary>
    /// The stream of a commit of one, or the streams a refusal may concern: PostgreSQL's detail, which
    /// names the key, is redacted by Npgsql unless the connection asks for it. A refused batch is
    /// committed again append by append, so the grain is always told of its own stream.
    /// </summary>
    private static string Named(IEnumerable<StreamAppend> appends)
    {
        var streams = appends.Select(a => a.Stream).ToList();
        return streams.Count == 1 ? streams[0] : "one of " + string.Join(", ", streams);
    }

    private static NpgsqlParameter Array<T>(T[] values, NpgsqlDbType element) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | element };
}
