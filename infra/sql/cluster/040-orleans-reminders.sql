-- Orleans reminders for Microsoft.Orleans.Reminders.AdoNet.
-- Needs 010-orleans-main.sql first.
--
-- ETag = version (integer). Upserts are last-writer-wins (the provider sends no
-- etag); only deletes are conditional on the etag.

BEGIN;
-- Same lock as 010 (AdvisoryLockKey.ClusterScripts in the silo): runs applying the scripts together take turns.
DO $lock$ BEGIN PERFORM pg_advisory_xact_lock(4242010001); END $lock$;

CREATE TABLE IF NOT EXISTS orleans_reminders
(
    serviceid    text        NOT NULL,
    grainid      text        NOT NULL,
    remindername text        NOT NULL,
    starttime    timestamptz NOT NULL,
    -- milliseconds; bigint because the provider switches to a 64-bit value for
    -- periods above int.MaxValue ms, and reads the column as Int64.
    period       bigint      NOT NULL,
    -- GrainId.GetUniformHashCode() cast to a signed int by the provider.
    grainhash    integer     NOT NULL,
    version      integer     NOT NULL,
    PRIMARY KEY (serviceid, grainid, remindername)
);

-- Ring-range scans by each silo's reminder service.
CREATE INDEX IF NOT EXISTS orleans_reminders_service_hash
    ON orleans_reminders (serviceid, grainhash);

INSERT INTO orleansquery (querykey, querytext) VALUES

('ReadReminderRowsKey', $q$
SELECT grainid, remindername, starttime, period, version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND grainid = @GrainId
$q$),

('ReadReminderRowKey', $q$
SELECT grainid, remindername, starttime, period, version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND grainid = @GrainId AND remindername = @ReminderName
$q$),

-- Ranges are (begin, end] on the signed hash. The provider uses Rows1 when
-- (int)begin < (int)end and Rows2 (the wrapped range) otherwise, so the
-- comparisons here must stay signed.
('ReadRangeRows1Key', $q$
SELECT grainid, remindername, starttime, period, version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND grainhash > @BeginHash AND grainhash <= @EndHash
$q$),

('ReadRangeRows2Key', $q$
SELECT grainid, remindername, starttime, period, version
FROM orleans_reminders
WHERE serviceid = @ServiceId AND (grainhash > @BeginHash OR grainhash <= @EndHash)
$q$),

-- Returns the row's new version (read by name as "Version").
('UpsertReminderRowKey', $q$
INSERT INTO orleans_reminders
    (serviceid, grainid, remindername, starttime, period, grainhash, version)
VALUES
    (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
SET starttime = EXCLUDED.starttime,
    period = EXCLUDED.period,
    grainhash = EXCLUDED.grainhash,
    version = orleans_reminders.version + 1
RETURNING version
$q$),

-- Exactly one boolean column: false when the etag is stale or the row is gone.
('DeleteReminderRowKey', $q$
WITH deleted AS (
    DELETE FROM orleans_reminders
    WHERE serviceid = @ServiceId AND grainid = @GrainId
      AND remindername = @ReminderName AND version = @Version
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM deleted) AS deleted
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM orleans_reminders
WHERE serviceid = @ServiceId
$q$)

ON CONFLICT (querykey) DO UPDATE
SET querytext = EXCLUDED.querytext
WHERE orleansquery.querytext IS DISTINCT FROM EXCLUDED.querytext;

COMMIT;
