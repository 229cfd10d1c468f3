using JasperFx;
using Marten;
using Microsoft.Extensions.Logging;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Storage;

namespace Readiness.Grains.Units;

/// <summary>
/// A unit's grain: its state is a cache of its Marten stream. It runs the pure rules and appends
/// with the expected version, so even a second activation elsewhere cannot interleave writes.
/// </summary>
public sealed partial class UnitGrain(IDocumentStore store, TimeProvider clock, ILogger<UnitGrain> logger) : Grain, IUnitGrain
{
    private const int MaxCommandIdLength = 128;
    private const int ConcurrencyRetries = 3;

    private readonly Dictionary<string, long> versionByCommandId = new(StringComparer.Ordinal);
    private UnitState state = UnitState.Initial(string.Empty);
    private long version;

    private string UnitId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => Reload(cancellationToken);

    public Task<CommandResult> Register(RegisterUnit command) =>
        Execute(command, async () =>
        {
            var parentId = UnitPath.ParentOf(UnitId);
            ParentFacts? parent = null;
            if (parentId is not null && UnitPath.Problem(parentId) is null)
            {
                var profile = await GrainFactory.GetGrain<IUnitGrain>(parentId).GetProfile();
                parent = profile is null ? null : new ParentFacts(profile.UnitId, profile.Echelon);
            }
            return UnitRules.Decide(state, command, parent, clock.GetUtcNow());
        });

    public Task<CommandResult> EnlistRecruits(EnlistRecruits command) =>
        Execute(command, () => Task.FromResult(UnitRules.Decide(state, command, clock.GetUtcNow())));

    public Task<UnitProfile?> GetProfile() => Task.FromResult(
        state.Registered
            ? new UnitProfile(UnitId, state.Name, state.Echelon, state.ParentId, state.AuthorisedStrength, state.ActualStrength, version)
            : null);

    private async Task<CommandResult> Execute(IUnitCommand command, Func<Task<Decision>> decide)
    {
        if (string.IsNullOrWhiteSpace(command.CommandId) || command.CommandId.Length > MaxCommandIdLength)
        {
            return CommandResult.Rejected(command.CommandId ?? string.Empty, UnitId, version, RejectionKind.Invalid,
                $"Every command needs a commandId of 1 to {MaxCommandIdLength} characters, unique per command; reuse it only to retry.");
        }

        for (var attempt = 1; ; attempt++)
        {
            if (versionByCommandId.TryGetValue(command.CommandId, out var appliedAt))
            {
                return new CommandResult(command.CommandId, UnitId, appliedAt, AlreadyApplied: true, Rejection: null);
            }

            var decision = await decide();
            if (decision.Rejection is { } rejection)
            {
                return CommandResult.Rejected(command.CommandId, UnitId, version, rejection.Kind, rejection.Message);
            }

            try
            {
                await Append(decision.Events, command.CommandId);
                return CommandResult.Applied(command.CommandId, UnitId, version);
            }
            catch (ConcurrencyException) when (attempt < ConcurrencyRetries)
            {
                // Another activation wrote to this stream; catch up and decide again on the truth.
                LogStreamMovedOn(UnitId, version);
                await Reload(CancellationToken.None);
            }
        }
    }

    private async Task Append(IReadOnlyList<object> events, string commandId)
    {
        await using var session = store.LightweightSession();
        session.SetHeader(EventHeaders.CommandId, commandId);
        var expectedVersion = version + events.Count;
        if (version == 0)
        {
            session.Events.StartStream(UnitId, events.ToArray());
        }
        else
        {
            session.Events.Append(UnitId, expectedVersion, events.ToArray());
        }
        await session.SaveChangesAsync();

        foreach (var e in events)
        {
            state = UnitRules.Evolve(state, e);
        }
        version = expectedVersion;
        versionByCommandId[commandId] = version;
    }

    private async Task Reload(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(UnitId, token: cancellationToken);
        state = UnitState.Initial(UnitId);
        version = 0;
        versionByCommandId.Clear();
        foreach (var e in events)
        {
            state = UnitRules.Evolve(state, e.Data);
            version = e.Version;
            if (EventHeaders.CommandIdOf(e) is { } commandId)
            {
                versionByCommandId[commandId] = e.Version;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream {UnitId} moved past version {Version} elsewhere; reloading")]
    private partial void LogStreamMovedOn(string unitId, long version);
}
