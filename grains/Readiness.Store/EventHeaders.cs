using System.Globalization;
using JasperFx.Events;

namespace Readiness.Store;

/// <summary>Metadata every appended event carries beside its body, in Marten's headers column.</summary>
public static class EventHeaders
{
    /// <summary>The client-supplied id of the command that produced the event; a retry finds it here.</summary>
    public const string CommandId = "command-id";

    /// <summary>Who recorded the event: the caller of the API, or the system for its own work.</summary>
    public const string RecordedBy = "recorded-by";

    /// <summary>Who minted the token the recording caller used, when an administrator did (the token's <c>act</c>).</summary>
    public const string TokenMintedBy = "token-minted-by";

    /// <summary>When it happened, in UTC with a fixed width, so that text order is time order in SQL.</summary>
    public const string OccurredAt = "occurred-at";

    /// <summary>
    /// When the silo recorded it, beside what happened: a late report (one kept in a commune's outbox) shows both. In a
    /// header, not read from the store's timestamp, so that a projection folds the same value as the event is appended,
    /// when it is rebuilt, and after an import.
    /// </summary>
    public const string RecordedAt = "recorded-at";

    /// <summary>The event's link in its stream's hash chain.</summary>
    public const string Hash = "hash";

    /// <summary>How <see cref="Hash"/> was made (<see cref="Domain.Integrity.EventChain"/>); absent on events of the first version.</summary>
    public const string ChainVersion = "chain-version";

    /// <summary>The headers of one event as the JSON object the headers column holds.</summary>
    public static string Json(string commandId, string recordedBy, string recordedAt, string? tokenMintedBy, string? occurredAt, string hash)
    {
        if (scratch is not { } pair)
        {
            var created = new System.Buffers.ArrayBufferWriter<byte>(512);
            pair = (created, new System.Text.Json.Utf8JsonWriter(created));
            scratch = pair;
        }
        var (buffer, json) = pair;
        buffer.ResetWrittenCount();
        json.Reset(buffer);
        json.WriteStartObject();
        json.WriteString(CommandId, commandId);
        json.WriteString(RecordedBy, recordedBy);
        json.WriteString(RecordedAt, recordedAt);
        if (tokenMintedBy is not null)
        {
            json.WriteString(TokenMintedBy, tokenMintedBy);
        }
        if (occurredAt is not null)
        {
            json.WriteString(OccurredAt, occurredAt);
        }
        json.WriteString(Hash, hash);
        json.WriteString(ChainVersion, Domain.Integrity.EventChain.CurrentVersion.ToString(CultureInfo.InvariantCulture));
        json.WriteEndObject();
        json.Flush();
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The thread's buffer and writer for the headers of each event appended, reused rather than made
    /// per event; <see cref="Json"/> never awaits, so no other event's headers come between its writes.
    /// </summary>
    [ThreadStatic]
    private static (System.Buffers.ArrayBufferWriter<byte> Buffer, System.Text.Json.Utf8JsonWriter Writer)? scratch;

    public static string? CommandIdOf(IEvent e) => Text(e, CommandId);

    public static string? HashOf(IEvent e) => Text(e, Hash);

    /// <summary>The chain version a <see cref="ChainVersion"/> header names: the first when absent, and one no chain has (so the link breaks) when it is not a number.</summary>
    public static int ChainVersionOf(string? header) =>
        header is null ? Domain.Integrity.EventChain.FirstVersion : int.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var version) ? version : 0;

    public static string Format(DateTimeOffset occurredAt) =>
        occurredAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>The <see cref="RecordedAt"/> header; null for an event recorded before it was kept.</summary>
    public static DateTimeOffset? RecordedAtOf(IEvent e)
    {
        if (e.Headers is null || !e.Headers.TryGetValue(RecordedAt, out var value))
        {
            return null;
        }
        // Written as text; read back, the serializer may already have taken text of this shape for a date.
        return value switch
        {
            DateTimeOffset at => at.ToUniversalTime(),
            DateTime at => new DateTimeOffset(DateTime.SpecifyKind(at, at.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : at.Kind).ToUniversalTime()),
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } json => ParseTime(json.GetString()),
            _ => ParseTime(value?.ToString()),
        };
    }

    /// <summary>A time as <see cref="Format"/> writes it; null for anything else.</summary>
    public static DateTimeOffset? ParseTime(string? text) =>
        DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    private static string? Text(IEvent e, string key) =>
        e.Headers is not null && e.Headers.TryGetValue(key, out var value) ? value?.ToString() : null;
}
