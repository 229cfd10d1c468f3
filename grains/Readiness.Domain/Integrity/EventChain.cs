using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
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

    /// <summary>
    /// The buffer and writer every hash and canonical form of this thread is written through: a hash is
    /// taken for every event appended and every leaf logged, and fresh buffers grown to each body's size
    /// were most of what an append allocated. The methods using them never await, so no other use of
    /// the thread's pair can come between their writes.
    /// </summary>
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer)? scratch;

    /// <summary>The thread's scratch pair, the buffer emptied and the writer reset onto it.</summary>
    internal static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) Scratch()
    {
        if (scratch is not { } pair)
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            pair = (buffer, new Utf8JsonWriter(buffer));
            scratch = pair;
        }
        pair.Buffer.ResetWrittenCount();
        pair.Writer.Reset(pair.Buffer);
        return pair;
    }

    public static string Hash(string previousHash, ChainedEvent e)
    {
        var (buffer, writer) = Scratch();
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
        writer.Flush();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The canonical text of a JSON document: what the hash covers.</summary>
    public static string Canonical(string json)
    {
        var (buffer, writer) = Scratch();
        WriteCanonical(writer, json);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the canonical form of <paramref name="json"/> through <paramref name="writer"/> and flushes it.</summary>
    internal static void WriteCanonical(Utf8JsonWriter writer, string json)
    {
        using (var document = JsonDocument.Parse(json))
        {
            WriteCanonical(writer, document.RootElement);
        }
        writer.Flush();
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                if (!TryWriteAsciiNamed(writer, element))
                {
                    WriteNamed(writer, element);
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
                var raw = JsonMarshal.GetRawUtf8Value(element);
                Span<byte> formatted = stackalloc byte[64];
                if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    && number.TryFormat(formatted, out var written, default, CultureInfo.InvariantCulture))
                {
                    writer.WriteRawValue(formatted[..written]);
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

    /// <summary>
    /// An object's members, names sorted ordinally (equal names, which only a hand-written body can hold,
    /// in their written order), when every name is ASCII written without escapes, as the events' own are:
    /// their UTF-8 bytes then sort as their characters do, and are written as they stand, without a
    /// string per name. False, having written nothing, otherwise.
    /// </summary>
    private static bool TryWriteAsciiNamed(Utf8JsonWriter writer, JsonElement element)
    {
        var count = element.GetPropertyCount();
        var properties = ArrayPool<(JsonProperty Property, int Index)>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var property in element.EnumerateObject())
            {
                var name = JsonMarshal.GetRawUtf8PropertyName(property);
                if (!Ascii.IsValid(name) || name.Contains((byte)'\\'))
                {
                    return false;
                }
                properties[n] = (property, n);
                n++;
            }
            var sorted = properties.AsSpan(0, n);
            sorted.Sort(static (a, b) =>
                JsonMarshal.GetRawUtf8PropertyName(a.Property).SequenceCompareTo(JsonMarshal.GetRawUtf8PropertyName(b.Property)) is var byName and not 0
                    ? byName
                    : a.Index.CompareTo(b.Index));
            foreach (var (property, _) in sorted)
            {
                writer.WritePropertyName(JsonMarshal.GetRawUtf8PropertyName(property));
                WriteCanonical(writer, property.Value);
            }
            return true;
        }
        finally
        {
            ArrayPool<(JsonProperty Property, int Index)>.Shared.Return(properties, clearArray: true);
        }
    }

    /// <summary>An object's members, names sorted ordinally as strings (equal names in their written order).</summary>
    private static void WriteNamed(Utf8JsonWriter writer, JsonElement element)
    {
        var count = element.GetPropertyCount();
        var properties = ArrayPool<(string Name, int Index, JsonElement Value)>.Shared.Rent(count);
        try
        {
            var n = 0;
            foreach (var property in element.EnumerateObject())
            {
                properties[n] = (property.Name, n, property.Value);
                n++;
            }
            var sorted = properties.AsSpan(0, n);
            sorted.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var byName and not 0 ? byName : a.Index.CompareTo(b.Index));
            foreach (var (name, _, value) in sorted)
            {
                writer.WritePropertyName(name);
                WriteCanonical(writer, value);
            }
        }
        finally
        {
            ArrayPool<(string Name, int Index, JsonElement Value)>.Shared.Return(properties, clearArray: true);
        }
    }
}
