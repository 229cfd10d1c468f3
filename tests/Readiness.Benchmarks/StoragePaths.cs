using System.Text;
using System.Text.Json;
using JasperFx;
using Marten;
using Npgsql;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Benchmarks;

/// <summary>
/// The project's own append path (<see cref="GroupCommit"/> and <see cref="EventStore.AppendAsync"/>,
/// the append_streams function) beside Marten's quick append, on the same events sampled from what the
/// grains wrote, at the same concurrency, into the same tables: a database of its own, migrated as the
/// silo's, with no daemon reading it, so neither path pays for a projection the other does not.
/// Both serialise each event's body and headers on every append, as the grain and Marten's session do.
/// </summary>
public sealed class StoragePaths : IAsyncDisposable
{
    private const int StreamsPerCaller = 64;

    private readonly BenchDatabase database;
    private readonly NpgsqlDataSource app;
    private readonly DocumentStore marten;
    private readonly EventStore events;
    private readonly GroupCommit commits;
    private readonly ISerializer serializer;
    private readonly Sample[] samples;

    /// <summary>A sampled event as both paths take it: its body as an object, its headers as values.</summary>
    private sealed record Sample(object Body, string Type, string DotnetType, Dictionary<string, object> Headers);

    private StoragePaths(BenchDatabase database, NpgsqlDataSource app, DocumentStore marten, Sample[] samples)
    {
        this.database = database;
        this.app = app;
        this.marten = marten;
        this.samples = samples;
        serializer = marten.Options.Serializer();
        events = new EventStore(app, marten);
        commits = new GroupCommit(events);
    }

    public static async Task<StoragePaths> CreateAsync(IReadOnlyList<StoredEvent> stored)
    {
        var database = await BenchDatabase.CreateAsync();
        // The application role for both, as the silo appends with it.
        var app = NpgsqlDataSource.Create(database.AppConnectionString);
        var marten = DocumentStore.For(options =>
        {
            options.Connection(database.AppConnectionString);
            options.DatabaseSchemaName = ReadinessStore.Schema;
            options.AutoCreateSchemaObjects = AutoCreate.None;
            // The project's event settings, quick append among them (EventAppendMode.Quick).
            ReadinessStore.ConfigureEvents(options);
        });
        var serializer = marten.Options.Serializer();
        var samples = stored
            .Select(s => (Stored: s, Type: EventCatalogue.TypeOf(s.Type)))
            .Where(s => s.Type is not null)
            .Select(s => new Sample(serializer.FromJson(s.Type!, new MemoryStream(Encoding.UTF8.GetBytes(s.Stored.Data))), s.Stored.Type,
                EventCatalogue.DotnetTypeOf(s.Type!), Headers(s.Stored.Headers)))
            .ToArray();
        if (samples.Length == 0)
        {
            throw new InvalidOperationException("No sampled event is of a catalogued type.");
        }
        return new StoragePaths(database, app, marten, samples);
    }

    private static Dictionary<string, object> Headers(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.String ? (object)p.Value.GetString()! : p.Value.Clone(), StringComparer.Ordinal);
    }

    /// <summary>The database both paths write to.</summary>
    public BenchDatabase Database => database;

    private Sample Pick(Random random) => samples[random.Next(samples.Length)];

    private StagedEvent Staged(Sample e) =>
        new(Guid.CreateVersion7(), e.Type, e.DotnetType, serializer.ToJson(e.Body), JsonSerializer.Serialize(e.Headers), null, null);

    /// <summary>Streams for <paramref name="callers"/> through the project's path, each at version 1.</summary>
    private async Task<string[]> StoreStreamsAsync(string tag, int callers)
    {
        var random = new Random(7);
        var streams = Enumerable.Range(0, callers * StreamsPerCaller).Select(slot => $"{tag}-{slot}").ToArray();
        foreach (var chunk in streams.Chunk(500))
        {
            await events.AppendAsync([.. chunk.Select(s => new StreamAppend(s, 0, [Staged(Pick(random))]))]);
        }
        return streams;
    }

    /// <summary>
    /// The grains' path: each caller appends one event to one of its streams and waits for its commit;
    /// appends that arrive together share a transaction (<see cref="GroupCommit"/>).
    /// </summary>
    public async Task<LoadRun> StoreGroupedAsync(int callers, TimeSpan duration)
    {
        var streams = await StoreStreamsAsync($"g{callers}", callers);
        var versions = streams.Select(_ => 1L).ToArray();
        var randoms = Enumerable.Range(0, callers).Select(i => new Random(400 + i)).ToArray();
        return await ClosedLoop.RunAsync(callers, duration, async caller =>
        {
            var random = randoms[caller];
            var slot = caller * StreamsPerCaller + random.Next(StreamsPerCaller);
            var from = versions[slot];
            await commits.AppendAsync(new StreamAppend(streams[slot], from, [Staged(Pick(random))]));
            versions[slot] = from + 1;
            return 1;
        });
    }

    /// <summary>
    /// The append function alone: <paramref name="perTransaction"/> streams of one event each per
    /// statement, every caller its own transaction, no grouping.
    /// </summary>
    public async Task<LoadRun> StoreDirectAsync(int callers, int perTransaction, TimeSpan duration)
    {
        var streams = await StoreStreamsAsync($"d{perTransaction}x{callers}", callers);
        var versions = streams.Select(_ => 1L).ToArray();
        var randoms = Enumerable.Range(0, callers).Select(i => new Random(500 + i)).ToArray();
        return await ClosedLoop.RunAsync(callers, duration, async caller =>
        {
            var random = randoms[caller];
            var first = random.Next(StreamsPerCaller);
            var appends = new StreamAppend[perTransaction];
            for (var i = 0; i < perTransaction; i++)
            {
                var slot = caller * StreamsPerCaller + (first + i) % StreamsPerCaller;
                appends[i] = new StreamAppend(streams[slot], versions[slot], [Staged(Pick(random))]);
            }
            await events.AppendAsync(appends);
            for (var i = 0; i < perTransaction; i++)
            {
                versions[caller * StreamsPerCaller + (first + i) % StreamsPerCaller]++;
            }
            return perTransaction;
        });
    }

    /// <summary>Marten's quick append: a session of <paramref name="perSession"/> streams, each appended with its expected version.</summary>
    public async Task<LoadRun> MartenQuickAsync(int callers, int perSession, TimeSpan duration)
    {
        var tag = $"q{perSession}x{callers}";
        var versions = new long[callers * StreamsPerCaller];
        var seed = new Random(8);
        await using (var session = marten.LightweightSession())
        {
            for (var slot = 0; slot < versions.Length; slot++)
            {
                session.Events.StartStream($"{tag}-{slot}", Pick(seed).Body);
                versions[slot] = 1;
            }
            await session.SaveChangesAsync();
        }
        var randoms = Enumerable.Range(0, callers).Select(i => new Random(600 + i)).ToArray();
        return await ClosedLoop.RunAsync(callers, duration, async caller =>
        {
            var random = randoms[caller];
            var first = random.Next(StreamsPerCaller);
            await using var session = marten.LightweightSession();
            for (var i = 0; i < perSession; i++)
            {
                var slot = caller * StreamsPerCaller + (first + i) % StreamsPerCaller;
                var e = Pick(random);
                var action = session.Events.Append($"{tag}-{slot}", versions[slot] + 1, e.Body);
                foreach (var appended in action.Events)
                {
                    foreach (var (name, value) in e.Headers)
                    {
                        appended.SetHeader(name, value);
                    }
                }
            }
            await session.SaveChangesAsync();
            for (var i = 0; i < perSession; i++)
            {
                versions[caller * StreamsPerCaller + (first + i) % StreamsPerCaller]++;
            }
            return perSession;
        });
    }

    /// <summary>What each path wrote per event, to show the two wrote the same rows.</summary>
    public Task<string> RowsAsync() => database.TextAsync(
        """
        SELECT json_object_agg(path, json_build_object('events', n, 'dataBytes', data, 'headerBytes', headers))::text FROM (
          SELECT CASE WHEN stream_id LIKE 'q%' THEN 'marten' ELSE 'store' END AS path, count(*) AS n,
                 avg(pg_column_size(data))::int AS data, avg(pg_column_size(headers))::int AS headers
          FROM readiness.mt_events GROUP BY 1) paths
        """);

    public async ValueTask DisposeAsync()
    {
        await commits.DisposeAsync();
        marten.Dispose();
        await app.DisposeAsync();
        await database.DisposeAsync();
    }
}
