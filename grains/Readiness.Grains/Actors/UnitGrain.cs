using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;
using Readiness.Grains.Structure;

namespace Readiness.Grains.Actors;

/// <summary>
/// A unit's grain: registration asks the parent for its echelon; a transfer of equipment asks the
/// receiving unit for its profile and then credits it, with a command id derived from the transfer's,
/// so a retry after a failure never credits twice. Everything else is the unit's own history.
/// </summary>
public sealed class UnitGrain(ProvinceDatabases databases, ReadinessClock clock, ReadinessTelemetry telemetry, ReadinessPolicy policy,
    IOptions<ReportWatchOptions> watch, ChainOfCommandCache chain, ILogger<UnitGrain> logger)
    : EventSourcedGrain<UnitState>(databases, clock, telemetry, logger), IUnitGrain, IRemindable
{
    public const string ReportWatch = "report-watch";

    protected override string StreamKey => StreamKeys.Unit(Id);

    protected override UnitState Initial() => UnitState.Initial(Id);

    protected override UnitState Evolve(UnitState state, object @event) => UnitRules.Evolve(state, @event);

    public Task<CommandResult> Execute(IUnitCommand command)
    {
        if (Misaddressed(command, command.UnitId) is { } refused)
        {
            return Task.FromResult(refused);
        }
        return command switch
        {
            RegisterUnit register => Register(register),
            // The receiver's credit must carry the same moment as the transfer, so "now" is fixed once.
            TransferEquipment transfer => Transfer(transfer with { OccurredAt = transfer.OccurredAt ?? Clock.UtcNow }),
            _ => Execute(command, async () => UnitRules.Decide(State, command, Clock.UtcNow, await Dissolution())),
        };
    }

    private async Task<CommandResult> Transfer(TransferEquipment transfer)
    {
        var result = await Execute(transfer, async () =>
        {
            // The receiver's credit is sent on the caller's behalf, so the caller must be able to report for it too.
            // A malformed receiver id is the caller's mistake to fix (400), not a question of scope.
            if (CallerContext.Scopes is { } scopes && transfer.ToUnitId is { } to && UnitPath.Problem(to) is null && !Access.Covers(scopes, to))
            {
                return Decision.Reject(RejectionKind.Forbidden, $"The caller's scopes ({string.Join(", ", scopes)}) do not cover the receiving unit '{to}'.");
            }
            var receiver = UnitPath.Problem(transfer.ToUnitId) is null && transfer.ToUnitId != Id
                ? await GrainFactory.GetGrain<IUnitGrain>(transfer.ToUnitId!).GetProfile()
                : null;
            return UnitRules.Decide(State, transfer, receiver, Clock.UtcNow, await Dissolution());
        });
        if (result.Accepted)
        {
            var credited = await GrainFactory.GetGrain<IUnitGrain>(transfer.ToUnitId).Execute(new ReceiveEquipment(
                $"{transfer.CommandId}:received-by:{transfer.ToUnitId}", transfer.ToUnitId, transfer.Category, transfer.Quantity,
                $"transfer from {Id}", transfer.OccurredAt));
            if (credited.Rejection is { } rejection)
            {
                throw new InvalidOperationException($"Unit '{Id}' transferred {transfer.Category} but '{transfer.ToUnitId}' could not receive them: {rejection.Message}");
            }
        }
        return result;
    }

    private async Task<CommandResult> Register(RegisterUnit register)
    {
        var result = await Execute(register, async () => UnitRules.Decide(State, register, await Parent(register), Clock.UtcNow));
        if (result.Accepted && policy.ReportingInterval(State.Echelon) is not null)
        {
            var period = watch.Value.WatchPeriod;
            await this.RegisterOrUpdateReminder(ReportWatch, period, period);
        }
        return result;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReportWatch || UnitRules.CheckReporting(State, policy, Clock.UtcNow) is not { } decision)
        {
            return;
        }
        CallerContext.Set($"{CallerContext.System}:{ReportWatch}");
        var notice = (ReportOverdue)decision.Events[0];
        // One command id per silence, so a tick that retries after a lost answer notes it once.
        await Execute(new ReportCheck($"overdue:{Id}:{notice.LastReportedAt.UtcTicks}", notice.OccurredAt),
            () => Task.FromResult(UnitRules.CheckReporting(State, policy, Clock.UtcNow) ?? Decision.Accept()));
    }

    /// <summary>The reminder's own command: recorded by the system, not by a caller.</summary>
    private sealed record ReportCheck(string CommandId, DateTimeOffset? OccurredAt) : ICommand;

    public Task<UnitProfile?> GetProfile() => Task.FromResult(
        State.Registered
            ? new UnitProfile(Id, State.Name, State.Echelon, State.ParentId, State.AuthorisedStrength, State.ActualStrength, Version, State.RegisteredAt)
            : null);

    public async Task StructureChanged() => await chain.RefreshAsync(force: true);

    private async Task<Dissolution?> Dissolution() => Domain.Dissolution.Of((await chain.GetAsync()).Unit(Id));

    // The parent's registration from its own grain, which has it the moment it is recorded; its
    // dissolution and any later echelon from the chain of command.
    private async Task<ParentFacts?> Parent(RegisterUnit register)
    {
        if (UnitRules.ParentOf(Id, register) is not { } parentId || UnitPath.Problem(parentId) is not null)
        {
            return null;
        }
        var profile = await GrainFactory.GetGrain<IUnitGrain>(parentId).GetProfile();
        if (profile is null)
        {
            return null;
        }
        var at = register.OccurredAt ?? Clock.UtcNow;
        var tree = await chain.KnowingAsync([parentId]);
        var history = tree.Unit(parentId);
        var echelon = history?.LastAt(at)?.Echelon ?? profile.Echelon;
        // Where the parent stood on the registration's date, or, for a date before the parent existed (which
        // the rules refuse with their own reason), where it stood when it was registered.
        var province = tree.ProvinceAt(parentId, at) ?? tree.ProvinceAt(parentId, profile.RegisteredAt)
            ?? throw new InvalidOperationException(
                $"The chain of command does not hold parent unit '{parentId}', registered {profile.RegisteredAt:O}: a database could not be read; try again.");
        return new ParentFacts(profile.UnitId, echelon, profile.RegisteredAt, province, history?.DissolvedAt, history?.SuccessorId);
    }
}
