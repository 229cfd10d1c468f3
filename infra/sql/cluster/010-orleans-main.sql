-- Orleans ADO.NET providers (Invariant "Npgsql"): query catalogue.
-- The providers run `SELECT QueryKey, QueryText FROM OrleansQuery` at start-up and
-- afterwards execute only the texts stored here, binding @Name parameters.
-- Unquoted names fold to lower case; Npgsql matches result columns by name
-- case-insensitively, so lower-case identifiers satisfy the providers' reads.
-- Safe to re-run: every file takes the same advisory lock (AdvisoryLockKey.ClusterScripts
-- in the silo, never to be renumbered) so that runs applying them together do not race on
-- DDL, and every statement is idempotent.

BEGIN;
DO $lock$ BEGIN PERFORM pg_advisory_xact_lock(4242010001); END $lock$;

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL PRIMARY KEY,
    querytext text        NOT NULL
);

COMMIT;
