using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Domain.Integrity;
using Readiness.Store;

namespace Readiness.Grains.Actors;

/// <summary>
/// What every actor grain does the same way: its state is a cache of its Marten stream; a command is
/// decided by pure rules and its events appended with the expected version and the command id, and
/// only then acknowledged. A command id seen before returns the first result and appends nothing.
/// Each event is stamped with who recorded it, when it happened and its link in the stream's hash
/// chain (<see cref="EventChain"/>).
/// Orleans runs one call at a time per grain; the expected version guards against a second
/// activation elsewhere.
/// </summary>
public abstract partial class EventSourcedGrain<TState>(ProvinceDatabases databases, ReadinessClock clock, ReadinessTelemetry telemetry, ILogger logger) : Grain
{
    private const int MaxCommandIdLength = 128;
    private const int ConcurrencyRetries = 3;

    /// <summary>
    /// Events folded since the last snapshot before another is written. A cold activation then reads
    /// a snapshot and at most this many events rather than the whole stream
    /// (docs/performance/2026-11-30.md, Cold activation); a snapshot of a long stream, with its command
    /// ids, is written once per this many events.
    /// </summary>
    public const int SnapshotEvery = 500;

    private static readonly string StateShape = SnapshotShape.Of(typeof(TState));

    // Every command id applied to the stream, by digest (CommandDigests) rather than as text: an idle
    // grain keeps 16 bytes per command, not the id's string. Null while there is none.
    private Dictionary<UInt128, long>? versionByCommand;
    private readonly ActorStreams bodies = databases.Main.Streams;
    private ChainLink lastHash;
    private long snapshotVersion;
    // Set when an append failed without saying whether it committed (the connection broke at COMMIT,
    // the database went away): the store, not this cache, knows the truth until reloaded.
    private bool outcomeUnknown;

    protected TState State { get; private set; } = default!;
    protected long Version { get; private set; }
    protected ReadinessClock Clock => clock;
    protected string Id => this.GetPrimaryKeyString();

    /// <summary>The Marten stream key of this actor.</summary>
    protected abstract string StreamKey { get; }

    /// <summary>The province the stream belongs to, which chooses the database it lives in.</summary>
    protected virtual string ProvinceId => StreamKeys.HomeOf(StreamKey);

    // The database the actor's province lives in. Looked up, not kept: an idle grain's
    // every field counts (docs/performance/2026-11-30.md, Memory), and with one database there is nothing to look up.
    private ProvinceDatabase Database => databases.Several ? databases.Of(ProvinceId) : databases.Main;

    private GroupCommit Commits => Database.Commits;

    protected abstract TState Initial();

    protected abstract TState Evolve(TState state, object @event);

    public override Task OnActivateAsync(CancellationToken cancellationToken) => Reload(cancellationToken);

    /// <summary>
    /// A refusal when a command names another actor than the grain it reached; null when it is ours.
    /// The text rule goes first: an id with an unpaired surrogate loses it in the grain's key, and
    /// would otherwise be refused for the wrong reason.
    /// </summary>
    protected CommandResult? Misaddressed(ICommand command, string namedId) =>
        CommandText.Problem(command) is { } textProblem ? CommandResult.Rejected(command.CommandId, Id, Version, RejectionKind.Invalid, textProblem)
        : namedId == Id ? null
        : CommandResult.Rejected(command.CommandId, Id, Version, RejectionKind.Invalid, $"The command names '{namedId}' but was sent to '{Id}'.");

    /// <summary>Runs a command through <paramref name="decide"/>; a retry of a seen command id skips it.</summary>
    protected async Task<CommandResult> Execute(ICommand command, Func<Task<Decision>> decide)
    {
        var started = Stopwatch.GetTimestamp();
        // The span's name is built only when someone listens: without tracing it was a string per command for nothing.
        using var span = ReadinessTelemetry.Source.HasListeners() ? ReadinessTelemetry.Source.StartActivity($"decide {command.GetType().Name}") : null;
        span?.SetTag("readiness.actor", StreamKey);
        span?.SetTag("readiness.command", command.GetType().Name);
        span?.SetTag("readiness.command_id", command.CommandId);
        var result = await Decide(command, decide);
        span?.SetTag("readiness.outcome", result.Rejection?.Kind.ToString() ?? (result.AlreadyApplied ? "duplicate" : "accepted"));
        span?.SetTag("readiness.version", result.Version);
        if (result.Rejection is not null)
        {
            span?.SetStatus(ActivityStatusCode.Error, result.Rejection.Kind.ToString());
        }
        telemetry.Handled(command, result.Rejection, result.AlreadyApplied, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return result;
    }

    private async Task<CommandResult> Decide(ICommand command, Func<Task<Decision>> decide)
    {
        if (string.IsNullOrWhiteSpace(command.CommandId) || command.CommandId.Length > MaxCommandIdLength)
        {
            return CommandResult.Rejected(command.CommandId ?? string.Empty, Id, Version, RejectionKind.Invalid,
                $"Every command needs a commandId of 1 to {MaxCommandIdLength} characters, unique per command; reuse it only to retry.");
        }
        // Checked here as well as at the route: a command may reach a grain by other ways than HTTP.
        if (CommandText.Problem(command) is { } textProblem)
        {
            return CommandResult.Rejected(command.CommandId, Id, Version, RejectionKind.Invalid, textProblem);
        }

        if (outcomeUnknown)
        {
            await Reload(CancellationToken.None);
        }

        for (var attempt = 1; ; attempt++)
        {
            if (versionByCommand is { } applied && applied.TryGetValue(CommandDigests.Of(command.CommandId), out var appliedAt))
            {
                return new CommandResult(command.CommandId, Id, appliedAt, AlreadyApplied: true, Rejection: null);
            }

            var decision = await decide();
            if (decision.Rejection is { } rejection)
            {
                return CommandResult.Rejected(command.CommandId, Id, Version, rejection.Kind, rejection.Message);
            }

            try
            {
                await Append(decision.Events, command.CommandId);
                return CommandResult.Applied(command.CommandId, Id, Version);
            }
            catch (Exception ex) when (ActorStreams.IsStreamConflict(ex) && attempt < ConcurrencyRetries)
            {
                // Another activation wrote to this stream; catch up and decide again on the truth.
                LogStreamMovedOn(StreamKey, Version);
                await Reload(CancellationToken.None);
            }
        }
    }

    private async Task Append(IReadOnlyList<object> events, string commandId)
    {
        var correlationId = CallerContext.CorrelationId;
        var causationId = CallerContext.CausationId;
        var recordedBy = CallerContext.RecordedBy;
        var tokenMintedBy = CallerContext.TokenMintedBy;
        var expectedVersion = Version + events.Count;
        // Serialised and hashed here, in the grain's own turn: the shared writer that commits many
        // grains' appends together only passes the rows on.
        var recordedAt = EventHeaders.Format(clock.UtcNow);
        var staged = new StagedEvent[events.Count];
        var hash = lastHash.ToString();
        for (var i = 0; i < events.Count; i++)
        {
            var type = events[i].GetType();
            var storedName = EventCatalogue.StoredNameOf(type);
            var occurredAt = events[i] is IReadinessEvent reported ? EventHeaders.Format(reported.OccurredAt) : null;
            var data = bodies.ToJson(events[i]);
            hash = EventChain.Hash(hash, new ChainedEvent(
                StreamKey, Version + i + 1, storedName, data, occurredAt, recordedBy, commandId, correlationId, causationId, tokenMintedBy, EventChain.CurrentVersion));
            var headers = EventHeaders.Json(commandId, recordedBy, recordedAt, tokenMintedBy, occurredAt, hash);
            staged[i] = new StagedEvent(Guid.CreateVersion7(), storedName, EventCatalogue.DotnetTypeOf(type), data, headers, correlationId, causationId);
        }

        try
        {
            await Commits.AppendAsync(new StreamAppend(StreamKey, Version, staged));
        }
        catch (Exception ex) when (!ActorStreams.IsStreamConflict(ex))
        {
            outcomeUnknown = true;
            LogOutcomeUnknown(ex, StreamKey, commandId);
            throw;
        }
        telemetry.Appended(events);

        foreach (var e in events)
        {
            State = Evolve(State, e);
        }
        Version = expectedVersion;
        lastHash = ChainLink.Of(hash);
        (versionByCommand ??= [])[CommandDigests.Of(commandId)] = Version;
        SnapshotWhenDue();
    }

    /// <summary>
    /// Writes a snapshot when enough events were folded since the last: taken in this turn (the state
    /// as committed), stored in the background, outside any command's transaction. A snapshot that
    /// fails to store is only logged: the events remain the truth, and the next one is due soon.
    /// </summary>
    private void SnapshotWhenDue()
    {
        if (Version - snapshotVersion < SnapshotEvery)
        {
            return;
        }
        var snapshot = new StreamSnapshot
        {
            Id = StreamKey,
            Version = Version,
            LastHash = lastHash.ToString(),
            Shape = StateShape,
            State = JsonSerializer.Serialize(State, SnapshotShape.Json),
            CommandIds = CommandDigests.Pack(versionByCommand ?? []),
        };
        snapshotVersion = Version;
        var streams = Database.Streams;
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await streams.StoreAsync(snapshot);
                }
                catch (Exception ex)
                {
                    LogSnapshotFailed(ex, snapshot.Id, snapshot.Version);
                }
            });
        }
    }

    private async Task Reload(CancellationToken cancellationToken)
    {
        // Says where an activation's state came from: an operator chasing a slow activation, and a test,
        // see whether a snapshot was used and how many events were folded on top of it.
        using var span = ReadinessTelemetry.Source.StartActivity("load stream");
        span?.SetTag("readiness.actor", StreamKey);
        // Such an id names no stream (nothing under it is ever appended), and PostgreSQL cannot even
        // be asked about it: it holds no U+0000. The grain stays empty and refuses every command.
        IReadOnlyList<ActorEvent> events = [];
        (StreamSnapshot Snapshot, TState State, Dictionary<UInt128, long> Commands)? start = null;
        if (CommandText.Problem(StreamKey, "id") is null)
        {
            // Read before anything is reset: a read that fails (the database away) must leave the grain
            // as it was, still owing a reload, never deciding the next command on an empty stream.
            var loaded = await Database.Streams.LoadAsync(StreamKey, StateShape, snapshot =>
            {
                if (!TryRestore(snapshot, out var restored, out var commands))
                {
                    return false;
                }
                start = (snapshot, restored, commands);
                return true;
            }, cancellationToken);
            if (loaded.IgnoredSnapshot is { } ignored)
            {
                LogSnapshotIgnored(StreamKey, ignored);
            }
            events = loaded.Events;
        }
        State = start is { } from ? from.State : Initial();
        Version = start?.Snapshot.Version ?? 0;
        snapshotVersion = Version;
        outcomeUnknown = false;
        var newestHash = start?.Snapshot.LastHash ?? EventChain.Genesis;
        versionByCommand = start?.Commands is { Count: > 0 } snapshotted ? snapshotted : null;
        foreach (var e in events)
        {
            State = Evolve(State, e.Data);
            Version = e.Version;
            newestHash = e.Hash ?? EventChain.Genesis;
            if (e.CommandId is { } commandId)
            {
                (versionByCommand ??= [])[CommandDigests.Of(commandId)] = e.Version;
            }
        }
        lastHash = ChainLink.Of(newestHash);
        span?.SetTag("readiness.snapshot_version", start?.Snapshot.Version ?? 0);
        span?.SetTag("readiness.events_read", events.Count);
        SnapshotWhenDue();
    }

    private static bool TryRestore(StreamSnapshot snapshot, out TState state, out Dictionary<UInt128, long> commands)
    {
        try
        {
            state = JsonSerializer.Deserialize<TState>(snapshot.State, SnapshotShape.Json)!;
            commands = CommandDigests.Unpack(snapshot.CommandIds);
            return state is not null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            state = default!;
            commands = [];
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The snapshot of {StreamKey} at version {Version} does not match the stored events or the state's type; the stream is folded from its start")]
    private partial void LogSnapshotIgnored(string streamKey, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storing the snapshot of {StreamKey} at version {Version} failed; the next one is written after more events")]
    private partial void LogSnapshotFailed(Exception exception, string streamKey, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appending to {StreamKey} for command {CommandId} failed without a known outcome; the stream is reloaded before the next command")]
    private partial void LogOutcomeUnknown(Exception exception, string streamKey, string commandId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {StreamKey} moved past version {Version} elsewhere; reloading")]
    private partial void LogStreamMovedOn(string streamKey, long version);
}
