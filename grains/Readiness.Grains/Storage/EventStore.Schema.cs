using Npgsql;

namespace Readiness.Grains.Storage;

public sealed partial class EventStore
{
    /// <summary>Adds the indexes on the event table beyond Marten's own (<see cref="ReadinessStore.AuditIndexes"/>), as the owner.</summary>
    public static async Task ApplyAuditIndexesAsync(NpgsqlConnection owner, CancellationToken cancellationToken)
    {
        foreach (var index in ReadinessStore.AuditIndexes.Values)
        {
            await using var command = new NpgsqlCommand(index, owner);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Roster parts and snapshots are rewritten whole, tens of kilobytes at a time: LZ4 compresses
    /// them several times faster than PostgreSQL's default, for about the same size. A server built
    /// without LZ4 keeps its default.
    /// </summary>
    public static async Task ApplyDocumentCompressionAsync(NpgsqlConnection owner, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            DO $compress$
            BEGIN
              ALTER TABLE {RosterDocuments} ALTER COLUMN data SET COMPRESSION lz4;
              ALTER TABLE {SnapshotDocuments} ALTER COLUMN data SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL;
            END
            $compress$
            """, owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Rosters stored under another layout of parts (whole per province, or split by district alone)
    /// are dropped with the daemon's progress on them, as the owner: the daemon then folds the parts
    /// from the first event, while the views answer 404 as for a province not projected yet.
    /// </summary>
    /// <returns>Whether such rosters were found.</returns>
    public static async Task<bool> DropUnsplitRostersAsync(NpgsqlConnection owner, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            WITH unsplit AS (SELECT EXISTS (SELECT 1 FROM {RosterDocuments}
                               WHERE province_id IS NULL OR (data->>'layout') IS DISTINCT FROM '{Readiness.Domain.StreamKeys.RosterLayout}') AS found),
                 documents AS (DELETE FROM {RosterDocuments} WHERE (SELECT found FROM unsplit)),
                 progress AS (DELETE FROM {Progression} WHERE name LIKE 'province-roster:%' AND (SELECT found FROM unsplit))
            SELECT found FROM unsplit
            """, owner);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>
    /// Grants the application role its rights, as the owner. It reads and writes rows; it owns nothing
    /// and cannot drop or alter a table. It may empty a projection's documents, which a rebuild does.
    /// Events, the Merkle log's leaves, nodes and heads, and the source sequences of imported events, it may only append: no UPDATE, DELETE or
    /// TRUNCATE on them, so the record cannot be rewritten through it; nor may it delete a stream's
    /// row, which Marten never does.
    /// </summary>
    public static async Task GrantAppRoleAsync(NpgsqlConnection owner, string role, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Grants(role), owner);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the schema is there, whether it is as new as this version needs (the objects the
    /// migrator adds beyond Marten's tables, such as the append function), and what the connection's
    /// role could rewrite: being a superuser or the tables' owner, or each privilege beyond appending
    /// it holds on the events, the streams, the Merkle log's leaves, nodes and heads or the imported events' source sequences.
    /// </summary>
    /// <param name="connection">The role's connection.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <param name="cluster">Whether the database must hold the cluster's own tables too: the main one does, a province database does not.</param>
    public static async Task<RoleInspection> InspectRoleAsync(NpgsqlConnection connection, CancellationToken cancellationToken, bool cluster = true)
    {
        // Marten raises a stream's version in place, so UPDATE on the streams is the application's own.
        await using var command = new NpgsqlCommand($"""
            SELECT current_user,
                   to_regclass('{Events}') IS NOT NULL AND {(cluster ? "to_regclass('public.orleansquery') IS NOT NULL" : "true")},
                   to_regproc('{AppendFunction}') IS NOT NULL AND to_regclass('{LogLeaves}') IS NOT NULL AND to_regclass('{ImportedSequences}') IS NOT NULL,
                   ARRAY(SELECT reason FROM (
                       SELECT 0 AS rank, 'is a superuser' AS reason FROM pg_roles WHERE rolname = current_user AND rolsuper
                       UNION ALL
                       SELECT 1, 'owns ' || '{Events}' WHERE to_regclass('{Events}') IS NOT NULL
                         AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = to_regclass('{Events}')), 'USAGE')
                       UNION ALL
                       SELECT 2 + kept.rank * 3 + right_.rank, right_.name || ' on ' || kept.name
                       FROM (VALUES (0, '{Events}'), (1, '{Streams}'), (2, '{LogLeaves}'), (3, '{LogNodes}'), (4, '{TreeHeads}'), (5, '{ImportedSequences}')) AS kept(rank, name)
                       CROSS JOIN (VALUES (0, 'UPDATE'), (1, 'DELETE'), (2, 'TRUNCATE')) AS right_(rank, name)
                       WHERE to_regclass(kept.name) IS NOT NULL
                         AND NOT (kept.name = '{Streams}' AND right_.name = 'UPDATE')
                         AND has_table_privilege(current_user, kept.name, right_.name)) AS rewrites
                     ORDER BY rank)
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new RoleInspection(reader.GetString(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetFieldValue<string[]>(3));
    }

    private static string Grants(string role)
    {
        var quoted = new NpgsqlCommandBuilder().QuoteIdentifier(role);
        var rows = string.Join('\n', new[] { "public", ReadinessStore.Schema }.Select(schema => $"""
            GRANT USAGE ON SCHEMA {schema} TO {quoted};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {quoted};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {quoted};
            GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {quoted};
            """));
        return rows + $$"""

            DO $grant$
            DECLARE document regclass;
            BEGIN
              FOR document IN SELECT format('%I.%I', schemaname, tablename)::regclass FROM pg_tables
                              WHERE schemaname = '{{ReadinessStore.Schema}}' AND tablename LIKE 'mt\_doc\_%'
              LOOP
                EXECUTE format('GRANT TRUNCATE ON %s TO %s', document, '{{quoted.Replace("'", "''", StringComparison.Ordinal)}}');
              END LOOP;
            END
            $grant$;
            REVOKE UPDATE, DELETE, TRUNCATE ON {{Events}} FROM {{quoted}};
            REVOKE DELETE, TRUNCATE ON {{Streams}} FROM {{quoted}};
            REVOKE UPDATE, DELETE, TRUNCATE ON {{LogLeaves}}, {{LogNodes}}, {{TreeHeads}}, {{ImportedSequences}} FROM {{quoted}};
            """;
    }
}

/// <summary>What a silo checks of its own connection before it starts.</summary>
/// <param name="Role">The role the connection serves as.</param>
/// <param name="SchemaApplied">Marten's and Orleans' tables are there.</param>
/// <param name="SchemaCurrent">What the migrator adds beyond those tables is there too: a schema applied by an older version lacks it.</param>
/// <param name="Rewrites">What lets the role rewrite the record ("is a superuser", "owns readiness.mt_events", "UPDATE on readiness.log_leaves"); empty for the application role.</param>
public sealed record RoleInspection(string Role, bool SchemaApplied, bool SchemaCurrent, IReadOnlyList<string> Rewrites);
