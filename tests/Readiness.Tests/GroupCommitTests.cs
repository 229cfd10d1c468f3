using System.Diagnostics.Metrics;
using JasperFx;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>Appends that share a transaction still answer each for itself.</summary>
public class GroupCommitTests(SiloFixture silo)
{
    [Fact]
    public async Task Appends_committed_together_each_keep_their_expected_version_and_a_conflict_fails_only_its_own()
    {
        var provinces = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => silo.NewProvinceAsync()));
        var units = provinces.SelectMany(p => new[] { p.ProvinceId, p.DistrictId, p.CommuneId }).ToArray();
        var registered = units.ToDictionary(u => u, _ => 1L);
        await using var store = DocumentStore.For(options => ReadinessStore.Configure(options, silo.Database.AppConnectionString, TimeProvider.System));
        await using var database = Npgsql.NpgsqlDataSource.Create(silo.Database.AppConnectionString);
        await using var commits = new GroupCommit(new EventStore(database, store));
        var serializer = store.Options.Serializer();

        Task Enlist(string unit, long expectedVersion) => commits.AppendAsync(new StreamAppend(unit, expectedVersion - 1,
        [
            new StagedEvent(Guid.CreateVersion7(), EventCatalogue.StoredNameOf(typeof(RecruitsEnlisted)), EventCatalogue.DotnetTypeOf(typeof(RecruitsEnlisted)),
                serializer.ToJson(new RecruitsEnlisted(unit, 1, 2026, DateTimeOffset.UtcNow.AddDays(-1))), "{}", null, null),
        ]));

        // Every unit once, submitted together so that the writers take them in batches, and the
        // first unit a second time with the same expected version, as a second activation would.
        var appends = units.Select(u => (Unit: u, Task: Enlist(u, registered[u] + 1))).ToList();
        appends.Add((units[0], Enlist(units[0], registered[units[0]] + 1)));
        var outcomes = new List<(string Unit, Exception? Error)>();
        foreach (var (unit, task) in appends)
        {
            try
            {
                await task;
                outcomes.Add((unit, null));
            }
            catch (Exception ex)
            {
                outcomes.Add((unit, ex));
            }
        }

        Assert.All(outcomes.Where(o => o.Unit != units[0]), o => Assert.Null(o.Error));
        var first = outcomes.Where(o => o.Unit == units[0]).ToList();
        Assert.Single(first, o => o.Error is null);
        Assert.IsAssignableFrom<ConcurrencyException>(Assert.Single(first, o => o.Error is not null).Error);
        foreach (var unit in units)
        {
            Assert.Equal(2, await silo.Database.ScalarAsync("SELECT version FROM readiness.mt_streams WHERE id = @unit", ("unit", unit)));
            Assert.Equal(2, await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE stream_id = @unit", ("unit", unit)));
        }
    }

    [Fact]
    public async Task Under_concurrent_commands_appends_of_different_streams_share_one_transaction()
    {
        var provinces = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => silo.NewProvinceAsync()));
        var units = provinces.SelectMany(p => new[] { p.ProvinceId, p.DistrictId, p.CommuneId }).ToArray();
        var meter = silo.Host.Services.GetRequiredService<ReadinessTelemetry>().Meter;
        var batches = new System.Collections.Concurrent.ConcurrentBag<int>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                // This silo's meter only: other silos of the test run publish one of the same name.
                if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "readiness.appends.per_commit")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, appends, _, _) => batches.Add(appends));
        listener.Start();

        // Every grain at once, four commands each, through the grains as any caller's commands go.
        await Task.WhenAll(units.SelectMany(u => Enumerable.Range(0, 4).Select(_ =>
            silo.AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), u, ForceType.Standing, 1)))));
        listener.Dispose();

        // PostgreSQL's own word: the transaction that wrote each event row. With one commit per append
        // every transaction would hold one stream's events.
        var shared = await silo.Database.ScalarAsync("""
            SELECT coalesce(max(streams), 0) FROM (
                SELECT count(DISTINCT stream_id) AS streams FROM readiness.mt_events
                WHERE stream_id = ANY(@units) AND type = 'members_joined' GROUP BY xmin::text) AS t
            """, ("units", units));
        Assert.True(shared >= 2, $"No transaction held the appends of more than {shared} stream(s).");
        // The histogram says the same; other tests' commits may be in it too, but ours are.
        Assert.Contains(batches, b => b >= 2);
        Assert.True(batches.Sum() >= units.Length * 4, $"{batches.Sum()} appends measured");
    }

    [Fact]
    public async Task A_commit_refused_for_a_stream_that_moved_on_or_exists_already_writes_nothing_and_draws_no_sequence_number()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("refusedcommit");
        await using var store = DocumentStore.For(options => ReadinessStore.Configure(options, database.AppConnectionString, TimeProvider.System));
        await using var source = Npgsql.NpgsqlDataSource.Create(database.AppConnectionString);
        var events = new EventStore(source, store);
        var serializer = store.Options.Serializer();
        StreamAppend Enlist(string unit, long fromVersion) => new(unit, fromVersion,
        [
            new StagedEvent(Guid.CreateVersion7(), EventCatalogue.StoredNameOf(typeof(RecruitsEnlisted)), EventCatalogue.DotnetTypeOf(typeof(RecruitsEnlisted)),
                serializer.ToJson(new RecruitsEnlisted(unit, 1, 2026, DateTimeOffset.UtcNow.AddDays(-1))), "{}", null, null),
        ]);
        await events.AppendAsync([Enlist("p/a", 0), Enlist("p/b", 0)]);
        var drawn = await database.ScalarAsync("SELECT last_value FROM readiness.mt_events_sequence");

        var moved = await Assert.ThrowsAsync<ConcurrencyException>(() => events.AppendAsync([Enlist("p/c", 0), Enlist("p/a", 4)]));
        var exists = await Assert.ThrowsAsync<ExistingStreamIdCollisionException>(() => events.AppendAsync([Enlist("p/b", 0)]));

        Assert.Contains("p/a", moved.Message, StringComparison.Ordinal);
        Assert.Contains("p/b", exists.Message, StringComparison.Ordinal);
        Assert.Equal(0, await database.ScalarAsync("SELECT count(*) FROM readiness.mt_streams WHERE id = 'p/c'"));
        Assert.Equal(drawn, await database.ScalarAsync("SELECT last_value FROM readiness.mt_events_sequence"));
        // The next commit continues the sequence with no hole for the daemon or the Merkle log to wait on.
        await events.AppendAsync([Enlist("p/a", 1), Enlist("p/c", 0)]);
        Assert.Equal(new long[] { 1, 2, 3, 4 }, await SequencesAsync(database));
        Assert.Equal(2, await database.ScalarAsync("SELECT version FROM readiness.mt_streams WHERE id = 'p/a'"));
        Assert.Equal(2, await database.ScalarAsync("SELECT version FROM readiness.mt_events WHERE seq_id = 3"));
    }

    private static async Task<long[]> SequencesAsync(TestDatabase database)
    {
        await using var connection = new Npgsql.NpgsqlConnection(database.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT array_agg(seq_id ORDER BY seq_id) FROM readiness.mt_events", connection);
        return (long[])(await command.ExecuteScalarAsync())!;
    }
}
