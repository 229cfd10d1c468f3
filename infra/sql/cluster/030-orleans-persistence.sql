-- Orleans grain state storage for Microsoft.Orleans.Persistence.AdoNet.
-- Needs 010-orleans-main.sql first.
--
-- The provider hashes the grain id and the state name itself (OrleansDefaultHasher
-- unless HashPicker is changed) and binds them as @GrainIdHash / @GrainTypeHash;
-- the database never hashes. The hashes only narrow the index search: rows are
-- matched on every key part.
-- ETag = version (integer). The provider treats a returned version that is NULL,
-- missing, or equal to the etag it sent as a write conflict
-- (InconsistentStateException), so no-op paths below return nothing or NULL.

BEGIN;
-- Same lock as 010 (AdvisoryLockKey.ClusterScripts in the silo): runs applying the scripts together take turns.
DO $lock$ BEGIN PERFORM pg_advisory_xact_lock(4242010001); END $lock$;

CREATE TABLE IF NOT EXISTS orleans_storage
(
    grainidhash            integer     NOT NULL,
    graintypehash          integer     NOT NULL,
    serviceid              text        NOT NULL,
    grainidn0              bigint      NOT NULL,
    grainidn1              bigint      NOT NULL,
    graintypestring        text        NOT NULL,
    grainidextensionstring text        NULL,
    payloadbinary          bytea       NULL,
    version                integer     NOT NULL,
    modified_at            timestamptz NOT NULL DEFAULT now()
);

-- One row per grain state. The key extension may be NULL or long, so it is
-- indexed through md5, with NULL mapped to '' (md5 never yields '').
-- This is what makes two concurrent first writes collide instead of both inserting.
CREATE UNIQUE INDEX IF NOT EXISTS orleans_storage_grain_key
    ON orleans_storage (grainidhash, graintypehash, serviceid, grainidn0, grainidn1,
                        graintypestring, (coalesce(md5(grainidextensionstring), '')));

-- Insert when the grain has no etag yet, otherwise compare-and-swap on version.
-- Returns the new version, or NULL on conflict.
CREATE OR REPLACE FUNCTION orleans_storage_write(
    p_grainidhash            integer,
    p_grainidn0              bigint,
    p_grainidn1              bigint,
    p_graintypehash          integer,
    p_graintypestring        text,
    p_grainidextensionstring text,
    p_serviceid              text,
    p_grainstateversion      integer,
    p_payloadbinary          bytea)
RETURNS integer
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_new integer;
BEGIN
    IF p_grainstateversion IS NULL THEN
        INSERT INTO orleans_storage
            (grainidhash, graintypehash, serviceid, grainidn0, grainidn1,
             graintypestring, grainidextensionstring, payloadbinary, version)
        VALUES
            (p_grainidhash, p_graintypehash, p_serviceid, p_grainidn0, p_grainidn1,
             p_graintypestring, p_grainidextensionstring, p_payloadbinary, 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO v_new;
    ELSE
        UPDATE orleans_storage
        SET payloadbinary = p_payloadbinary,
            version = version + 1,
            modified_at = now()
        WHERE grainidhash = p_grainidhash
          AND graintypehash = p_graintypehash
          AND serviceid = p_serviceid
          AND grainidn0 = p_grainidn0
          AND grainidn1 = p_grainidn1
          AND graintypestring = p_graintypestring
          AND grainidextensionstring IS NOT DISTINCT FROM p_grainidextensionstring
          AND version = p_grainstateversion
        RETURNING version INTO v_new;
    END IF;
    RETURN v_new;
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES

-- Zero rows = no state. A cleared row (payload NULL) still returns its version,
-- which the grain must present on its next write.
('ReadFromStorageKey', $q$
SELECT payloadbinary, version
FROM orleans_storage
WHERE grainidhash = @GrainIdHash
  AND graintypehash = @GrainTypeHash
  AND serviceid = @ServiceId
  AND grainidn0 = @GrainIdN0
  AND grainidn1 = @GrainIdN1
  AND graintypestring = @GrainTypeString
  AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
$q$),

('WriteToStorageKey', $q$
SELECT orleans_storage_write(
    @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
    @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)
    AS newgrainstateversion
$q$),

-- ClearStateAsync with DeleteStateOnClear = false: keep the row so the version
-- keeps increasing; returns the new version, or no row on etag mismatch.
('ClearStorageKey', $q$
UPDATE orleans_storage
SET payloadbinary = NULL,
    version = version + 1,
    modified_at = now()
WHERE grainidhash = @GrainIdHash
  AND graintypehash = @GrainTypeHash
  AND serviceid = @ServiceId
  AND grainidn0 = @GrainIdN0
  AND grainidn1 = @GrainIdN1
  AND graintypestring = @GrainTypeString
  AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version AS newgrainstateversion
$q$),

-- ClearStateAsync with DeleteStateOnClear = true. The provider only needs a value
-- different from the etag it sent (it then sets ETag to null), hence version + 1.
('DeleteStorageKey', $q$
DELETE FROM orleans_storage
WHERE grainidhash = @GrainIdHash
  AND graintypehash = @GrainTypeHash
  AND serviceid = @ServiceId
  AND grainidn0 = @GrainIdN0
  AND grainidn1 = @GrainIdN1
  AND graintypestring = @GrainTypeString
  AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
  AND version = @GrainStateVersion
RETURNING version + 1 AS newgrainstateversion
$q$)

ON CONFLICT (querykey) DO UPDATE
SET querytext = EXCLUDED.querytext
WHERE orleansquery.querytext IS DISTINCT FROM EXCLUDED.querytext;

COMMIT;
