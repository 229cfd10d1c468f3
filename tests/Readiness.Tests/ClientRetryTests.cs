using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Contracts.Http;

namespace Readiness.Tests;

/// <summary>
/// The client library against a real HTTP server on loopback that misbehaves on purpose: a command whose
/// outcome is unknown (a timeout, a dropped connection, 408, 429, a 5xx but 501 and 505) is sent again with the same command
/// id, after 200 ms doubling (here 50 ms) and never sooner than Retry-After; any other refusal is not.
/// </summary>
public sealed class ClientRetryTests : IDisposable
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);

    // No test here may outlive a minute, whatever the client or the server does.
    private readonly CancellationTokenSource bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

    public ClientRetryTests() => bound.CancelAfter(TimeSpan.FromMinutes(1));

    public void Dispose() => bound.Dispose();

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_command_answered_with_a_transient_status_is_sent_again_with_the_same_id(int status)
    {
        await using var server = await MisbehavingServer.StartAsync(Answer.Status(status));
        var retries = new List<ReadinessRetry>();
        using var client = ClientFor(server, retries.Add);
        var command = NewCommand();

        var accepted = await client.SendAsync(command, Bounded());

        Assert.Equal(command.CommandId, accepted.CommandId);
        Assert.Equal([command.CommandId, command.CommandId], server.Attempts.Select(a => a.CommandId));
        Assert.All(server.Attempts, a => Assert.Equal("/api/commands/enlist-recruits", a.Path));
        var retry = Assert.Single(retries);
        Assert.Equal((command.CommandId, 1, FirstDelay), (retry.CommandId, retry.FailedAttempt, retry.Delay));
        Assert.StartsWith(status.ToString(System.Globalization.CultureInfo.InvariantCulture), retry.Reason, StringComparison.Ordinal);
        Assert.True(Waited(server.Gap(1), FirstDelay), $"Sent again after {server.Gap(1).TotalMilliseconds} ms.");
    }

    [Fact]
    public async Task Retry_After_is_waited_out_before_the_command_is_sent_again()
    {
        await using var server = await MisbehavingServer.StartAsync(Answer.Status(503, retryAfterSeconds: 1));
        var retries = new List<ReadinessRetry>();
        using var client = ClientFor(server, retries.Add);
        var command = NewCommand();

        await client.SendAsync(command, Bounded());

        Assert.Equal([command.CommandId, command.CommandId], server.Attempts.Select(a => a.CommandId));
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(retries).Delay);
        Assert.True(Waited(server.Gap(1), TimeSpan.FromSeconds(1)), $"Sent again after {server.Gap(1).TotalMilliseconds} ms, before Retry-After: 1.");
    }

    [Fact]
    public async Task Failures_of_every_kind_are_retried_with_waits_doubling_up_to_the_fourth_attempt()
    {
        await using var server = await MisbehavingServer.StartAsync(Answer.Drop(), Answer.Status(408), Answer.Status(502));
        var retries = new List<ReadinessRetry>();
        using var client = ClientFor(server, retries.Add);
        var command = NewCommand();

        var accepted = await client.SendAsync(command, Bounded());

        Assert.True(accepted.AlreadyApplied);
        Assert.Equal(Enumerable.Repeat(command.CommandId, 4), server.Attempts.Select(a => a.CommandId));
        Assert.Equal([FirstDelay, FirstDelay * 2, FirstDelay * 4], retries.Select(r => r.Delay));
        Assert.Equal([1, 2, 3], retries.Select(r => r.FailedAttempt));
        for (var n = 1; n <= 3; n++)
        {
            Assert.True(Waited(server.Gap(n), retries[n - 1].Delay), $"Attempt {n + 1} came {server.Gap(n).TotalMilliseconds} ms after attempt {n}.");
        }
    }

    [Fact]
    public async Task A_command_that_times_out_is_sent_again_with_the_same_id()
    {
        await using var server = await MisbehavingServer.StartAsync(Answer.Hang());
        var retries = new List<ReadinessRetry>();
        using var client = ClientFor(server, retries.Add, timeout: TimeSpan.FromSeconds(1));
        var command = NewCommand();
        var clock = Stopwatch.StartNew();

        var accepted = await client.SendAsync(command, Bounded());

        Assert.Equal(command.CommandId, accepted.CommandId);
        Assert.Equal([command.CommandId, command.CommandId], server.Attempts.Select(a => a.CommandId));
        var retry = Assert.Single(retries);
        Assert.Equal("no answer within 1 s", retry.Reason);
        // The second attempt went out once the first had waited its timeout, not after the server gave up.
        Assert.True(Waited(server.Gap(1), TimeSpan.FromSeconds(1)) && clock.Elapsed < MisbehavingServer.HangFor, $"{server.Gap(1)}, {clock.Elapsed}");
    }

    [Fact]
    public async Task When_every_attempt_fails_the_last_refusal_surfaces_after_MaxAttempts()
    {
        await using var server = await MisbehavingServer.StartAsync(Answer.Status(503), Answer.Status(503), Answer.Status(503), Answer.Status(503));
        using var client = ClientFor(server, null);
        var command = NewCommand();

        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => client.SendAsync(command, Bounded()));

        Assert.Equal(503, refused.StatusCode);
        Assert.Equal(Enumerable.Repeat(command.CommandId, 4), server.Attempts.Select(a => a.CommandId));
    }

    [Fact]
    public async Task A_Retry_After_longer_than_MaxRetryAfter_is_surfaced_at_once_rather_than_waited_out()
    {
        await using var server = await MisbehavingServer.StartAsync(Answer.Status(503, retryAfterSeconds: 120));
        using var client = ClientFor(server, null);

        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => client.SendAsync(NewCommand(), Bounded()));

        Assert.Equal(503, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), refused.RetryAfter);
        Assert.Single(server.Attempts);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(422)]
    // A server that does not implement the route, or speak the HTTP version, answers the same to a resend.
    [InlineData(501)]
    [InlineData(505)]
    public async Task A_refusal_other_than_408_or_429_is_not_sent_again(int status)
    {
        await using var server = await MisbehavingServer.StartAsync(Answer.Status(status));
        var retries = new List<ReadinessRetry>();
        using var client = ClientFor(server, retries.Add);

        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => client.SendAsync(NewCommand(), Bounded()));

        Assert.Equal(status, refused.StatusCode);
        Assert.Equal($"refused with {status} on purpose", refused.Problem.Detail);
        Assert.Single(server.Attempts);
        Assert.Empty(retries);
    }

    [Fact]
    public async Task Queries_are_retried_the_same_way()
    {
        await using var server = await MisbehavingServer.StartAsync(Answer.Status(503, retryAfterSeconds: 1));
        using var client = ClientFor(server, null);

        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => client.GetUnitAsync("bac-kan/ba-be/cho-ra", Bounded()));

        // The script's 200 is a command's answer, which no unit view reads as: what matters is that it was asked twice.
        Assert.Equal(2, server.Attempts.Count);
        Assert.All(server.Attempts, a => Assert.Equal(("GET", "/api/units/bac-kan/ba-be/cho-ra", (string?)null), (a.Method, a.Path, a.CommandId)));
        Assert.True(Waited(server.Gap(1), TimeSpan.FromSeconds(1)), $"Asked again after {server.Gap(1).TotalMilliseconds} ms.");
        Assert.Equal(404, refused.StatusCode);
    }

    private static ReadinessClient ClientFor(MisbehavingServer server, Action<ReadinessRetry>? onRetry, TimeSpan? timeout = null) =>
        ReadinessClient.Create(new ReadinessClientOptions
        {
            BaseAddress = server.BaseAddress,
            Token = "not-checked-by-this-server",
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
            FirstRetryDelay = FirstDelay,
            OnRetry = onRetry,
        });

    // Timers tick on a coarse clock (4 ms on Linux) and may fire that much early; anything sooner is no wait at all.
    private static bool Waited(TimeSpan gap, TimeSpan delay) => gap >= delay - TimeSpan.FromMilliseconds(10);

    private static EnlistRecruits NewCommand() => new(ReadinessClient.NewCommandId(), "bac-kan/ba-be/cho-ra", 2, 2025);

    private CancellationToken Bounded() => bound.Token;

    /// <summary>How the server answers one attempt.</summary>
    private sealed record Answer(int StatusCode, int? RetryAfterSeconds, bool Hangs, bool Drops)
    {
        public static Answer Status(int status, int? retryAfterSeconds = null) => new(status, retryAfterSeconds, false, false);

        public static Answer Hang() => new(0, null, true, false);

        public static Answer Drop() => new(0, null, false, true);
    }

    private sealed record Attempt(long ArrivedAt, string Method, string Path, string? CommandId);

    /// <summary>
    /// Kestrel on 127.0.0.1 that answers each request with the next answer of its script, and every one after the
    /// script as the API answers a command (a 404 problem for anything else), recording what arrived and when.
    /// </summary>
    private sealed class MisbehavingServer : IAsyncDisposable
    {
        public static readonly TimeSpan HangFor = TimeSpan.FromSeconds(15);

        private readonly WebApplication app;
        private readonly Answer[] script;
        private readonly List<Attempt> attempts = [];

        private MisbehavingServer(WebApplication app, Answer[] script)
        {
            this.app = app;
            this.script = script;
        }

        public Uri BaseAddress => new(app.Urls.Single());

        public IReadOnlyList<Attempt> Attempts
        {
            get
            {
                lock (attempts)
                {
                    return [.. attempts];
                }
            }
        }

        /// <summary>The time between the arrival of attempt <paramref name="n"/> and the one after it, counted from 1.</summary>
        public TimeSpan Gap(int n)
        {
            var list = Attempts;
            return Stopwatch.GetElapsedTime(list[n - 1].ArrivedAt, list[n].ArrivedAt);
        }

        public static async Task<MisbehavingServer> StartAsync(params Answer[] script)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var server = new MisbehavingServer(app, script);
            app.Run(server.AnswerAsync);
            await app.StartAsync();
            return server;
        }

        private async Task AnswerAsync(HttpContext context)
        {
            var arrived = Stopwatch.GetTimestamp();
            string? commandId = null;
            if (HttpMethods.IsPost(context.Request.Method))
            {
                using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                commandId = body.RootElement.GetProperty("commandId").GetString();
            }
            int n;
            lock (attempts)
            {
                attempts.Add(new Attempt(arrived, context.Request.Method, context.Request.Path.Value ?? "", commandId));
                n = attempts.Count;
            }

            var answer = n <= script.Length ? script[n - 1] : null;
            if (answer is { Drops: true })
            {
                context.Abort();
                return;
            }
            if (answer is { Hangs: true })
            {
                try
                {
                    await Task.Delay(HangFor, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up on this attempt, as it should.
                }
                return;
            }
            if (answer is not null || commandId is null)
            {
                var status = answer?.StatusCode ?? StatusCodes.Status404NotFound;
                context.Response.StatusCode = status;
                if (answer?.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                await context.Response.WriteAsJsonAsync(new { title = "Misbehaving on purpose.", status, detail = $"refused with {status} on purpose" },
                    (JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
                return;
            }
            await context.Response.WriteAsJsonAsync(new CommandAccepted(commandId, "bac-kan/ba-be/cho-ra", 1, AlreadyApplied: n > 1), context.RequestAborted);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
