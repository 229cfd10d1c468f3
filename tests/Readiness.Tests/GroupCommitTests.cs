using JasperFx;
using Marten;
using Readiness.Contracts;
using Readiness.Grains.Storage;
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
        await using var commits = new GroupCommit(store);

        Task Enlist(string unit, long expectedVersion) => commits.AppendAsync(session =>
            session.Events.Append(unit, expectedVersion, new RecruitsEnlisted(unit, 1, 2026, DateTimeOffset.UtcNow.AddDays(-1))));

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
}
