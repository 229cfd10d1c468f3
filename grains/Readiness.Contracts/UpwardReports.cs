namespace Readiness.Contracts;

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
    IReadOnlyList<ChainHead> ChainHeads,
    TreeHead? TreeHead = null);

/// <summary>One district's line in an upward report.</summary>
public sealed record ProvinceDistrictLine(string Id, string Name, ReadinessLevel? Level, LevelCounts Units);

/// <summary>A report waiting for, or delivered to, one endpoint.</summary>
public sealed record OutboxEntry(
    string Id, string ReportId, string ProvinceId, string Endpoint, string Reason,
    DateTimeOffset CreatedAt, int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, string? LastError);
