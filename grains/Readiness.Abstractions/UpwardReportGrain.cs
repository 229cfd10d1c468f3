using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Abstractions;

/// <summary>Records an acknowledgement; sent by the province's outbox, once per report and endpoint. No HTTP route takes it.</summary>
[GenerateSerializer, Immutable, Alias("readiness.cmd.record-upward-report-acknowledged")]
public sealed record RecordUpwardReportAcknowledged(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ProvinceId,
    [property: Id(2)] string ReportId,
    [property: Id(3)] string Endpoint,
    [property: Id(4)] string Reason,
    [property: Id(5)] int Attempts,
    [property: Id(6)] DateTimeOffset? OccurredAt = null) : ICommand, IDeclaresTextFields
{
    public IReadOnlyList<TextField> TextFields() =>
        [new("provinceId", ProvinceId), new("reportId", ReportId), new("endpoint", Endpoint), new("reason", Reason)];
}

/// <summary>A province's record of the reports it sent upward, keyed by the province's id.</summary>
[Alias("readiness.IUpwardReportGrain")]
public interface IUpwardReportGrain : IGrainWithStringKey
{
    [Alias("execute")]
    Task<CommandResult> Execute(RecordUpwardReportAcknowledged command);
}
