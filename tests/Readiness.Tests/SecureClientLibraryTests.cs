using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The client library over a real HTTP connection with a bearer token, as a higher-echelon system
/// uses it: scopes, refusals, retries with the same command id, and the live stream.
/// </summary>
public class SecureClientLibraryTests(SiloFixture silo)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private ReadinessClient ClientFor(string? token, HttpMessageHandler? handler = null, Action<ReadinessRetry>? onRetry = null, int maxAttempts = 4) =>
        ReadinessClient.Create(new ReadinessClientOptions
        {
            BaseAddress = silo.Host.BaseAddress,
            Token = token,
            Timeout = TimeSpan.FromSeconds(10),
            MaxAttempts = maxAttempts,
            FirstRetryDelay = TimeSpan.FromMilliseconds(50),
            OnRetry = onRetry,
        }, handler);

    private string TokenFor(string scope, params string[] roles) => silo.Host.Token([scope], roles, subject: $"client-test-{Guid.NewGuid():N}");

    [Fact]
    public async Task A_client_with_a_province_token_reads_its_province_and_the_region_shows_only_it()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        using var client = ClientFor(TokenFor(tree.ProvinceId, Access.Viewer));

        var province = await client.GetProvinceReadinessAsync(tree.ProvinceId);
        var region = await client.GetRegionProvincesAsync();
        var unit = await client.GetUnitAsync(tree.CommuneId);

        Assert.Equal(tree.ProvinceId, province.Id);
        Assert.Equal(tree.ProvinceId, Assert.Single(region).Id);
        Assert.Equal(tree.CommuneId, unit.Id);
    }

    [Fact]
    public async Task A_command_whose_response_was_lost_is_resent_with_the_same_id_and_stored_once()
    {
        var tree = await silo.NewProvinceAsync();
        var retries = new List<ReadinessRetry>();
        var lose = new LoseFirstResponse();
        using var client = ClientFor(TokenFor(tree.ProvinceId, Access.Reporter, Access.Viewer), lose, retries.Add);
        var command = new EnlistRecruits(ReadinessClient.NewCommandId(), tree.CommuneId, 2, 2025);

        var accepted = await client.SendAsync(command);

        Assert.True(accepted.AlreadyApplied, "The second attempt should find the first one applied.");
        Assert.Equal([command.CommandId, command.CommandId], lose.CommandIds);
        var retry = Assert.Single(retries);
        Assert.Equal((command.CommandId, 1), (retry.CommandId, retry.FailedAttempt));
        Assert.Equal(1, await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE headers->>'command-id' = @id", ("id", command.CommandId)));
        Assert.Equal(2, (await client.GetUnitAsync(tree.CommuneId)).ActualStrength);
    }

    [Fact]
    public async Task Refused_tokens_surface_as_typed_exceptions_and_append_nothing()
    {
        var tree = await silo.NewProvinceAsync();
        using var anonymous = ClientFor(null);
        using var forged = ClientFor(TokenFor(tree.ProvinceId, Access.Viewer)[..^4] + "AAAA");
        using var foreign = ClientFor(TokenFor(tree.ProvinceId, Access.Viewer, Access.Reporter));
        using var viewer = ClientFor(TokenFor(tree.ProvinceId, Access.Viewer));
        var events = await EventsOf(tree.CommuneId);

        var noToken = await Assert.ThrowsAsync<ReadinessApiException>(() => anonymous.GetUnitAsync(tree.CommuneId));
        var badToken = await Assert.ThrowsAsync<ReadinessApiException>(() => forged.GetUnitAsync(tree.CommuneId));
        var outside = await Assert.ThrowsAsync<ReadinessApiException>(() => foreign.GetProvinceReadinessAsync("bac-kan"));
        var outsideCommand = await Assert.ThrowsAsync<ReadinessApiException>(() =>
            foreign.SendAsync(new EnlistRecruits(ReadinessClient.NewCommandId(), "bac-kan/ba-be/cho-ra", 1, 2025)));
        var wrongRole = await Assert.ThrowsAsync<ReadinessApiException>(() =>
            viewer.SendAsync(new EnlistRecruits(ReadinessClient.NewCommandId(), tree.CommuneId, 1, 2025)));

        Assert.Equal((401, 401), (noToken.StatusCode, badToken.StatusCode));
        Assert.Contains("Bearer", noToken.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(403, outside.StatusCode);
        Assert.Equal("Outside your scope.", outside.Problem.Title);
        Assert.Contains("bac-kan", outside.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(403, outsideCommand.StatusCode);
        Assert.Equal(403, wrongRole.StatusCode);
        Assert.False(string.IsNullOrEmpty(wrongRole.Problem.Detail));
        Assert.Equal(events, await EventsOf(tree.CommuneId));
    }

    [Fact]
    public async Task A_429_is_waited_out_for_its_Retry_After_or_surfaced_with_it()
    {
        var tree = await silo.NewProvinceAsync();
        var token = TokenFor(tree.ProvinceId, Access.Viewer);
        var retries = new List<ReadinessRetry>();
        using var patient = ClientFor(token, new TooManyRequestsFirst(), retries.Add);
        using var hasty = ClientFor(token, new TooManyRequestsFirst(), maxAttempts: 1);

        var started = DateTimeOffset.UtcNow;
        var unit = await patient.GetUnitAsync(tree.CommuneId);
        var waited = DateTimeOffset.UtcNow - started;
        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => hasty.GetUnitAsync(tree.CommuneId));

        Assert.Equal(tree.CommuneId, unit.Id);
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.Single(retries).Delay);
        Assert.True(waited >= TimeSpan.FromSeconds(0.9), $"Waited only {waited}.");
        Assert.Equal(429, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);
        Assert.Equal("Too many requests.", refused.Problem.Title);
    }

    [Fact]
    public async Task An_administrator_mints_a_token_that_reaches_its_scope_and_no_further()
    {
        var tree = await silo.NewProvinceAsync();
        using var admin = ClientFor(TokenFor(tree.ProvinceId, Access.Admin, Access.Viewer));

        var minted = await admin.MintTokenAsync("quan-khu-test", [tree.DistrictId], [Access.Viewer], hours: 2);
        var roleNotHeld = await Assert.ThrowsAsync<ReadinessApiException>(() => admin.MintTokenAsync("auditor", [tree.DistrictId], [Access.Auditor]));
        var beyond = await Assert.ThrowsAsync<ReadinessApiException>(() => admin.MintTokenAsync("greedy", [Access.Everywhere], [Access.Viewer]));
        using var district = ClientFor(minted.Token);
        var unit = await district.GetUnitAsync(tree.CommuneId);
        var above = await Assert.ThrowsAsync<ReadinessApiException>(() => district.GetUnitAsync(tree.ProvinceId));

        Assert.InRange(minted.ExpiresAt, DateTimeOffset.UtcNow.AddHours(1.9), DateTimeOffset.UtcNow.AddHours(2.1));
        Assert.Equal(403, beyond.StatusCode);
        Assert.Equal(tree.CommuneId, unit.Id);
        Assert.Equal(403, above.StatusCode);
        Assert.Equal(403, roleNotHeld.StatusCode);

        await admin.RevokeTokenAsync(minted.TokenId);
        var revoked = await Assert.ThrowsAsync<ReadinessApiException>(() => district.GetUnitAsync(tree.CommuneId));
        var unknown = await Assert.ThrowsAsync<ReadinessApiException>(() => admin.RevokeTokenAsync("never-minted"));
        Assert.Equal(401, revoked.StatusCode);
        Assert.Equal(404, unknown.StatusCode);
    }

    [Fact]
    public async Task The_live_subscription_yields_an_update_after_a_command()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        using var client = ClientFor(TokenFor(tree.ProvinceId, Access.Viewer, Access.Reporter));
        using var stop = new CancellationTokenSource(Patience);
        await using var updates = client.WatchProvinceAsync(tree.ProvinceId, cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token);

        Assert.True(await updates.MoveNextAsync());
        var first = updates.Current;
        await client.SendAsync(new EnlistRecruits(ReadinessClient.NewCommandId(), tree.CommuneId, 3, 2025), stop.Token);
        var next = await NextWhere(updates, u => Strength(u) > Strength(first));

        Assert.Contains("all", first.Changed);
        Assert.True(next.Sequence > first.Sequence);
        Assert.Equal(Strength(first) + 3, Strength(next));
        Assert.Contains("district:" + tree.DistrictId, next.Changed);
    }

    [Fact]
    public async Task A_dropped_live_stream_reconnects_with_Last_Event_ID_and_misses_nothing()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        var drop = new BreakFirstLiveStream();
        var retries = new List<ReadinessRetry>();
        using var client = ClientFor(TokenFor(tree.ProvinceId, Access.Viewer, Access.Reporter), drop, retries.Add);
        using var stop = new CancellationTokenSource(Patience);
        await using var updates = client.WatchProvinceAsync(tree.ProvinceId, cancellationToken: stop.Token).GetAsyncEnumerator(stop.Token);

        Assert.True(await updates.MoveNextAsync());
        var first = updates.Current;
        await client.SendAsync(new EnlistRecruits(ReadinessClient.NewCommandId(), tree.CommuneId, 2, 2025), stop.Token);
        var next = await NextWhere(updates, u => Strength(u) > Strength(first));

        Assert.Equal([null, first.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)], drop.LastEventIds.Take(2));
        Assert.Contains(retries, r => r.Path.EndsWith("/live", StringComparison.Ordinal) && r.Reason.Contains("broke", StringComparison.Ordinal));
        Assert.Equal(Strength(first) + 2, Strength(next));
    }

    private static int Strength(ProvinceLiveUpdate update) => update.View.Districts.Sum(d => d.ActualStrength);

    private static async Task<ProvinceLiveUpdate> NextWhere(IAsyncEnumerator<ProvinceLiveUpdate> updates, Func<ProvinceLiveUpdate, bool> condition)
    {
        while (await updates.MoveNextAsync())
        {
            if (condition(updates.Current))
            {
                return updates.Current;
            }
        }
        throw new InvalidOperationException("The live stream ended.");
    }

    private Task<long> EventsOf(string streamId) =>
        silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE stream_id = @id", ("id", streamId));

    /// <summary>Lets the first command reach the silo, then loses its answer, as a dropped connection would.</summary>
    private sealed class LoseFirstResponse() : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<string> CommandIds { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.Content is not null)
            {
                using var body = JsonDocument.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
                CommandIds.Add(body.RootElement.GetProperty("commandId").GetString()!);
            }
            var response = await base.SendAsync(request, cancellationToken);
            if (CommandIds.Count == 1 && request.Method == HttpMethod.Post)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
                throw new HttpRequestException("The connection was reset before the answer arrived.");
            }
            return response;
        }
    }

    /// <summary>Answers the first request as a rate limiter would, with Retry-After: 1; forwards the rest.</summary>
    private sealed class TooManyRequestsFirst() : DelegatingHandler(new SocketsHttpHandler())
    {
        private int calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                return base.SendAsync(request, cancellationToken);
            }
            var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                Content = JsonContent.Create(new { title = "Too many requests.", status = 429, detail = "retry after 1 s." },
                    mediaType: new System.Net.Http.Headers.MediaTypeHeaderValue("application/problem+json")),
                RequestMessage = request,
            };
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
            return Task.FromResult(response);
        }
    }

    /// <summary>Breaks the first live connection right after its first event; records each connection's Last-Event-ID.</summary>
    private sealed class BreakFirstLiveStream() : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<string?> LastEventIds { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var live = request.RequestUri!.AbsolutePath.EndsWith("/live", StringComparison.Ordinal);
            if (live)
            {
                LastEventIds.Add(request.Headers.TryGetValues("Last-Event-ID", out var ids) ? ids.Single() : null);
            }
            var response = await base.SendAsync(request, cancellationToken);
            if (live && LastEventIds.Count == 1)
            {
                var original = response.Content;
                var broken = new StreamContent(new BreakAfterFirstEvent(await original.ReadAsStreamAsync(cancellationToken)));
                foreach (var header in original.Headers)
                {
                    broken.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
                response.Content = broken;
            }
            return response;
        }
    }

    private sealed class BreakAfterFirstEvent(Stream inner) : Stream
    {
        private readonly StringBuilder seen = new();
        private bool broken;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (broken)
            {
                throw new IOException("The connection dropped.");
            }
            var read = await inner.ReadAsync(buffer, cancellationToken);
            seen.Append(Encoding.UTF8.GetString(buffer.Span[..read]));
            var text = seen.ToString();
            var at = text.IndexOf("event: province", StringComparison.Ordinal);
            broken = at >= 0 && text.IndexOf("\n\n", at, StringComparison.Ordinal) >= 0;
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
