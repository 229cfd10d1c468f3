using System.Text.Json;
using Npgsql;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Domain.Integrity;

namespace Readiness.Store;

/// <summary>
/// The event table read as rows, with the body and headers as the text PostgreSQL stores, which is
/// what the chain is checked against (not what Marten would make of it).
/// </summary>
public sealed record EventRow(
    long Sequence, Guid Id, string Stream, long Version, string Type, string Data, string? Headers,
    string? CorrelationId, string? CausationId, DateTimeOffset Timestamp)
{
    internal const string Columns = "seq_id, id, stream_id, version, type, data::text, headers::text, correlation_id, causation_id, timestamp";

    /// <summary>
    /// Where Marten writes a placeholder for each sequence number an append used and then lost (the
    /// connection broke, the transaction rolled back), so that its daemon need not wait for the gap.
    /// Nothing was reported there: it is not part of any history, chain or export.
    /// </summary>
    internal const string TombstoneStream = "mt_tombstone";

    /// <summary>A condition on a stream-id column that leaves out Marten's tombstone stream.</summary>
    internal static string Reported(string streamColumn) => $"{streamColumn} <> '{TombstoneStream}'";

    private static readonly Dictionary<string, string> TypeByKind =
        EventCatalogue.Entries.ToDictionary(e => e.Type.Name, e => e.StoredName, StringComparer.OrdinalIgnoreCase);

    /// <summary>The stored type name of an event kind, accepting <c>RecruitsEnlisted</c> or <c>recruits_enlisted</c>.</summary>
    public static string? TypeOf(string kind) =>
        TypeByKind.TryGetValue(kind, out var type) ? type : ClrTypeOf(kind) is not null ? kind : null;

    /// <summary>The event class stored under a <c>type</c> column value, or null for one this version does not know.</summary>
    public static Type? ClrTypeOf(string type) => EventCatalogue.TypeOf(type);

    public static IEnumerable<string> Kinds => TypeByKind.Keys.Order(StringComparer.Ordinal);

    internal static EventRow Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4),
        reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
        reader.GetFieldValue<DateTimeOffset>(9));

    public IReadOnlyDictionary<string, string?> HeaderValues()
    {
        if (Headers is null)
        {
            return new Dictionary<string, string?>();
        }
        using var document = JsonDocument.Parse(Headers);
        // An event appended without headers (by Marten itself, or by hand) stores a JSON null: it has
        // none, and verify then reports its missing hash rather than failing.
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return new Dictionary<string, string?>();
        }
        return document.RootElement.EnumerateObject().ToDictionary(
            p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText(), StringComparer.Ordinal);
    }

    public ChainedEvent ToChained(IReadOnlyDictionary<string, string?> headers) => new(
        Stream, Version, Type, Data,
        headers.GetValueOrDefault(EventHeaders.OccurredAt), headers.GetValueOrDefault(EventHeaders.RecordedBy),
        headers.GetValueOrDefault(EventHeaders.CommandId), CorrelationId, CausationId,
        headers.GetValueOrDefault(EventHeaders.TokenMintedBy), EventHeaders.ChainVersionOf(headers.GetValueOrDefault(EventHeaders.ChainVersion)));

    /// <summary>The event as the Merkle log's leaf covers it: every column, sequence and timestamp included.</summary>
    public LogLeaf ToLogLeaf() => new(Id, Stream, Version, Sequence, Type, Data, Headers, CorrelationId, CausationId, Timestamp);

    public bool IsTombstone => Stream == TombstoneStream;

    public HistoryEntry ToEntry()
    {
        var headers = HeaderValues();
        using var data = JsonDocument.Parse(Data);
        return new HistoryEntry(
            Sequence, Id, Stream, Version, ClrTypeOf(Type)?.Name ?? Type,
            headers.GetValueOrDefault(EventHeaders.OccurredAt) is { } occurred ? DateTimeOffset.Parse(occurred, System.Globalization.CultureInfo.InvariantCulture) : null,
            Timestamp, headers.GetValueOrDefault(EventHeaders.RecordedBy), headers.GetValueOrDefault(EventHeaders.CommandId),
            CorrelationId, CausationId, headers.GetValueOrDefault(EventHeaders.Hash), data.RootElement.Clone(),
            headers.GetValueOrDefault(EventHeaders.TokenMintedBy));
    }
}
