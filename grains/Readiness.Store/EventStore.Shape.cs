using Npgsql;

namespace Readiness.Store;

/// <summary>A column as PostgreSQL describes it: its type as <c>format_type</c> spells it, and whether it may hold null.</summary>
public sealed record StoredColumn(string Name, string Type, bool NotNull)
{
    public override string ToString() => $"{Type} {(NotNull ? "not null" : "null")}";
}

public sealed partial class EventStore
{
    /// <summary>
    /// The columns of Marten's tables as Marten 9 creates them and the custom storage path writes them
    /// behind Marten's back: the append function inserts into every column of the events and streams
    /// (infra/sql/store/040-append-function.sql), the verify and history read the rows as stored, and
    /// the rebuild and the live rosters read and move the daemon's progress rows. A Marten upgrade that
    /// adds, drops, retypes or relaxes any of them would make those writes wrong or partial without an
    /// error, so <see cref="MartenShapeChangesAsync"/> compares every column, and the silo and the
    /// migrate step refuse to go on until this list (and the SQL that relies on it) is brought up to date.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<StoredColumn>> MartenTables { get; } = new Dictionary<string, IReadOnlyList<StoredColumn>>
    {
        ["mt_events"] =
        [
            new("seq_id", "bigint", true), new("id", "uuid", true), new("stream_id", "character varying", false),
            new("version", "bigint", true), new("data", "jsonb", true), new("bdata", "bytea", false),
            new("type", "character varying(500)", true), new("timestamp", "timestamp with time zone", true),
            new("tenant_id", "character varying", false), new("mt_dotnet_type", "character varying", false),
            new("correlation_id", "character varying", false), new("causation_id", "character varying", false),
            new("headers", "jsonb", false), new("is_archived", "boolean", false),
        ],
        ["mt_streams"] =
        [
            new("id", "character varying", true), new("type", "character varying", false), new("version", "bigint", false),
            new("timestamp", "timestamp with time zone", true), new("created", "timestamp with time zone", true),
            new("tenant_id", "character varying", false), new("compacted_version", "bigint", true), new("is_archived", "boolean", false),
        ],
        ["mt_event_progression"] =
        [
            new("name", "character varying", true), new("last_seq_id", "bigint", false), new("last_updated", "timestamp with time zone", false),
            new("mode", "character varying", false), new("rebuild_threshold", "integer", false), new("assigned_node", "integer", false),
            new("heartbeat", "timestamp with time zone", false), new("agent_status", "character varying(20)", false),
            new("pause_reason", "text", false), new("running_on_node", "integer", false),
            new("warning_behind_threshold", "bigint", false), new("critical_behind_threshold", "bigint", false),
            new("failure_category", "character varying(50)", false), new("failure_event_sequence", "bigint", false),
            new("failure_event_type", "character varying(500)", false), new("failure_event_tenant_id", "character varying(500)", false),
        ],
    };

    /// <summary>
    /// Marten's objects beyond the columns that the custom path names: the unique indexes whose names
    /// <see cref="AppendAsync"/> tells a stream collision and a version clash by (PostgreSQL reports a
    /// unique index's name as the violated constraint), and the sequence the append function draws
    /// event numbers from.
    /// </summary>
    public static IReadOnlyList<(string Table, string Index)> MartenUniqueIndexes { get; } =
        [("mt_streams", "pkey_mt_streams_id"), ("mt_events", "pk_mt_events_stream_and_version"), ("mt_events", "pkey_mt_events_seq_id")];

    /// <summary>
    /// The append function's arguments and result as <c>pg_get_function_identity_arguments</c> and
    /// <c>pg_get_function_result</c> spell them; <see cref="AppendAsync"/> passes exactly these.
    /// </summary>
    public const string AppendSignature =
        "(stream_ids character varying[], from_versions bigint[], to_versions bigint[], event_ids uuid[], event_streams character varying[], "
        + "event_versions bigint[], event_types character varying[], dotnet_types character varying[], bodies jsonb[], event_headers jsonb[], "
        + "correlation_ids character varying[], causation_ids character varying[]) returns void";

    /// <summary>
    /// What differs between the store behind <paramref name="connection"/> and what the custom storage
    /// path relies on (<see cref="MartenTables"/>, <see cref="MartenUniqueIndexes"/>, the event sequence
    /// and, with <paramref name="withFunction"/>, <see cref="AppendSignature"/>), one line per
    /// difference naming the object: "readiness.mt_events.version: expected bigint not null, found
    /// integer not null". Empty when the store is as expected.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MartenShapeChangesAsync(NpgsqlConnection connection, bool withFunction, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, List<StoredColumn>>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relname = ANY(@tables) AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY c.relname, a.attnum
            """, connection))
        {
            command.Parameters.AddWithValue("schema", ReadinessStore.Schema);
            command.Parameters.AddWithValue("tables", MartenTables.Keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var table = reader.GetString(0);
                if (!found.TryGetValue(table, out var columns))
                {
                    found[table] = columns = [];
                }
                columns.Add(new StoredColumn(reader.GetString(1), reader.GetString(2), reader.GetBoolean(3)));
            }
        }
        var changes = new List<string>();
        foreach (var (table, expected) in MartenTables)
        {
            if (!found.TryGetValue(table, out var columns))
            {
                changes.Add($"{ReadinessStore.Schema}.{table}: expected the table, found none");
                continue;
            }
            foreach (var column in expected)
            {
                var actual = columns.Find(c => c.Name == column.Name);
                if (actual is null)
                {
                    changes.Add($"{ReadinessStore.Schema}.{table}.{column.Name}: expected {column}, found no such column");
                }
                else if (actual != column)
                {
                    changes.Add($"{ReadinessStore.Schema}.{table}.{column.Name}: expected {column}, found {actual}");
                }
            }
            foreach (var extra in columns.Where(c => !expected.Any(e => e.Name == c.Name)))
            {
                changes.Add($"{ReadinessStore.Schema}.{table}.{extra.Name}: expected no such column, found {extra}");
            }
        }
        await using (var command = new NpgsqlCommand($"""
            SELECT @schema || '.' || t.name || ': expected the unique index ' || t.index_name || ', found none'
            FROM unnest(@tables, @indexes) AS t(name, index_name)
            WHERE NOT EXISTS (SELECT 1 FROM pg_index i
                              WHERE i.indexrelid = to_regclass(@schema || '.' || t.index_name) AND i.indrelid = to_regclass(@schema || '.' || t.name) AND i.indisunique)
            UNION ALL
            SELECT '{EventSequence}: expected the sequence, found none' WHERE to_regclass('{EventSequence}') IS NULL
            """, connection))
        {
            command.Parameters.AddWithValue("schema", ReadinessStore.Schema);
            command.Parameters.AddWithValue("tables", MartenUniqueIndexes.Select(c => c.Table).ToArray());
            command.Parameters.AddWithValue("indexes", MartenUniqueIndexes.Select(c => c.Index).ToArray());
            changes.AddRange(await StringsAsync(command, cancellationToken));
        }
        if (withFunction)
        {
            await using var command = new NpgsqlCommand($"""
                SELECT coalesce((SELECT '(' || pg_get_function_identity_arguments(p.oid) || ') returns ' || pg_get_function_result(p.oid)
                                 FROM pg_proc p WHERE p.oid = to_regproc('{AppendFunction}')), 'no such function')
                """, connection);
            var signature = (string)(await command.ExecuteScalarAsync(cancellationToken))!;
            if (signature != AppendSignature)
            {
                changes.Add($"{AppendFunction}: expected {AppendSignature}, found {signature}");
            }
        }
        return changes;
    }
}
