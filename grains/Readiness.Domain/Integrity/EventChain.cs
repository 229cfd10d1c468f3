using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Readiness.Domain.Integrity;

/// <summary>
/// One stored event as the chain sees it: where it sits, what it says and who recorded it. The
/// store's own timestamp and sequence are left out: the database assigns them after the hash is made.
/// </summary>
public sealed record ChainedEvent(
    string StreamKey,
    long Version,
    string EventType,
    string DataJson,
    string? OccurredAt,
    string? RecordedBy,
    string? CommandId,
    string? CorrelationId,
    string? CausationId,
    string? TokenMintedBy = null,
    int ChainVersion = EventChain.FirstVersion);

/// <summary>
/// Each stream is a hash chain: an event's hash covers the previous event's hash, its place in the
/// stream, its type, its body and its metadata. Changing, deleting or reordering any stored event
/// breaks the link at that event, and every later one. Bodies are hashed in a canonical JSON form
/// (keys sorted, numbers normalised) so that the text PostgreSQL hands back from jsonb hashes the
/// same as the text the application wrote.
/// </summary>
public static class EventChain
{
    /// <summary>The "previous hash" of a stream's first event.</summary>
    public const string Genesis = "";

    /// <summary>
    /// How events recorded before the chain covered who minted the recording token are hashed: they
    /// keep verifying as they were written, and a minter named in their headers is not covered.
    /// </summary>
    public const int FirstVersion = 1;

    /// <summary>
    /// How events are hashed from now on: the version itself and the token's minter (null included)
    /// are covered, so adding, changing or removing the minter, or passing the event off as the first
    /// version, breaks the link.
    /// </summary>
    public const int CurrentVersion = 2;

    public static string Hash(string previousHash, ChainedEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("causation", e.CausationId);
            if (e.ChainVersion != FirstVersion)
            {
                writer.WriteNumber("chain", e.ChainVersion);
            }
            writer.WriteString("command", e.CommandId);
            writer.WriteString("correlation", e.CorrelationId);
            writer.WritePropertyName("data");
            using (var body = JsonDocument.Parse(e.DataJson))
            {
                WriteCanonical(writer, body.RootElement);
            }
            writer.WriteString("occurredAt", e.OccurredAt);
            writer.WriteString("previous", previousHash);
            writer.WriteString("recordedBy", e.RecordedBy);
            writer.WriteString("stream", e.StreamKey);
            if (e.ChainVersion != FirstVersion)
            {
                writer.WriteString("tokenMintedBy", e.TokenMintedBy);
            }
            writer.WriteString("type", e.EventType);
            writer.WriteNumber("version", e.Version);
            writer.WriteEndObject();
        }
        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    /// <summary>The canonical text of a JSON document: what the hash covers.</summary>
    public static string Canonical(string json)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        using (var document = JsonDocument.Parse(json))
        {
            WriteCanonical(writer, document.RootElement);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteCanonical(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }
                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                // jsonb keeps a number's value, not its spelling ("1E+2" comes back as "100").
                var raw = element.GetRawText();
                if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    writer.WriteRawValue(number.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    writer.WriteRawValue(raw);
                }
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
