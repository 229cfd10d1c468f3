using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Grains.Actors;

/// <summary>
/// A province's record of what the echelon above acknowledged. The outbox sends each
/// acknowledgement with its outbox entry's id as the command id, so a repeat records nothing.
/// </summary>
public sealed class UpwardReportGrain(ProvinceDatabases databases, ReadinessClock clock, ReadinessTelemetry telemetry, ILogger<UpwardReportGrain> logger)
    : EventSourcedGrain<int>(databases, clock, telemetry, logger), IUpwardReportGrain
{
    public const string StreamPrefix = "report:";

    protected override string StreamKey => StreamPrefix + Id;

    protected override string ProvinceId => Id;

    protected override int Initial() => 0;

    protected override int Evolve(int acknowledged, object @event) => @event is UpwardReportAcknowledged ? acknowledged + 1 : acknowledged;

    public Task<CommandResult> Execute(RecordUpwardReportAcknowledged command) =>
        Misaddressed(command, command.ProvinceId) is { } refused
            ? Task.FromResult(refused)
            : Execute(command, () => Task.FromResult(
                string.IsNullOrWhiteSpace(command.ReportId) || string.IsNullOrWhiteSpace(command.Endpoint)
                    ? Decision.Reject(RejectionKind.Invalid, "An acknowledgement names its report and endpoint.")
                    : Decision.Accept(new UpwardReportAcknowledged(command.ProvinceId, command.ReportId, command.Endpoint, command.Reason,
                        command.Attempts, command.OccurredAt ?? Clock.UtcNow))));
}
