-- Orleans clustering (membership + gateway list) for Microsoft.Orleans.Clustering.AdoNet.
-- Needs 010-orleans-main.sql first.

BEGIN;
-- Same lock as 010 (AdvisoryLockKey.ClusterScripts in the silo): runs applying the scripts together take turns.
DO $lock$ BEGIN PERFORM pg_advisory_xact_lock(4242010001); END $lock$;

-- One row per cluster (ClusterId is bound as @DeploymentId). Its version is the
-- membership table's etag: every insert/update of a member must bump it.
CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deploymentid text        NOT NULL PRIMARY KEY,
    version      integer     NOT NULL DEFAULT 0,
    changed_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation. Column names are the names the provider reads.
-- timestamptz because the provider sends UTC DateTime (Npgsql: timestamptz) and
-- reads values back as UTC; plain timestamp would shift with the session TimeZone.
CREATE TABLE IF NOT EXISTS orleans_membership
(
    deploymentid text        NOT NULL
        REFERENCES orleans_membership_version (deploymentid) ON DELETE CASCADE,
    address      text        NOT NULL,
    port         integer     NOT NULL,
    generation   integer     NOT NULL,
    siloname     text        NOT NULL,
    hostname     text        NOT NULL,
    status       integer     NOT NULL,
    proxyport    integer     NOT NULL DEFAULT 0,
    suspecttimes text        NULL,
    starttime    timestamptz NOT NULL,
    iamalivetime timestamptz NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- Insert a silo row only if the caller's table etag is still current; the etag
-- is bumped in the same transaction. Returns false (the provider's "conflict,
-- re-read and retry") when the etag is stale or the silo row already exists.
-- The version row is locked first, in every writer, so writers cannot deadlock.
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deploymentid text,
    p_address      text,
    p_port         integer,
    p_generation   integer,
    p_siloname     text,
    p_hostname     text,
    p_status       integer,
    p_proxyport    integer,
    p_starttime    timestamptz,
    p_iamalivetime timestamptz,
    p_version      integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM 1
    FROM orleans_membership_version
    WHERE deploymentid = p_deploymentid AND version = p_version
    FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership
        (deploymentid, address, port, generation, siloname, hostname,
         status, proxyport, starttime, iamalivetime)
    VALUES
        (p_deploymentid, p_address, p_port, p_generation, p_siloname, p_hostname,
         p_status, p_proxyport, p_starttime, p_iamalivetime)
    ON CONFLICT (deploymentid, address, port, generation) DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
    SET version = version + 1, changed_at = now()
    WHERE deploymentid = p_deploymentid;
    RETURN true;
END
$fn$;

-- Same etag rule for updates (status changes, suspicion votes). Nothing is
-- written unless both the etag matches and the silo row exists.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deploymentid text,
    p_address      text,
    p_port         integer,
    p_generation   integer,
    p_status       integer,
    p_suspecttimes text,
    p_iamalivetime timestamptz,
    p_version      integer)
RETURNS boolean
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM 1
    FROM orleans_membership_version
    WHERE deploymentid = p_deploymentid AND version = p_version
    FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership
    SET status = p_status, suspecttimes = p_suspecttimes, iamalivetime = p_iamalivetime
    WHERE deploymentid = p_deploymentid AND address = p_address
      AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
    SET version = version + 1, changed_at = now()
    WHERE deploymentid = p_deploymentid;
    RETURN true;
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Returns one boolean column: true only for the silo that created the row.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_version (deploymentid)
    VALUES (@DeploymentId)
    ON CONFLICT (deploymentid) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM created) AS created
$q$),

('InsertMembershipKey', $q$
SELECT orleans_membership_insert(
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
    @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS succeeded
$q$),

('UpdateMembershipKey', $q$
SELECT orleans_membership_update(
    @DeploymentId, @Address, @Port, @Generation,
    @Status, @SuspectTimes, @IAmAliveTime, @Version) AS succeeded
$q$),

-- Heartbeat: deliberately does not touch the etag.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership
SET iamalivetime = @IAmAliveTime
WHERE deploymentid = @DeploymentId AND address = @Address
  AND port = @Port AND generation = @Generation
$q$),

-- Reads start from the version row (LEFT JOIN) so the etag comes back even when
-- there is no matching silo; the provider reads row 0's version unconditionally
-- and treats a NULL starttime as "no member".
('MembershipReadRowKey', $q$
SELECT v.version, m.deploymentid, m.address, m.port, m.generation, m.siloname,
       m.hostname, m.status, m.proxyport, m.suspecttimes, m.starttime, m.iamalivetime
FROM orleans_membership_version v
LEFT JOIN orleans_membership m
       ON m.deploymentid = v.deploymentid
      AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deploymentid = @DeploymentId
$q$),

('MembershipReadAllKey', $q$
SELECT v.version, m.deploymentid, m.address, m.port, m.generation, m.siloname,
       m.hostname, m.status, m.proxyport, m.suspecttimes, m.starttime, m.iamalivetime
FROM orleans_membership_version v
LEFT JOIN orleans_membership m ON m.deploymentid = v.deploymentid
WHERE v.deploymentid = @DeploymentId
$q$),

-- Used by clients; @Status is SiloStatus.Active (3).
('GatewaysQueryKey', $q$
SELECT address, proxyport, generation
FROM orleans_membership
WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0
$q$),

-- Deleting the version row cascades to the silo rows (and keeps the
-- version-then-members lock order).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_version
WHERE deploymentid = @DeploymentId
$q$),

-- Bulk cleanup, used only when CleanupDefunctSiloEntryKey is absent. Removes
-- silos declared Dead (6) with no activity since the cut-off.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
WHERE deploymentid = @DeploymentId
  AND status = 6
  AND starttime < @IAmAliveTime
  AND iamalivetime < @IAmAliveTime
$q$),

-- Optional per-row cleanup (used by 10.4.x when present): the provider picks
-- Dead rows from a read and deletes each only if it is unchanged since then.
-- NULL and '' suspect lists are the same to the provider.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_membership
WHERE deploymentid = @DeploymentId
  AND address = @Address AND port = @Port AND generation = @Generation
  AND status = 6
  AND starttime = @StartTime
  AND iamalivetime = @IAmAliveTime
  AND coalesce(suspecttimes, '') = coalesce(@SuspectTimes, '')
$q$)

ON CONFLICT (querykey) DO UPDATE
SET querytext = EXCLUDED.querytext
WHERE orleansquery.querytext IS DISTINCT FROM EXCLUDED.querytext;

COMMIT;
