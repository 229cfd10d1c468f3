using JasperFx;
using JasperFx.Events;
using Npgsql;
using NpgsqlTypes;

namespace Readiness.Grains.Storage;

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
    private const string AppendFunction = ReadinessStore.Schema + ".append_streams";

    /// <summary>The tenant Marten files every stream and event under in a store with one tenant.</summary>
    private const string DefaultTenant = "*DEFAULT*";

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

    /// <summary>
    /// The append function, as the owner. SECURITY INVOKER (the default): the application role calls
    /// it with its own rights, which allow inserting events and moving a stream's version, nothing more.
    /// The version check re-reads a row another transaction has just committed (READ COMMITTED
    /// re-evaluates an UPDATE's condition on the newest row), so two writers of one stream cannot both pass.
    /// Sequence numbers are drawn in the order of the arrays: a stream's events get rising numbers, as
    /// the daemon and every reader of the log expect. Timestamps are the transaction's, as Marten's.
    /// </summary>
    public static async Task ApplyAppendFunctionAsync(NpgsqlConnection owner, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            CREATE OR REPLACE FUNCTION {AppendFunction}(
                stream_ids varchar[], from_versions bigint[], to_versions bigint[],
                event_ids uuid[], event_streams varchar[], event_versions bigint[], event_types varchar[], dotnet_types varchar[],
                bodies jsonb[], event_headers jsonb[], correlation_ids varchar[], causation_ids varchar[])
            RETURNS void LANGUAGE plpgsql AS $append$
            DECLARE
                expected_moves bigint;
                moved bigint;
                laggard varchar;
            BEGIN
                SELECT count(*) INTO expected_moves FROM unnest(from_versions) AS f(v) WHERE v > 0;
                IF expected_moves > 0 THEN
                    UPDATE {Streams} AS s SET version = c.to_version, timestamp = now()
                    FROM unnest(stream_ids, from_versions, to_versions) AS c(id, from_version, to_version)
                    WHERE c.from_version > 0 AND s.id = c.id AND s.version = c.from_version AND s.is_archived IS NOT TRUE;
                    GET DIAGNOSTICS moved = ROW_COUNT;
                    IF moved <> expected_moves THEN
                        SELECT c.id INTO laggard FROM unnest(stream_ids, from_versions) AS c(id, from_version)
                        LEFT JOIN {Streams} AS s ON s.id = c.id
                        WHERE c.from_version > 0 AND (s.version IS DISTINCT FROM c.from_version OR s.is_archived IS TRUE)
                        LIMIT 1;
                        RAISE EXCEPTION 'Stream % is not at the version its append expects', coalesce(laggard, stream_ids[1])
                            USING ERRCODE = '{StreamMovedOn}';
                    END IF;
                END IF;
                INSERT INTO {Streams} (id, type, version, timestamp, created, tenant_id)
                SELECT c.id, NULL, c.to_version, now(), now(), '{DefaultTenant}'
                FROM unnest(stream_ids, from_versions, to_versions) AS c(id, from_version, to_version)
                WHERE c.from_version = 0;
                INSERT INTO {Events} (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived, correlation_id, causation_id, headers)
                SELECT nextval('{EventSequence}'), e.id, e.stream_id, e.version, e.data, e.type, '{DefaultTenant}',
                       now(), e.dotnet_type, false, e.correlation_id, e.causation_id, e.headers
                FROM unnest(event_ids, event_streams, event_versions, bodies, event_types, dotnet_types, correlation_ids, causation_ids, event_headers)
                     WITH ORDINALITY AS e(id, stream_id, version, data, type, dotnet_type, correlation_id, causation_id, headers, position)
                ORDER BY e.position;
            END
            $append$
            """, owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
