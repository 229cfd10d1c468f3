using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Readiness.Grains.Actors;

/// <summary>
/// A grain's state as folded up to a version of its stream, so that a long stream (a unit that
/// reports daily for thirty years holds about 10,000 events) activates without folding it whole.
/// Kept beside the events, never instead of them: it is written after the commit, outside the
/// command's transaction, and trusted only when the stored event at <see cref="Version"/> still
/// carries <see cref="LastHash"/> and the state's type still has the <see cref="Shape"/> it was written with.
/// </summary>
public sealed class StreamSnapshot
{
    /// <summary>The stream key.</summary>
    public string Id { get; set; } = string.Empty;

    public long Version { get; set; }

    /// <summary>The hash-chain link of the event at <see cref="Version"/>.</summary>
    public string LastHash { get; set; } = string.Empty;

    /// <summary>The state type's members when written (<see cref="SnapshotShape.Of"/>); another shape means another fold.</summary>
    public string Shape { get; set; } = string.Empty;

    /// <summary>The state, in <see cref="SnapshotShape.Json"/>'s form.</summary>
    public string State { get; set; } = string.Empty;

    /// <summary>
    /// Every command id applied up to <see cref="Version"/>, as <see cref="CommandDigests"/> packs
    /// them with the version each reached: a retry of any of them is still answered, not applied again.
    /// </summary>
    public string CommandIds { get; set; } = string.Empty;
}

/// <summary>
/// Command ids as 128-bit digests (the first half of their SHA-256), packed with the version each
/// reached: a stream of 10,000 commands keeps 240 KB of them instead of 440 KB of JSON, and reads
/// them back in a fraction of the time. Two ids share a digest with a probability of about 10⁻³¹
/// per stream of that length, far below any other way a retry could be misjudged.
/// </summary>
public static class CommandDigests
{
    private const int RecordBytes = 16 + 8;

    public static UInt128 Of(string commandId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(commandId), hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(hash);
    }

    public static string Pack(IEnumerable<KeyValuePair<UInt128, long>> digests)
    {
        var list = digests.ToList();
        var bytes = new byte[list.Count * RecordBytes];
        for (var i = 0; i < list.Count; i++)
        {
            var record = bytes.AsSpan(i * RecordBytes, RecordBytes);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(record, list[i].Key);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(record[16..], list[i].Value);
        }
        return Convert.ToBase64String(bytes);
    }

    public static Dictionary<UInt128, long> Unpack(string packed)
    {
        var bytes = Convert.FromBase64String(packed);
        var digests = new Dictionary<UInt128, long>(bytes.Length / RecordBytes);
        for (var offset = 0; offset + RecordBytes <= bytes.Length; offset += RecordBytes)
        {
            var record = bytes.AsSpan(offset, RecordBytes);
            digests[System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(record)] = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(record[16..]);
        }
        return digests;
    }
}

/// <summary>How a state is written into a snapshot, and what its type looks like.</summary>
public static class SnapshotShape
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// A digest of the type's public members, recursively: a snapshot written before a member was
    /// added, renamed or retyped is of another shape, and the stream is folded from its start instead.
    /// </summary>
    public static string Of(Type type)
    {
        var text = new StringBuilder();
        Describe(type, text, [], depth: 0);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static void Describe(Type type, StringBuilder text, HashSet<Type> seen, int depth)
    {
        // The state type's own name is left out: a type renamed with the same members reads the same JSON.
        text.Append(depth == 0 ? string.Empty : type.FullName).Append('{');
        if (depth < 6 && !type.IsPrimitive && !type.IsEnum && type != typeof(string) && type.Namespace?.StartsWith("Readiness", StringComparison.Ordinal) == true && seen.Add(type))
        {
            foreach (var property in type.GetProperties().Where(p => p.GetIndexParameters().Length == 0).OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                text.Append(property.Name).Append(property.CanWrite ? "=" : ":");
                Describe(property.PropertyType, text, seen, depth + 1);
            }
        }
        foreach (var argument in type.GenericTypeArguments)
        {
            Describe(argument, text, seen, depth + 1);
        }
        if (type.IsEnum)
        {
            text.AppendJoin(',', Enum.GetNames(type));
        }
        text.Append('}');
    }
}

/// <summary>
/// A stream's newest link of the hash chain as a grain keeps it between commands: the 64 hex digits
/// of a SHA-256 as two 128-bit numbers inside the grain, not a 150-byte string on the heap. A link
/// of any other shape (the empty genesis, or text an import brought in) is kept as the text itself,
/// so that the next link is always hashed from exactly what the store holds.
/// </summary>
public readonly struct ChainLink
{
    private readonly UInt128 high;
    private readonly UInt128 low;
    private readonly string? text;
    private readonly bool isHex;

    private ChainLink(UInt128 high, UInt128 low)
    {
        this.high = high;
        this.low = low;
        isHex = true;
    }

    private ChainLink(string text) => this.text = text;

    public static ChainLink Of(string hash) =>
        hash.Length == 64 && IsLowerHex(hash)
        && UInt128.TryParse(hash.AsSpan(0, 32), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var high)
        && UInt128.TryParse(hash.AsSpan(32), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var low)
            ? new ChainLink(high, low)
            : new ChainLink(hash);

    /// <summary>The link as the chain and the store write it; the genesis (empty) for a link never set.</summary>
    public override string ToString() =>
        isHex
            ? high.ToString("x32", System.Globalization.CultureInfo.InvariantCulture) + low.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)
            : text ?? Readiness.Domain.Audit.EventChain.Genesis;

    private static bool IsLowerHex(string value)
    {
        foreach (var c in value)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }
        return true;
    }
}
