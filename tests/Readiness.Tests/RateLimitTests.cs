using System.Net;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo that allows each caller a burst of five requests and one a second after that.</summary>
public sealed class ThrottledSiloFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        Database = await cluster.CreateDatabaseAsync("throttled");
        Host = new SiloHost(Database, loadDemo: false, settings: new Dictionary<string, string>
        {
            ["Readiness:RateLimit:Burst"] = "5",
            ["Readiness:RateLimit:PermitsPerSecond"] = "1",
        });
        (await Host.StartAndWaitUntilReadyAsync()).Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public class RateLimitTests(ThrottledSiloFixture fixture) : IClassFixture<ThrottledSiloFixture>
{
    [Fact]
    public async Task A_caller_past_its_limit_gets_429_with_retry_after_and_another_caller_is_not_held_back()
    {
        using var greedy = fixture.Host.ClientWith(fixture.Host.Token(["bac-kan"], [Access.Viewer], subject: "greedy"));
        // Counted, not timed: ask until five refusals came back, however slowly a loaded machine sends.
        // The bucket holds five and gains one a second, so what was let through can never exceed five
        // plus one for each second begun since the first request (and one for a refill in flight).
        var statuses = new List<HttpResponseMessage>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (statuses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests) < 5 && statuses.Count < 200)
        {
            statuses.Add(await greedy.GetAsync(new Uri("/api/region/provinces", UriKind.Relative)));
        }
        var elapsed = clock.Elapsed;
        var allowed = statuses.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(statuses.Take(5), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(statuses.Count, allowed + statuses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.True(allowed <= 5 + (int)Math.Ceiling(elapsed.TotalSeconds) + 1,
            $"{allowed} of {statuses.Count} requests let through in {elapsed.TotalSeconds:F1} s, past a burst of 5 and 1 a second");
        using var other = fixture.Host.ClientWith(fixture.Host.Token(["cao-bang"], [Access.Viewer], subject: "patient"));
        using var others = await other.GetAsync(new Uri("/api/region/provinces", UriKind.Relative));
        using var health = await greedy.GetAsync(new Uri("/health/live", UriKind.Relative));

        var refused = statuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(5, refused.Count);
        Assert.All(refused, r =>
        {
            Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "Retry-After");
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        });
        Assert.Equal(HttpStatusCode.OK, others.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        statuses.ForEach(r => r.Dispose());
    }
}
