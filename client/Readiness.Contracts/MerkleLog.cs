using System.Globalization;

namespace Readiness.Contracts;

/// <summary>
/// A signed tree head: the Merkle log over every event held <c>Size</c> leaves with this root (base64)
/// when it was made. <c>Signature</c> is an ES256 detached JWS over <see cref="TreeHeadText.Payload(TreeHead)"/>,
/// by the key <c>KeyId</c> published at <c>/.well-known/jwks.json</c>.
/// </summary>
/// <c>Log</c> names the log (the PostgreSQL database whose events it covers); the signature covers it and the purpose.
public sealed record TreeHead(long Size, string Root, DateTimeOffset MadeAt, string? KeyId, string? Signature, string? Log = null);

/// <summary>A page of tree heads, newest first; <c>next</c> fetches the older ones, null at the end.</summary>
public sealed record TreeHeadPage(IReadOnlyList<TreeHead> Heads, long? NextBefore, string? Next);

/// <summary>The audit path from an event's leaf to the root of the head of <c>TreeSize</c> (RFC 9162 §2.1.3), hashes in base64.</summary>
public sealed record InclusionProof(Guid EventId, long Sequence, long LeafIndex, string LeafHash, long TreeSize, string Root, IReadOnlyList<string> AuditPath);

/// <summary>The proof that the head of <c>To</c> leaves extends that of <c>From</c> (RFC 9162 §2.1.4), hashes in base64.</summary>
public sealed record ConsistencyProof(long From, long To, string FromRoot, string ToRoot, IReadOnlyList<string> Path);

/// <summary>Where the log recomputed from the events first parts from the stored leaves or a signed head.</summary>
public sealed record LogDisagreement(long Position, long? Sequence, string? Stream, long? Version, string Problem);

/// <summary>
/// The log recomputed from every event, against its stored leaves, its heads and the last head kept outside
/// the database (<c>KeptHead</c>, from the head file); <c>HeadSignatureValid</c> is false for an unsigned head.
/// </summary>
public sealed record LogVerifyReport(
    bool Intact,
    long EventsChecked,
    long LeavesStored,
    TreeHead? LatestHead,
    bool HeadSignatureValid,
    double Seconds,
    double EventsPerSecond,
    LogDisagreement? FirstDisagreement,
    TreeHead? KeptHead = null);

public static class TreeHeadText
{
    /// <summary>What a head's signed payload names as its purpose; nothing else the silo signs names it.</summary>
    public const string Purpose = "readiness-tree-head/v1";

    /// <summary>
    /// The exact bytes a head's signature covers: its purpose, its log, then size, root and time, in a fixed
    /// key order and a fixed time format (UTC, microseconds, as PostgreSQL keeps it), so a verifier rebuilds
    /// them from the head's fields, and a signature made for anything else never matches.
    /// </summary>
    public static string Payload(long size, string root, DateTimeOffset madeAt, string log) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"log":{{System.Text.Json.JsonSerializer.Serialize(log)}},"madeAt":"{{madeAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}}","purpose":"{{Purpose}}","root":"{{root}}","size":{{size}}}""");

    /// <summary>The payload of a head as given; one that names no log (made before heads named their purpose) gets a payload no signature holds for.</summary>
    public static string Payload(TreeHead head) => Payload(head.Size, head.Root, head.MadeAt, head.Log ?? string.Empty);
}
