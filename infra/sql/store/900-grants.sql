-- The application role's rights, last, once every table and function is there. migrate names the
-- role in the setting readiness.app_role (by hand: SET readiness.app_role = 'readiness_app';).
-- The role reads and writes rows; it owns nothing and cannot drop or alter a table. It may empty a
-- projection's documents, which a rebuild does. Events, and the Merkle log's leaves, nodes and heads,
-- it may only append: no UPDATE, DELETE or TRUNCATE on them, so the record cannot be rewritten
-- through it; nor may it delete a stream's row, which Marten never does. The silo checks all this
-- of its own connection before it starts (SchemaCheck).

DO $grant$
DECLARE
  app text := current_setting('readiness.app_role');
  schema_ text;
  document regclass;
BEGIN
  FOREACH schema_ IN ARRAY ARRAY['public', 'readiness']
  LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', schema_, app);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', schema_, app);
    EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', schema_, app);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', schema_, app);
  END LOOP;
  FOR document IN SELECT format('%I.%I', schemaname, tablename)::regclass FROM pg_tables
                  WHERE schemaname = 'readiness' AND tablename LIKE 'mt\_doc\_%'
  LOOP
    EXECUTE format('GRANT TRUNCATE ON %s TO %I', document, app);
  END LOOP;
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON readiness.mt_events FROM %I', app);
  EXECUTE format('REVOKE DELETE, TRUNCATE ON readiness.mt_streams FROM %I', app);
  EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON readiness.log_leaves, readiness.log_nodes, readiness.tree_heads, readiness.imported_sequences FROM %I', app);
END
$grant$;
