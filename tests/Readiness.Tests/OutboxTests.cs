extern alias cli;

using System.Text.Json;
using cli::Readiness.Cli;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo of the outbox tests' own, so that the store's event count moves only with what they send.</summary>
public sealed class OutboxSilo() : OwnSilo("outbox");

/// <summary>
/// Offline reporting: commands queued while the silo cannot be reached (a loopback port nobody listens on), then
/// synced to a running silo, are each applied once, in order, whatever was resent, refused or interrupted.
/// </summary>
public sealed class OutboxTests(OutboxSilo silo) : IClassFixture<OutboxSilo>, IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("readiness-outbox-").FullName;

    private string Token => silo.Http.DefaultRequestHeaders.Authorization!.Parameter!;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Commands_queued_while_the_silo_is_down_are_each_applied_once_when_it_is_back()
    {
        var outbox = new ReadinessOutbox(directory);
        var province = $"o{Guid.NewGuid():N}"[..12];
        var commune = $"{province}/district-a/commune-1";
        var before = await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events");
        using var down = ClientAt(new Uri($"http://127.0.0.1:{LoopbackPorts.Next()}"));

        // The first reports go through SendOrQueueAsync, as an application would send them; the silo is not there.
        var established = DateTimeOffset.UtcNow.AddDays(-1);
        var registered = new ICommand[]
        {
            new RegisterUnit(ReadinessClient.NewCommandId(), province, "Tỉnh thử", Echelon.Province, null, 100, established),
            new RegisterUnit(ReadinessClient.NewCommandId(), $"{province}/district-a", "Huyện thử", Echelon.District, null, 40, established),
            new RegisterUnit(ReadinessClient.NewCommandId(), commune, "Xã thử", Echelon.Commune, null, 30, established),
        };
        foreach (var command in registered)
        {
            var sent = await down.SendOrQueueAsync(command, outbox, Bounded());
            Assert.True(sent.IsQueued);
            Assert.StartsWith("silo unreachable", sent.Reason, StringComparison.Ordinal);
        }
        var duplicate = new EnlistRecruits(ReadinessClient.NewCommandId(), commune, 2, DateTimeOffset.UtcNow.Year);
        var invalid = new EnlistRecruits(ReadinessClient.NewCommandId(), commune, 0, DateTimeOffset.UtcNow.Year);
        var reports = new List<ICommand>();
        for (var n = 0; n < 15; n++)
        {
            reports.Add(n switch
            {
                5 => duplicate,
                6 => duplicate,
                9 => invalid,
                _ => new RecordMembersJoined(ReadinessClient.NewCommandId(), commune, ForceType.MilitiaSelfDefence, 1),
            });
        }
        var happened = DateTimeOffset.UtcNow.AddHours(-3);
        reports.Add(new RecordMembersJoined(ReadinessClient.NewCommandId(), commune, ForceType.Standing, 1, happened));
        reports.Add(new RecordTraining(ReadinessClient.NewCommandId(), commune, "Bắn súng", 20, Grade.Good));
        Assert.True((await down.SendOrQueueAsync(reports[0], outbox, Bounded())).IsQueued);
        foreach (var command in reports.Skip(1))
        {
            await outbox.EnqueueAsync(command, Bounded());
        }
        var queued = await outbox.PendingAsync(Bounded());
        Assert.Equal(20, queued.Count);
        Assert.Equal([.. registered.Select(c => c.CommandId), .. reports.Select(c => c.CommandId)], queued.Select(e => e.CommandId));
        // A report without occurredAt keeps the moment it was queued; one with its own keeps that.
        // Through SendOrQueueAsync, the moment it was first tried, before its retries; queued directly, the moment it was queued.
        Assert.All(queued.Take(3), e => Assert.Equal(established, e.OccurredAt));
        Assert.InRange(queued[3].OccurredAt, queued[3].QueuedAt.AddSeconds(-30), queued[3].QueuedAt);
        Assert.All(queued.Skip(4).Where(e => e.CommandId != reports[^2].CommandId), e => Assert.Equal(e.QueuedAt, e.OccurredAt));
        Assert.Equal(happened, queued.Single(e => e.CommandId == reports[^2].CommandId).OccurredAt);
        Assert.Equal("record-members-joined", queued[3].Kind);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(outbox.FilePath));
        }

        // Still down: nothing is sent, nothing leaves the outbox, the first failure stops the sync.
        var offline = await outbox.SyncAsync(down, Bounded());
        Assert.Equal(20, offline.StillQueued);
        Assert.StartsWith("silo unreachable", offline.Results[0].Reason, StringComparison.Ordinal);
        Assert.All(offline.Results.Skip(1), r => Assert.StartsWith("not sent: ", r.Reason, StringComparison.Ordinal));
        Assert.Equal(20, (await outbox.PendingAsync(Bounded())).Count);
        Assert.Equal(before, await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events"));

        // Back up.
        using var up = ClientAt(silo.Host.BaseAddress);
        var synced = await outbox.SyncAsync(up, Bounded());

        Assert.Equal(queued.Select(e => e.EntryId), synced.Results.Select(r => r.Entry.EntryId));
        Assert.Equal((18, 1, 1, 0), (synced.Applied, synced.AlreadyApplied, synced.Refused, synced.StillQueued));
        Assert.Equal(OutboxOutcome.AlreadyApplied, synced.Results[3 + 6].Outcome);
        Assert.Equal(synced.Results[3 + 5].Accepted, synced.Results[3 + 6].Accepted! with { AlreadyApplied = false });
        var refused = Assert.Single(synced.Results, r => r.Outcome == OutboxOutcome.Refused);
        Assert.Equal(invalid.CommandId, refused.Entry.CommandId);
        Assert.Equal(400, refused.Status);
        Assert.StartsWith("The number of recruits must be at least 1", refused.Reason, StringComparison.Ordinal);
        Assert.Empty(await outbox.PendingAsync(Bounded()));

        // The store rose by the applied commands alone, each once, under its own id and with the time it happened.
        Assert.Equal(before + synced.Applied, await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events"));
        foreach (var entry in queued.Where(e => e.CommandId != invalid.CommandId).DistinctBy(e => e.CommandId))
        {
            Assert.Equal(1, await silo.Database.ScalarAsync(
                "SELECT count(*) FROM readiness.mt_events WHERE headers->>'command-id' = @id", ("id", entry.CommandId)));
        }
        Assert.Equal(0, await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE headers->>'command-id' = @id", ("id", invalid.CommandId)));
        var view = await up.GetUnitAsync(commune, Bounded());
        Assert.Equal(2 + 12 + 1, view.ActualStrength);
        // The late report's evidence says when it happened and when it reached the record, within the store's own timestamp's transaction.
        var lateVersion = synced.Results.Single(r => r.Entry.CommandId == reports[^2].CommandId).Accepted!.Version;
        var evidence = view.Rating.Areas.Single(a => a.Area == ReadinessArea.Personnel).Evidence.Single(e => e.Version == lateVersion);
        Assert.Equal(happened.UtcTicks / 10, evidence.OccurredAt.UtcTicks / 10);
        var recorded = await silo.Database.ScalarAsync(
            "SELECT (extract(epoch FROM timestamp) * 1000000)::bigint FROM readiness.mt_events WHERE headers->>'command-id' = @id", ("id", reports[^2].CommandId));
        Assert.InRange(evidence.RecordedAt!.Value, DateTimeOffset.UnixEpoch.AddTicks(recorded * 10).AddSeconds(-5), DateTimeOffset.UnixEpoch.AddTicks(recorded * 10).AddSeconds(5));
        // A rebuild folds the same times: the silo's note of when it recorded the event is kept with the event.
        var rebuild = await up.StartRebuildAsync(ReadinessClient.AllProjections, Bounded());
        var rebuilt = await up.WaitForRebuildAsync(rebuild.Id, pollInterval: TimeSpan.FromMilliseconds(50), cancellationToken: Bounded());
        Assert.True(rebuilt.State == RebuildState.Succeeded, rebuilt.Error);
        Assert.Equal(ComparableViews.Of(view), ComparableViews.Of(await up.GetUnitAsync(commune, Bounded())));
        Assert.True(evidence.RecordedAt > evidence.OccurredAt.AddHours(2.9));

        // Nothing is left to send, and a second sync sends nothing.
        var again = await outbox.SyncAsync(up, Bounded());
        Assert.Empty(again.Results);
        Assert.Equal(before + synced.Applied, await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events"));
    }

    [Fact]
    public async Task A_sync_cancelled_mid_way_and_run_again_applies_nothing_twice()
    {
        var outbox = new ReadinessOutbox(directory);
        var province = $"o{Guid.NewGuid():N}"[..12];
        await outbox.EnqueueAsync(new RegisterUnit(ReadinessClient.NewCommandId(), province, "Tỉnh thử", Echelon.Province, null, 100), Bounded());
        for (var n = 0; n < 9; n++)
        {
            await outbox.EnqueueAsync(new RecordMembersJoined(ReadinessClient.NewCommandId(), province, ForceType.Standing, 1), Bounded());
        }
        var queued = await outbox.PendingAsync(Bounded());
        var before = await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events");

        // Cancelled just after the silo answered the fourth command, before the outbox could mark it done.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Bounded());
        using var cutting = ClientAt(silo.Host.BaseAddress, new CancelAfter(4, stop));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => outbox.SyncAsync(cutting, stop.Token));
        Assert.Equal(queued.Skip(3).Select(e => e.EntryId), (await outbox.PendingAsync(Bounded())).Select(e => e.EntryId));

        using var up = ClientAt(silo.Host.BaseAddress);
        var resumed = await outbox.SyncAsync(up, Bounded());

        Assert.Equal(queued.Skip(3).Select(e => e.EntryId), resumed.Results.Select(r => r.Entry.EntryId));
        Assert.Equal(OutboxOutcome.AlreadyApplied, resumed.Results[0].Outcome);
        Assert.All(resumed.Results.Skip(1), r => Assert.Equal(OutboxOutcome.Applied, r.Outcome));
        Assert.Equal(before + 10, await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events"));
        foreach (var entry in queued)
        {
            Assert.Equal(1, await silo.Database.ScalarAsync(
                "SELECT count(*) FROM readiness.mt_events WHERE headers->>'command-id' = @id", ("id", entry.CommandId)));
        }
        Assert.Empty(await outbox.PendingAsync(Bounded()));
    }

    [Fact]
    public async Task Outbox_lists_what_waits_and_sync_says_what_became_of_each()
    {
        var outbox = new ReadinessOutbox(directory);
        var province = $"o{Guid.NewGuid():N}"[..12];
        var register = new RegisterUnit(ReadinessClient.NewCommandId(), province, "Tỉnh thử", Echelon.Province, null, 100);
        var invalid = new RecordMembersJoined(ReadinessClient.NewCommandId(), province, ForceType.Standing, 0);
        var closed = $"http://127.0.0.1:{LoopbackPorts.Next()}";
        // An operator's report while the silo is down waits in the outbox, with the moment it was sent as when it happened.
        var sent = await CliRun.RunAsync(SendCommand.RunAsync, "register-unit", JsonSerializer.Serialize(register, ContractJson.Options),
            "--queue-if-offline", "--outbox", directory, "--url", closed, "--token", Token);
        Assert.Equal(0, sent.Code);
        Assert.StartsWith($"queued           register-unit {register.CommandId}: silo unreachable", sent.Output, StringComparison.Ordinal);
        Assert.Contains("readiness sync sends it", sent.Error, StringComparison.Ordinal);
        await outbox.EnqueueAsync(invalid, Bounded());

        var listed = await CliRun.RunAsync(OutboxCommand.RunOutboxAsync, "--outbox", directory);
        var offline = await CliRun.RunAsync(OutboxCommand.RunSyncAsync, "--outbox", directory, "--url", closed, "--token", Token);
        var synced = await CliRun.RunAsync(OutboxCommand.RunSyncAsync, "--outbox", directory, "--url", silo.Host.BaseAddress.ToString(), "--token", Token, "--json");
        var empty = await CliRun.RunAsync(OutboxCommand.RunOutboxAsync, "--outbox", directory, "--json");
        var emptyText = await CliRun.RunAsync(OutboxCommand.RunOutboxAsync, "--outbox", directory);

        Assert.Equal(0, listed.Code);
        var lines = listed.Output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches($"^register-unit +{register.CommandId}  occurred [0-9-]+ [0-9:]+Z  waiting [0-9]+ s$", lines[0]);
        Assert.StartsWith("record-members-joined ", lines[1], StringComparison.Ordinal);
        Assert.Equal($"2 queued in {outbox.Directory}; readiness sync sends them.", lines[2]);

        Assert.Equal(1, offline.Code);
        var offlineLines = offline.Output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith($"still queued     register-unit {register.CommandId}: silo unreachable", offlineLines[0], StringComparison.Ordinal);
        Assert.Equal("Applied 0, already applied 0, refused 0, still queued 2.", offlineLines[^1]);
        Assert.Contains("run readiness sync again", offline.Error, StringComparison.Ordinal);

        Assert.Equal(1, synced.Code);
        using var report = JsonDocument.Parse(synced.Output);
        Assert.Equal((1, 0, 1, 0), (report.RootElement.GetProperty("applied").GetInt32(), report.RootElement.GetProperty("alreadyApplied").GetInt32(),
            report.RootElement.GetProperty("refused").GetInt32(), report.RootElement.GetProperty("stillQueued").GetInt32()));
        var results = report.RootElement.GetProperty("results");
        Assert.Equal(("Applied", province, 1L), (results[0].GetProperty("outcome").GetString(), results[0].GetProperty("streamId").GetString(), results[0].GetProperty("version").GetInt64()));
        Assert.Equal(("Refused", 400), (results[1].GetProperty("outcome").GetString(), results[1].GetProperty("status").GetInt32()));
        Assert.False(string.IsNullOrWhiteSpace(results[1].GetProperty("reason").GetString()));

        Assert.Equal((0, "[]"), (empty.Code, empty.Output.Trim()));
        Assert.Equal($"The outbox in {outbox.Directory} is empty.", emptyText.Output.Trim());
    }

    [Fact]
    public async Task A_line_cut_short_by_a_crash_loses_nothing_that_was_queued_before_or_after_it()
    {
        var outbox = new ReadinessOutbox(directory);
        var before = await outbox.EnqueueAsync(new EnlistRecruits(ReadinessClient.NewCommandId(), "bac-kan/ba-be/cho-ra", 2, 2025), Bounded());
        // What a crash in the middle of writing the next line leaves: half a line, no newline, never acknowledged to anyone.
        await File.AppendAllTextAsync(outbox.FilePath, "{\"type\":\"queued\",\"entry\":{\"entryId\":\"cut", Bounded());
        var after = await outbox.EnqueueAsync(new EnlistRecruits(ReadinessClient.NewCommandId(), "bac-kan/ba-be/cho-ra", 3, 2025), Bounded());

        Assert.Equal([before.EntryId, after.EntryId], (await outbox.PendingAsync(Bounded())).Select(e => e.EntryId));
    }

    private ReadinessClient ClientAt(Uri url, DelegatingHandler? handler = null)
    {
        if (handler is not null)
        {
            handler.InnerHandler = new SocketsHttpHandler();
        }
        return ReadinessClient.Create(new ReadinessClientOptions
        {
            BaseAddress = url,
            Token = Token,
            Timeout = TimeSpan.FromSeconds(10),
            MaxAttempts = 2,
            FirstRetryDelay = TimeSpan.FromMilliseconds(20),
        }, handler);
    }

    private static CancellationToken Bounded() => TestContext.Current.CancellationToken;

    /// <summary>Lets the silo answer <c>count</c> commands, then cancels the caller's token before the last answer is read.</summary>
    private sealed class CancelAfter(int count, CancellationTokenSource stop) : DelegatingHandler
    {
        private int answered;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (Interlocked.Increment(ref answered) == count)
            {
                await stop.CancelAsync();
            }
            return response;
        }
    }
}
