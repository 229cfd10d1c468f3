using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Readiness.Store;
using Readiness.Silo.Hosting;

namespace Readiness.Benchmarks;

/// <summary>An event as stored: its JSON and headers, sampled from what the grains wrote in this run.</summary>
public sealed record StoredEvent(string Type, string DotnetType, string Data, string Headers);

/// <summary>
/// The same appends without Orleans: raw Npgsql into tables shaped like Marten's mt_streams and
/// mt_events, in a schema of its own in the run's database. Marten's own append is weighed against
/// the project's in <see cref="StoragePaths"/>.
/// </summary>
public sealed class Baselines(BenchDatabase database, IReadOnlyList<StoredEvent> samples) : IAsyncDisposable
{
    // The owner creates and writes the baseline tables, as it owns the run's database.
    private readonly NpgsqlDataSource owner = NpgsqlDataSource.Create(database.OwnerConnectionString);

    public const string Raw = "bench_raw";
    private const int StreamsPerCaller = 64;

    public static async Task<IReadOnlyList<StoredEvent>> SampleAsync(BenchDatabase run)
    {
        var list = new List<StoredEvent>();
        await using var command = run.Superuser.CreateCommand(
            "SELECT type, mt_dotnet_type, data::text, headers::text FROM readiness.mt_events ORDER BY seq_id DESC LIMIT 500");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            list.Add(new StoredEvent(reader.GetString(0), reader.IsDBNull(1) ? string.Empty : reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? "{}" : reader.GetString(3)));
        }
        return list;
    }

    public async Task CreateRawTablesAsync()
    {
        // The columns, keys and indexes of Marten 9's tables for string stream ids, without its functions.
        await using var command = owner.CreateCommand(
            $"""
            CREATE SCHEMA {Raw};
            CREATE TABLE {Raw}.mt_streams (
                id varchar NOT NULL PRIMARY KEY, type varchar NULL, version bigint NULL,
                timestamp timestamptz NOT NULL DEFAULT now(), snapshot jsonb NULL, snapshot_version integer NULL,
                created timestamptz NOT NULL DEFAULT now(), tenant_id varchar NULL DEFAULT '*DEFAULT*', is_archived bool NULL DEFAULT false);
            CREATE TABLE {Raw}.mt_events (
                seq_id bigserial NOT NULL PRIMARY KEY, id uuid NOT NULL,
                stream_id varchar NULL REFERENCES {Raw}.mt_streams(id) ON DELETE CASCADE,
                version bigint NOT NULL, data jsonb NOT NULL, type varchar(500) NOT NULL,
                timestamp timestamptz NOT NULL DEFAULT now(), tenant_id varchar NULL DEFAULT '*DEFAULT*',
                mt_dotnet_type varchar NULL, correlation_id varchar NULL, causation_id varchar NULL, headers jsonb NULL,
                is_archived bool NULL DEFAULT false);
            CREATE UNIQUE INDEX pk_mt_events_stream_and_version ON {Raw}.mt_events (stream_id, version);
            {AuditIndexes(Raw)}
            """);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The project's own indexes on the event table (infra/sql/store/010-event-indexes.sql), for another schema.</summary>
    private static string AuditIndexes(string schema) =>
        DatabaseMigrator.Script("store/010-event-indexes.sql").Replace($"{ReadinessStore.Schema}.", $"{schema}.", StringComparison.Ordinal);

    private async Task<long[]> CreateRawStreamsAsync(string tag, int callers)
    {
        await using var command = owner.CreateCommand(
            $"INSERT INTO {Raw}.mt_streams (id, type, version) SELECT '{tag}-' || g, 'unit', 0 FROM generate_series(0, {callers * StreamsPerCaller - 1}) g");
        await command.ExecuteNonQueryAsync();
        return new long[callers * StreamsPerCaller];
    }

    private StoredEvent Sample(Random random) => samples[random.Next(samples.Count)];

    /// <summary>One event per transaction: the stream's version and the event in one round trip, as Marten's quick append does.</summary>
    public async Task<LoadRun> RawSingleAsync(int callers, TimeSpan duration)
    {
        var tag = $"single{callers}";
        var versions = await CreateRawStreamsAsync(tag, callers);
        var source = owner;
        var randoms = Enumerable.Range(0, callers).Select(i => new Random(i)).ToArray();
        return await ClosedLoop.RunAsync(callers, duration, async caller =>
        {
            var random = randoms[caller];
            var slot = caller * StreamsPerCaller + random.Next(StreamsPerCaller);
            var version = ++versions[slot];
            var e = Sample(random);
            await using var connection = await source.OpenConnectionAsync();
            await using var batch = new NpgsqlBatch(connection);
            var update = new NpgsqlBatchCommand($"UPDATE {Raw}.mt_streams SET version = $1, timestamp = now() WHERE id = $2");
            update.Parameters.Add(new NpgsqlParameter { Value = version });
            update.Parameters.Add(new NpgsqlParameter { Value = $"{tag}-{slot}" });
            var insert = new NpgsqlBatchCommand(
                $"INSERT INTO {Raw}.mt_events (id, stream_id, version, data, type, mt_dotnet_type, headers) VALUES ($1, $2, $3, $4, $5, $6, $7)");
            insert.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7() });
            insert.Parameters.Add(new NpgsqlParameter { Value = $"{tag}-{slot}" });
            insert.Parameters.Add(new NpgsqlParameter { Value = version });
            insert.Parameters.Add(new NpgsqlParameter { Value = e.Data, NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new NpgsqlParameter { Value = e.Type });
            insert.Parameters.Add(new NpgsqlParameter { Value = e.DotnetType });
            insert.Parameters.Add(new NpgsqlParameter { Value = e.Headers, NpgsqlDbType = NpgsqlDbType.Jsonb });
            batch.BatchCommands.Add(update);
            batch.BatchCommands.Add(insert);
            await batch.ExecuteNonQueryAsync();
            return 1;
        });
    }

    /// <summary><paramref name="perTransaction"/> events to as many streams in one multi-row statement and one transaction.</summary>
    public async Task<LoadRun> RawMultiRowAsync(int callers, int perTransaction, TimeSpan duration)
    {
        var tag = $"multi{callers}";
        var versions = await CreateRawStreamsAsync(tag, callers);
        var source = owner;
        var randoms = Enumerable.Range(0, callers).Select(i => new Random(100 + i)).ToArray();
        return await ClosedLoop.RunAsync(callers, duration, async caller =>
        {
            var random = randoms[caller];
            var first = random.Next(StreamsPerCaller);
            var streams = new string[perTransaction];
            var streamVersions = new long[perTransaction];
            var ids = new Guid[perTransaction];
            var data = new string[perTransaction];
            var types = new string[perTransaction];
            var dotnet = new string[perTransaction];
            var headers = new string[perTransaction];
            for (var i = 0; i < perTransaction; i++)
            {
                var slot = caller * StreamsPerCaller + (first + i) % StreamsPerCaller;
                streams[i] = $"{tag}-{slot}";
                streamVersions[i] = ++versions[slot];
                ids[i] = Guid.CreateVersion7();
                var e = Sample(random);
                (data[i], types[i], dotnet[i], headers[i]) = (e.Data, e.Type, e.DotnetType, e.Headers);
            }
            await using var connection = await source.OpenConnectionAsync();
            await using var batch = new NpgsqlBatch(connection);
            var update = new NpgsqlBatchCommand(
                $"UPDATE {Raw}.mt_streams s SET version = v.version, timestamp = now() FROM unnest($1::varchar[], $2::bigint[]) AS v(id, version) WHERE s.id = v.id");
            update.Parameters.Add(new NpgsqlParameter { Value = streams });
            update.Parameters.Add(new NpgsqlParameter { Value = streamVersions });
            var insert = new NpgsqlBatchCommand(
                $"INSERT INTO {Raw}.mt_events (id, stream_id, version, data, type, mt_dotnet_type, headers) " +
                "SELECT i, s, v, d::jsonb, t, m, h::jsonb FROM unnest($1::uuid[], $2::varchar[], $3::bigint[], $4::text[], $5::varchar[], $6::varchar[], $7::text[]) AS x(i, s, v, d, t, m, h)");
            insert.Parameters.Add(new NpgsqlParameter { Value = ids });
            insert.Parameters.Add(new NpgsqlParameter { Value = streams });
            insert.Parameters.Add(new NpgsqlParameter { Value = streamVersions });
            insert.Parameters.Add(new NpgsqlParameter { Value = data });
            insert.Parameters.Add(new NpgsqlParameter { Value = types });
            insert.Parameters.Add(new NpgsqlParameter { Value = dotnet });
            insert.Parameters.Add(new NpgsqlParameter { Value = headers });
            batch.BatchCommands.Add(update);
            batch.BatchCommands.Add(insert);
            await batch.ExecuteNonQueryAsync();
            return perTransaction;
        });
    }

    /// <summary>Bulk COPY of <paramref name="perTransaction"/> events per transaction: the ceiling for an append path.</summary>
    public async Task<LoadRun> RawCopyAsync(int callers, int perTransaction, TimeSpan duration)
    {
        var tag = $"copy{callers}";
        var versions = await CreateRawStreamsAsync(tag, callers);
        var source = owner;
        var randoms = Enumerable.Range(0, callers).Select(i => new Random(200 + i)).ToArray();
        return await ClosedLoop.RunAsync(callers, duration, async caller =>
        {
            var random = randoms[caller];
            await using var connection = await source.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            var touched = new Dictionary<string, long>(StringComparer.Ordinal);
            await using (var writer = await connection.BeginBinaryImportAsync(
                $"COPY {Raw}.mt_events (id, stream_id, version, data, type, mt_dotnet_type, headers) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 0; i < perTransaction; i++)
                {
                    var slot = caller * StreamsPerCaller + i % StreamsPerCaller;
                    var stream = $"{tag}-{slot}";
                    var version = ++versions[slot];
                    touched[stream] = version;
                    var e = Sample(random);
                    await writer.StartRowAsync();
                    await writer.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    await writer.WriteAsync(stream, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(version, NpgsqlDbType.Bigint);
                    await writer.WriteAsync(e.Data, NpgsqlDbType.Jsonb);
                    await writer.WriteAsync(e.Type, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(e.DotnetType, NpgsqlDbType.Varchar);
                    await writer.WriteAsync(e.Headers, NpgsqlDbType.Jsonb);
                }
                await writer.CompleteAsync();
            }
            await using (var update = new NpgsqlCommand(
                $"UPDATE {Raw}.mt_streams s SET version = v.version, timestamp = now() FROM unnest($1::varchar[], $2::bigint[]) AS v(id, version) WHERE s.id = v.id",
                connection, transaction))
            {
                update.Parameters.Add(new NpgsqlParameter { Value = touched.Keys.ToArray() });
                update.Parameters.Add(new NpgsqlParameter { Value = touched.Values.ToArray() });
                await update.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
            return perTransaction;
        });
    }

    public static string Describe(IReadOnlyList<StoredEvent> samples) =>
        samples.Count == 0 ? "no sample" : JsonSerializer.Serialize(new
        {
            events = samples.Count,
            meanDataBytes = samples.Average(s => System.Text.Encoding.UTF8.GetByteCount(s.Data)),
            meanHeaderBytes = samples.Average(s => System.Text.Encoding.UTF8.GetByteCount(s.Headers)),
        });

    public ValueTask DisposeAsync() => owner.DisposeAsync();
}
