-- The secret the silos of one service seal their grain calls with (see InternalCallsOnly in
-- grains/Readiness.Grains/Actors/InternalCalls.cs). The first silo to start writes a random key;
-- every other silo reads the same row, so a cluster agrees on it without any configuration.
-- Whoever can read this table can already append events through the application role, so keeping
-- it here gives a gateway client nothing it did not have.

BEGIN;
DO $lock$ BEGIN PERFORM pg_advisory_xact_lock(4242010001); END $lock$;

CREATE TABLE IF NOT EXISTS readiness_call_keys
(
    serviceid text        NOT NULL PRIMARY KEY,
    callkey   bytea       NOT NULL CHECK (octet_length(callkey) >= 32),
    createdon timestamptz NOT NULL DEFAULT now()
);

COMMIT;
