-- Roster parts and snapshots are rewritten whole, tens of kilobytes at a time: LZ4 compresses
-- them several times faster than PostgreSQL's default, for about the same size. A server built
-- without LZ4 keeps its default.

DO $compress$
BEGIN
  ALTER TABLE readiness.mt_doc_provinceroster ALTER COLUMN data SET COMPRESSION lz4;
  ALTER TABLE readiness.mt_doc_streamsnapshot ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
END
$compress$;
