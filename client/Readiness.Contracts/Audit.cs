using System.Text.Json;

namespace Readiness.Contracts;

/// <summary>
/// One recorded event as an auditor reads it: what happened, to which actor, when it happened and
/// when it was recorded, who recorded it, for which command, and its link in the stream's chain.
/// </summary>
public sealed record HistoryEntry(
    long Sequence,
    Guid EventId,
    string Stream,
    long Version,
    string Kind,
    DateTimeOffset? OccurredAt,
    DateTimeOffset RecordedAt,
    string? RecordedBy,
    string? CommandId,
    string? CorrelationId,
    string? CausationId,
    string? Hash,
    JsonElement Data,
    string? TokenMintedBy = null);

/// <summary>A page of history in recording order; <c>next</c> fetches the following page, null at the end.</summary>
public sealed record HistoryPage(IReadOnlyList<HistoryEntry> Events, long? NextAfter, string? Next);

/// <summary>The first place a stream's chain does not hold: a missing version, or a hash that does not match.</summary>
public sealed record ChainBreak(string Stream, long Version, string Problem, string? Expected, string? Found);

/// <summary>The hash of a stream's last event: recomputing it needs every event before it, unchanged.</summary>
public sealed record ChainHead(string Stream, long Version, string Hash);

/// <summary>
/// The outcome of checking every link of the chosen streams; over the whole store, also the Merkle log
/// against its heads. With provinces spread over several databases, a check over more than one gives
/// each database's own report under <c>databases</c>, and the figures above add them up (the log is
/// the first one found broken, else the main database's).
/// </summary>
public sealed record VerifyReport(
    bool Intact,
    long StreamsChecked,
    long EventsChecked,
    double Seconds,
    double EventsPerSecond,
    ChainBreak? FirstBreak,
    IReadOnlyList<ChainBreak> Breaks,
    LogVerifyReport? Log = null,
    IReadOnlyList<DatabaseVerifyReport>? Databases = null);

/// <summary>One database's part of a check over several.</summary>
public sealed record DatabaseVerifyReport(string Database, VerifyReport Report);

/// <summary>
/// What an import took in, and how fast; the views are rebuilt from it before the import returns.
/// <c>SourceHead</c> is the source's signed tree head the file was checked against, null when none was given:
/// then only the per-stream chains were checked, which have no key. <c>EventsAfterHead</c> of the events
/// lie after the head and were checked by their chains alone. <c>Checked</c> says it in words.
/// </summary>
public sealed record ImportReport(long Events, long Streams, double Seconds, double EventsPerSecond,
    TreeHead? SourceHead = null, long EventsAfterHead = 0, string? Checked = null);

/// <summary>
/// The source's Merkle log over the events an import brought in, recomputed from them in the source's
/// order and numbering: its root at <c>TreeSize</c> is the root of the source's head of that size when
/// the import was of the source's whole store and nothing was changed since.
/// </summary>
public sealed record ImportedLog(long Events, long FirstSourceSequence, long LastSourceSequence, long TreeSize, string Root);
