namespace Readiness.Domain;

/// <summary>A higher echelon's endpoint acknowledged a province's readiness report (2xx on delivery).</summary>
public sealed record UpwardReportAcknowledged(
    string ProvinceId,
    string ReportId,
    string Endpoint,
    string Reason,
    int Attempts,
    DateTimeOffset OccurredAt) : IReadinessEvent;
