using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Silo.Live;

/// <summary>One server-sent event: the province view at a sequence, and the parts that changed since the previous one.</summary>
public sealed record ProvinceChange(string ProvinceId, long Sequence, IReadOnlyList<string> Changed, string Json);

/// <summary>
/// Watches the province rosters that someone subscribes to and, when one moves on, hands the same
/// view to every subscriber. The daemon's roster cache tells it when a batch commits on this silo; a
/// silo whose daemon runs elsewhere looks at the store every <see cref="LiveFeedOptions.StorePollInterval"/>.
/// The view is rated where the GET route rates it (<see cref="LiveRosters.ViewAsync"/>), so the stream and
/// the route never disagree. Each change carries the whole view, so a client that reconnects only needs
/// the latest one to have missed nothing.
/// </summary>
public sealed partial class ProvinceLiveFeed(
    ProvinceDatabases databases,
    LiveRosters rosters,
    ReadinessClock clock,
    IOptions<JsonOptions> json,
    IOptions<LiveFeedOptions> options,
    ILogger<ProvinceLiveFeed> logger) : BackgroundService
{

    private readonly ConcurrentDictionary<string, Watched> watched = new(StringComparer.Ordinal);

    private sealed class Watched
    {
        public readonly ConcurrentDictionary<Channel<ProvinceChange>, byte> Subscribers = new();
        public long Sequence = -1;
        public ProvinceReadinessView? View;
        public ProvinceChange? Latest;
    }

    /// <summary>Subscribes to a province; the current view, if any, is the first item.</summary>
    public async Task<(ChannelReader<ProvinceChange> Reader, Action Unsubscribe)> SubscribeAsync(string provinceId, CancellationToken cancellationToken)
    {
        var entry = watched.GetOrAdd(provinceId, _ => new Watched());
        var channel = Channel.CreateBounded<ProvinceChange>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });
        entry.Subscribers[channel] = 0;
        var current = entry.Latest ?? await Refresh(provinceId, entry, cancellationToken);
        if (current is not null)
        {
            channel.Writer.TryWrite(current);
        }
        return (channel.Reader, () => entry.Subscribers.TryRemove(channel, out _));
    }

    /// <summary>Whether the province's command is registered, even if its view is not projected yet.</summary>
    public async Task<bool> ExistsAsync(string provinceId)
    {
        await using var session = databases.QuerySession(provinceId);
        // A stream at the first level of the tree is a province's command (the registration rules hold ids to echelons).
        return await session.Events.FetchStreamStateAsync(provinceId) is not null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var poll = options.Value.StorePollInterval;
        var nextCommit = rosters.NextCommit;
        while (!stoppingToken.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                await Task.WhenAny(nextCommit, Task.Delay(poll, wait.Token));
                await wait.CancelAsync();
            }
            stoppingToken.ThrowIfCancellationRequested();
            // Taken before this look, so that a batch committed while it runs wakes the next wait at once.
            nextCommit = rosters.NextCommit;
            var ids = watched.Where(w => !w.Value.Subscribers.IsEmpty).Select(w => w.Key).ToArray();
            if (ids.Length == 0)
            {
                continue;
            }
            try
            {
                var moved = new List<string>();
                foreach (var (provinceId, sequence) in await rosters.SequencesAsync(ids, stoppingToken))
                {
                    if (watched.TryGetValue(provinceId, out var entry) && sequence != Interlocked.Read(ref entry.Sequence))
                    {
                        moved.Add(provinceId);
                    }
                }
                foreach (var provinceId in moved)
                {
                    var entry = watched[provinceId];
                    if (await Refresh(provinceId, entry, stoppingToken) is { } change)
                    {
                        foreach (var subscriber in entry.Subscribers.Keys)
                        {
                            subscriber.Writer.TryWrite(change);
                        }
                    }
                }
            }
            // A poll that fails (the database restarting, say) is retried on the next tick; it must never stop the host.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogPollFailed(ex.Message);
            }
        }
    }

    private async Task<ProvinceChange?> Refresh(string provinceId, Watched entry, CancellationToken cancellationToken)
    {
        using var span = ReadinessTelemetry.Source.StartActivity("rate province");
        span?.SetTag("readiness.province", provinceId);
        var view = await rosters.ViewAsync(provinceId, clock.UtcNow, cancellationToken, newest: true);
        if (view is null)
        {
            return null;
        }
        // A subscriber's first refresh and the poll may load the roster at once; the newer one wins.
        lock (entry)
        {
            if (view.Sequence < Interlocked.Read(ref entry.Sequence))
            {
                return entry.Latest;
            }
            var changed = Changes(entry.View, view);
            var change = new ProvinceChange(provinceId, view.Sequence, changed,
                JsonSerializer.Serialize(new { sequence = view.Sequence, changed, view }, json.Value.SerializerOptions));
            entry.View = view;
            entry.Latest = change;
            Interlocked.Exchange(ref entry.Sequence, view.Sequence);
            return change;
        }
    }

    /// <summary>What a client must redraw: the districts whose figures moved, and the lists that changed.</summary>
    private static List<string> Changes(ProvinceReadinessView? before, ProvinceReadinessView after)
    {
        if (before is null)
        {
            return ["all"];
        }
        var changed = new List<string>();
        if (before.Units != after.Units || before.Level != after.Level)
        {
            changed.Add("province");
        }
        var previous = before.Districts.ToDictionary(d => d.Id, StringComparer.Ordinal);
        foreach (var district in after.Districts)
        {
            if (!previous.TryGetValue(district.Id, out var old) || !SameDistrict(old, district))
            {
                changed.Add($"district:{district.Id}");
            }
        }
        if (!before.BelowR2.SequenceEqual(after.BelowR2)) { changed.Add("belowR2"); }
        if (!before.PostsNotManned.SequenceEqual(after.PostsNotManned)) { changed.Add("postsNotManned"); }
        if (!before.OpenAlerts.SequenceEqual(after.OpenAlerts)) { changed.Add("openAlerts"); }
        if (!before.ExercisesUnderWay.SequenceEqual(after.ExercisesUnderWay)) { changed.Add("exercisesUnderWay"); }
        changed.Add("figures");
        return changed;
    }

    private static bool SameDistrict(DistrictReadinessView a, DistrictReadinessView b) =>
        a.Level == b.Level && a.Units == b.Units && a.ActualStrength == b.ActualStrength && a.AuthorisedStrength == b.AuthorisedStrength
        && a.Communes.SequenceEqual(b.Communes) && a.BelowR2.SequenceEqual(b.BelowR2) && a.PostsNotManned.SequenceEqual(b.PostsNotManned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Live feed could not poll the province views: {Reason}")]
    private partial void LogPollFailed(string reason);
}
