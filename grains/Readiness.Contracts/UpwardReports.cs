namespace Readiness.Contracts;

/// <summary>A higher echelon's endpoint acknowledged a province's readiness report (2xx on delivery).</summary>
public sealed record UpwardReportAcknowledged(
    string ProvinceId,
    string ReportId,
    string Endpoint,
    string Reason,
    int Attempts,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>Records an acknowledgement; sent by the province's outbox, once per report and endpoint.</summary>
[GenerateSerializer, Immutable, Alias("readiness.cmd.record-upward-report-acknowledged")]
public sealed record RecordUpwardReportAcknowledged(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ProvinceId,
    [property: Id(2)] string ReportId,
    [property: Id(3)] string Endpoint,
    [property: Id(4)] string Reason,
    [property: Id(5)] int Attempts,
    [property: Id(6)] DateTimeOffset? OccurredAt = null) : ICommand;

/// <summary>A province's record of the reports it sent upward, keyed by the province's id.</summary>
[Alias("readiness.IUpwardReportGrain")]
public interface IUpwardReportGrain : IGrainWithStringKey
{
    [Alias("execute")]
    Task<CommandResult> Execute(RecordUpwardReportAcknowledged command);
}

/// <summary>The readiness report a province pushes to each higher-echelon endpoint.</summary>
public sealed record UpwardReport(
    string ReportId,
    string ProvinceId,
    string ProvinceName,
    string Reason,
    DateTimeOffset GeneratedAt,
    ReadinessLevel? Level,
    LevelCounts Units,
    IReadOnlyList<ProvinceDistrictLine> Districts,
    int PostsNotManned,
    int OpenAlerts,
    long Sequence,
    string ChainHeadsDigest,
    IReadOnlyList<ChainHead> ChainHeads);

/// <summary>One district's line in an upward report.</summary>
public sealed record ProvinceDistrictLine(string Id, string Name, ReadinessLevel? Level, LevelCounts Units);

/// <summary>A report waiting for, or delivered to, one endpoint.</summary>
public sealed record OutboxEntry(
    string Id, string ReportId, string ProvinceId, string Endpoint, string Reason,
    DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, string? LastError);
