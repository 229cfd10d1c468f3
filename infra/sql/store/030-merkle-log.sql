-- The Merkle log's tables (EventStore.Log.cs reads and appends them). Positions are dense
-- (0…n−1) while sequences may skip (an append that lost its numbers), so each leaf records the
-- sequence it covers. Only complete subtrees are kept as nodes: they never change once closed,
-- so a row is written once and never updated. The application role may only append to them
-- (900-grants.sql). An imported event keeps the sequence its source gave it beside the one this
-- store gave it (imported_sequences), so that the source's log, and the heads kept for it, can be
-- recomputed over the copy.

CREATE TABLE IF NOT EXISTS readiness.log_leaves (position bigint PRIMARY KEY, seq_id bigint NOT NULL UNIQUE, leaf_hash bytea NOT NULL);
CREATE TABLE IF NOT EXISTS readiness.log_nodes (level int NOT NULL, "index" bigint NOT NULL, hash bytea NOT NULL, PRIMARY KEY (level, "index"));
CREATE TABLE IF NOT EXISTS readiness.tree_heads (size bigint PRIMARY KEY, root bytea NOT NULL, made_at timestamptz NOT NULL, key_id text, signature text);
CREATE TABLE IF NOT EXISTS readiness.imported_sequences (seq_id bigint PRIMARY KEY, source_seq bigint NOT NULL UNIQUE);
