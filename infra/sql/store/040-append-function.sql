-- Appends the events of many streams in one statement, and so in one transaction (EventStore.AppendAsync
-- calls it for each group commit): each stream is checked against the version its append expects (a
-- stream that moved on, or exists when it should not, fails the whole), its row moved to its new
-- version, and every event inserted by one set-based INSERT. Marten's own append calls a function per
-- stream that inserts per event; this is the same rows, written once.
-- SECURITY INVOKER (the default): the application role calls it with its own rights, which allow
-- inserting events and moving a stream's version, nothing more. The version check re-reads a row
-- another transaction has just committed (READ COMMITTED re-evaluates an UPDATE's condition on the
-- newest row), so two writers of one stream cannot both pass. Sequence numbers are drawn in the order
-- of the arrays: a stream's events get rising numbers, as the daemon and every reader of the log
-- expect. Timestamps are the transaction's, as Marten's. '*DEFAULT*' is the tenant Marten files every
-- stream and event under in a store with one tenant. SQLSTATE RD001 (EventStore.StreamMovedOn) says a
-- stream is not at the version its append expects.

CREATE OR REPLACE FUNCTION readiness.append_streams(
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
        UPDATE readiness.mt_streams AS s SET version = c.to_version, timestamp = now()
        FROM unnest(stream_ids, from_versions, to_versions) AS c(id, from_version, to_version)
        WHERE c.from_version > 0 AND s.id = c.id AND s.version = c.from_version AND s.is_archived IS NOT TRUE;
        GET DIAGNOSTICS moved = ROW_COUNT;
        IF moved <> expected_moves THEN
            SELECT c.id INTO laggard FROM unnest(stream_ids, from_versions) AS c(id, from_version)
            LEFT JOIN readiness.mt_streams AS s ON s.id = c.id
            WHERE c.from_version > 0 AND (s.version IS DISTINCT FROM c.from_version OR s.is_archived IS TRUE)
            LIMIT 1;
            RAISE EXCEPTION 'Stream % is not at the version its append expects', coalesce(laggard, stream_ids[1])
                USING ERRCODE = 'RD001';
        END IF;
    END IF;
    INSERT INTO readiness.mt_streams (id, type, version, timestamp, created, tenant_id)
    SELECT c.id, NULL, c.to_version, now(), now(), '*DEFAULT*'
    FROM unnest(stream_ids, from_versions, to_versions) AS c(id, from_version, to_version)
    WHERE c.from_version = 0;
    INSERT INTO readiness.mt_events (seq_id, id, stream_id, version, data, type, tenant_id, timestamp, mt_dotnet_type, is_archived, correlation_id, causation_id, headers)
    SELECT nextval('readiness.mt_events_sequence'), e.id, e.stream_id, e.version, e.data, e.type, '*DEFAULT*',
           now(), e.dotnet_type, false, e.correlation_id, e.causation_id, e.headers
    FROM unnest(event_ids, event_streams, event_versions, bodies, event_types, dotnet_types, correlation_ids, causation_ids, event_headers)
         WITH ORDINALITY AS e(id, stream_id, version, data, type, dotnet_type, correlation_id, causation_id, headers, position)
    ORDER BY e.position;
END
$append$;
