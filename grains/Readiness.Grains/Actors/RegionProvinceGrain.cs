using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Grains.Actors;

/// <summary>
/// The region's record of one province: every report it received, accepted or refused, as events of the
/// stream <c>region:</c> and the province's id. One report at a time per province, so a number is compared
/// with the last accepted before the next is looked at. The rules are <see cref="RegionRules"/>.
/// </summary>
public sealed class RegionProvinceGrain(ProvinceDatabases databases, ReadinessClock clock, ReadinessTelemetry telemetry, ILogger<RegionProvinceGrain> logger)
    : EventSourcedGrain<ProvinceRecord>(databases, clock, telemetry, logger), IRegionProvinceGrain
{
    public const string StreamPrefix = "region:";

    protected override string StreamKey => StreamPrefix + Id;

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
        if (verdict.Event is { } @event)
        {
            var result = await Execute(command, () => Task.FromResult(Decision.Accept(@event)));
            if (result.Rejection is { } rejection)
            {
                return new(VerdictOutcome.Refused, null, null, ReportRefusal.Malformed, rejection.Message, null, null);
            }
        }
        return verdict.Accepted is { } accepted
            ? new(verdict.Outcome, accepted.ReportId, accepted.ReportSequence, null, null, WitnessedHead.Of(accepted.Head), accepted.OccurredAt)
            : new(verdict.Outcome, verdict.Refusal?.ReportId, verdict.Refusal?.ReportSequence, verdict.Refusal?.Refusal, verdict.Refusal?.Reason, null, null);
    }

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
