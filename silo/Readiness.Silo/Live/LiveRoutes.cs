using Readiness.Silo.Security;
using Readiness.Silo.Http;

namespace Readiness.Silo.Live;

internal static class LiveRoutes
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static void MapLiveRoutes(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/provinces/{provinceId}/live", StreamProvince)
            .RequireAuthorization(Policies.View).Reads(ResourceScope.Province)
            .WithTags("Live")
            .WithName("StreamProvince")
            .WithSummary("Server-Sent Events: one 'province' event each time the province's view changes, naming what changed and carrying the whole view.")
            .WithDescription("Event ids are the event-store sequence the view reflects. On connect (or reconnect with Last-Event-ID) the current view is sent first "
                + "unless the client already has it, so a client that was away misses nothing.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");

        routes.MapGet("/api/projections", GetProjectionLag)
            .RequireAuthorization(Policies.View)
            .WithTags("Live")
            // Positions and lags are the whole store's: how much every province records, which a province's viewer has no business counting.
            .Reads(ResourceScope.Everything)
            .WithName("GetProjectionLag")
            .WithSummary("Each asynchronous projection's position against the newest event: lag in events and in seconds. Needs a token scoped to '*'.")
            .Produces<IReadOnlyList<ProjectionLag>>();
    }

    private static async Task<IResult> GetProjectionLag(ProjectionLagReader reader, CancellationToken cancellationToken) =>
        Results.Ok(await reader.ReadAsync(cancellationToken));

    private static async Task StreamProvince(string provinceId, HttpContext context, ProvinceLiveFeed feed, TokenRevocations revocations, TimeProvider clock)
    {
        // The token was checked once, when the stream opened; a stream outlives that check by hours, so it
        // ends as soon as the token is revoked or expires, as the next request with it would be refused.
        using var tokenLapsed = new CancellationTokenSource();
        using var watch = WatchToken(context, revocations, clock, tokenLapsed);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, tokenLapsed.Token);
        var cancellationToken = linked.Token;
        var (reader, unsubscribe) = await feed.SubscribeAsync(provinceId, cancellationToken);
        try
        {
            if (!reader.TryPeek(out _) && !await feed.ExistsAsync(provinceId))
            {
                await Problems.NotFound("Unknown province.", $"No province '{provinceId}' has been registered (the demo province is 'bac-kan').").ExecuteAsync(context);
                return;
            }
            var lastSeen = long.TryParse(context.Request.Headers["Last-Event-ID"].FirstOrDefault(), out var id) ? id : -1;
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers["X-Accel-Buffering"] = "no";
            await context.Response.WriteAsync("retry: 2000\n\n", cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);

            while (!cancellationToken.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(Heartbeat);
                ProvinceChange change;
                try
                {
                    change = await reader.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await context.Response.WriteAsync(": still here\n\n", cancellationToken);
                    await context.Response.Body.FlushAsync(cancellationToken);
                    continue;
                }
                if (change.Sequence <= lastSeen)
                {
                    continue;
                }
                lastSeen = change.Sequence;
                await context.Response.WriteAsync($"id: {change.Sequence}\nevent: province\ndata: {change.Json}\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away, or its token lapsed: either way the stream ends here.
        }
        finally
        {
            unsubscribe();
        }
    }

    /// <summary>How often an open stream looks whether its token is still good: within this of a revocation, it ends.</summary>
    public static readonly TimeSpan TokenCheck = TimeSpan.FromMilliseconds(500);

    private static ITimer WatchToken(HttpContext context, TokenRevocations revocations, TimeProvider clock, CancellationTokenSource lapsed)
    {
        var tokenId = context.User.FindFirst(TokenIssuer.TokenIdClaim)?.Value ?? string.Empty;
        var expires = long.TryParse(context.User.FindFirst("exp")?.Value, out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.MinValue;
        return clock.CreateTimer(_ =>
        {
            if (revocations.IsRevoked(tokenId) || clock.GetUtcNow() >= expires)
            {
                try
                {
                    lapsed.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The stream ended between the tick and the check.
                }
            }
        }, null, TokenCheck, TokenCheck);
    }
}
