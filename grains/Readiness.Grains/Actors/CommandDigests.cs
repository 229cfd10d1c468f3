using System.Security.Cryptography;
using System.Text;

namespace Readiness.Grains.Actors;

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

    public static byte[] Pack(IEnumerable<KeyValuePair<UInt128, long>> digests)
    {
        var list = digests.ToList();
        var bytes = new byte[list.Count * RecordBytes];
        for (var i = 0; i < list.Count; i++)
        {
            var record = bytes.AsSpan(i * RecordBytes, RecordBytes);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(record, list[i].Key);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(record[16..], list[i].Value);
        }
        return bytes;
    }

    public static Dictionary<UInt128, long> Unpack(byte[] bytes)
    {
        var digests = new Dictionary<UInt128, long>(bytes.Length / RecordBytes);
        for (var offset = 0; offset + RecordBytes <= bytes.Length; offset += RecordBytes)
        {
            var record = bytes.AsSpan(offset, RecordBytes);
            digests[System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(record)] = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(record[16..]);
        }
        return digests;
    }
}
