using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo started twice on one database: the demo loads once, and what was acknowledged stays.</summary>
public class RestartTests
{
    [Fact]
    public async Task A_second_start_does_not_load_the_demo_again_and_keeps_every_event()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var database = await cluster.CreateDatabaseAsync("restart");

        long afterFirstStart;
        await using (var first = new SiloHost(database, loadDemo: true))
        {
            using var http = await first.StartAndWaitUntilReadyAsync();
            // Loading the demo year takes seconds, and until then the silo says it is not ready, and why.
            Assert.Contains(first.ReadinessAnswers, answer =>
                answer.Status == System.Net.HttpStatusCode.ServiceUnavailable && answer.Body.Contains("demo province is loading", StringComparison.Ordinal));
            var result = await first.Grains.GetGrain<IUnitGrain>("bac-kan/na-ri/kim-hy")
                .Execute(new EnlistRecruits("restart-test", "bac-kan/na-ri/kim-hy", 1, 2024));
            Assert.True(result.Accepted);
            afterFirstStart = await database.CountAllEventsAsync();
        }

        await using var second = new SiloHost(database, loadDemo: true);
        using var secondHttp = await second.StartAndWaitUntilReadyAsync();
        var retried = await second.Grains.GetGrain<IUnitGrain>("bac-kan/na-ri/kim-hy")
            .Execute(new EnlistRecruits("restart-test", "bac-kan/na-ri/kim-hy", 1, 2024));

        Assert.True(afterFirstStart > 6_000, $"the demo wrote {afterFirstStart} events");
        Assert.Equal(afterFirstStart, await database.CountAllEventsAsync());
        Assert.True(retried.AlreadyApplied);
    }
}
