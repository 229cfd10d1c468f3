using Npgsql;

namespace Readiness.Store;

public sealed partial class EventStore
{
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
}

/// <summary>What a silo checks of its own connection before it starts.</summary>
/// <param name="Role">The role the connection serves as.</param>
/// <param name="SchemaApplied">Marten's and Orleans' tables are there.</param>
/// <param name="SchemaCurrent">What the migrator adds beyond those tables is there too: a schema applied by an older version lacks it.</param>
/// <param name="Rewrites">What lets the role rewrite the record ("is a superuser", "owns readiness.mt_events", "UPDATE on readiness.log_leaves"); empty for the application role.</param>
public sealed record RoleInspection(string Role, bool SchemaApplied, bool SchemaCurrent, IReadOnlyList<string> Rewrites);
