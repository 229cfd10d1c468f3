using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Grains.Actors;

/// <summary>
/// The region's record of one province: every report it received, accepted or refused, as events of the
/// stream <c>region:</c> and the province's id. One report at a time per province, so a number is compared
/// with the last accepted before the next is looked at. Refusals beyond the cap of a window are answered
/// but only counted, the count recorded with the next event or when the window closes. The rules are <see cref="RegionRules"/>.
/// </summary>
public sealed class RegionProvinceGrain(ProvinceDatabases databases, ReadinessClock clock, ReadinessTelemetry telemetry, ILogger<RegionProvinceGrain> logger)
    : EventSourcedGrain<ProvinceRecord>(databases, clock, telemetry, logger), IRegionProvinceGrain
{
    public const string StreamPrefix = "region:";

    protected override string StreamKey => StreamPrefix + Id;

    // Kept in memory, not in the stream: after a restart a province's window starts afresh, at most one cap more.
    private RefusalWindow? window;
    private IGrainTimer? flush;

    protected override string ProvinceId => Id;

    protected override ProvinceRecord Initial() => new();

    protected override ProvinceRecord Evolve(ProvinceRecord record, object @event) => RegionRules.Evolve(record, @event);

    public async Task<ReportVerdict> Receive(ReceiveProvinceReport command)
    {
        if (Misaddressed(command, command.ProvinceId) is { } misaddressed)
        {
            return new(VerdictOutcome.Refused, null, null, ReportRefusal.Malformed, misaddressed.Rejection?.Message, null, null);
        }
        var trust = command.TrustedKeys is { } keys ? new ProvinceTrust(command.ProvinceId, keys, TimeSpan.FromSeconds(command.IntervalSeconds)) : null;
        var received = new ReceivedReport(command.Body, command.Signature, command.ConsistencyFrom, command.ConsistencyProof);
        var verdict = RegionRules.Decide(State, trust, command.Claimed, received, Clock.UtcNow);
        var current = window ?? new RefusalWindow(DateTimeOffset.MinValue);
        var (store, next) = verdict.Event is ProvinceReportRefused refused
            ? RegionRules.Throttle(current, new RefusalCap(command.RefusalsStoredPerWindow, TimeSpan.FromSeconds(command.RefusalWindowSeconds)), refused)
            : (verdict.Event is not null, current);
        if (verdict.Event is { } @event && store)
        {
            // What was only counted before is recorded first, so the stream keeps the order things came in.
            object[] events = RegionRules.Suppressed(next, Id, Clock.UtcNow) is { } counted ? [counted, @event] : [@event];
            var result = await Execute(command, () => Task.FromResult(Decision.Accept(events)));
            if (result.Rejection is { } rejection)
            {
                return new(VerdictOutcome.Refused, null, null, ReportRefusal.Malformed, rejection.Message, null, null);
            }
            next = RegionRules.Recorded(next);
        }
        else if (next.Suppressed > 0)
        {
            // Counted only: the count is recorded with the next event stored, or when the window closes, whichever comes first.
            flush ??= this.RegisterGrainTimer(RecordSuppressedAsync, Max(next.Start + TimeSpan.FromSeconds(command.RefusalWindowSeconds) - Clock.UtcNow), Timeout.InfiniteTimeSpan);
        }
        window = next;
        return verdict.Accepted is { } accepted
            ? new(verdict.Outcome, accepted.ReportId, accepted.ReportSequence, null, null, WitnessedHead.Of(accepted.Head), accepted.OccurredAt)
            : new(verdict.Outcome, verdict.Refusal?.ReportId, verdict.Refusal?.ReportSequence, verdict.Refusal?.Refusal, verdict.Refusal?.Reason, null, null);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await RecordSuppressedAsync(cancellationToken);
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>Records how many refusals were only counted since the last count, if any.</summary>
    private async Task RecordSuppressedAsync(CancellationToken cancellationToken)
    {
        flush?.Dispose();
        flush = null;
        if (window is { } counting && RegionRules.Suppressed(counting, Id, Clock.UtcNow) is { } counted)
        {
            var result = await Execute(new RecordSuppressedRefusals(Guid.NewGuid().ToString("N")), () => Task.FromResult(Decision.Accept(counted)));
            if (result.Rejection is null)
            {
                window = RegionRules.Recorded(counting);
            }
        }
    }

    private static TimeSpan Max(TimeSpan due) => due < TimeSpan.Zero ? TimeSpan.Zero : due;

    /// <summary>The grain's own command recording a count of refusals not stored one by one; no route sends it.</summary>
    private sealed record RecordSuppressedRefusals(string CommandId, DateTimeOffset? OccurredAt = null) : ICommand;

    public Task<RegionProvinceStatus> Status(int intervalSeconds)
    {
        var last = State.Last;
        return Task.FromResult(new RegionProvinceStatus(Id, last?.ProvinceName, last?.Level,
            last is null ? null : [last.Units.R1, last.Units.R2, last.Units.R3, last.Units.R4],
            last?.ReportSequence, last?.ReportId, last?.GeneratedAt, last?.OccurredAt, WitnessedHead.Of(State.LastHead), State.HeadsWitnessed,
            State.Accepted, State.Refused, RegionRules.Stale(State, TimeSpan.FromSeconds(intervalSeconds), Clock.UtcNow), RegionRules.Alarm(State),
            last?.Missions));
    }
}
