using System.Globalization;

namespace Readiness.Contracts;

/// <summary>
/// A province's tree head as the region witnessed it, signed again by the region: the region saw this
/// size and root of the province's log at <c>WitnessedAt</c>, after checking that it extends every head
/// of that log it saw before. A province keeps it to show an auditor that its log was seen outside its
/// own database.
/// </summary>
public sealed record CosignedHead(
    string ProvinceId,
    string Log,
    long Size,
    string Root,
    DateTimeOffset MadeAt,
    string Witness,
    DateTimeOffset WitnessedAt,
    string KeyId,
    string Signature)
{
    /// <summary>What a cosigned head's signed payload names as its purpose; nothing else any silo signs names it.</summary>
    public const string SignedPurpose = "readiness-cosigned-head/v1";

    /// <summary>The exact bytes the region's signature covers, in a fixed key order and time format, rebuilt by a checker from the fields.</summary>
    public static string Payload(string provinceId, string log, long size, string root, DateTimeOffset madeAt, string witness, DateTimeOffset witnessedAt) =>
        $$"""{"log":{{Quote(log)}},"madeAt":"{{Time(madeAt)}}","province":{{Quote(provinceId)}},"purpose":"{{SignedPurpose}}","root":{{Quote(root)}},"size":"""
        + $$"""{{size.ToString(CultureInfo.InvariantCulture)}},"witness":{{Quote(witness)}},"witnessedAt":"{{Time(witnessedAt)}}"}""";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}

/// <summary>What the region answers a report it accepted (or had accepted already: a retry after a lost answer is acknowledged the same).</summary>
public sealed record RegionReceipt(string ProvinceId, string ReportId, long ReportSequence, bool AlreadyAccepted, CosignedHead? CosignedHead);

/// <summary>The headers that carry a report's consistency proof: it needs no signature, both roots it joins are signed.</summary>
public static class ConsistencyHeaders
{
    /// <summary>The size of the region's last witnessed head the proof starts from.</summary>
    public const string From = "X-Readiness-Consistency-From";

    /// <summary>The proof's hashes, base64, comma-separated, in RFC 9162 order.</summary>
    public const string Proof = "X-Readiness-Consistency-Proof";
}

/// <summary>One registered province as the region sees it from the reports it received.</summary>
public sealed record WitnessedProvince(
    string Id,
    string? Name,
    ReadinessLevel? Level,
    LevelCounts? Units,
    long? ReportSequence,
    string? ReportId,
    DateTimeOffset? GeneratedAt,
    DateTimeOffset? ReceivedAt,
    TreeHead? WitnessedHead,
    long HeadsWitnessed,
    long ReportsAccepted,
    long ReportsRefused,
    int IntervalSeconds,
    bool Stale,
    string? Alarm,
    IReadOnlyList<MissionTally>? Missions = null);
