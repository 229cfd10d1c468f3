using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Readiness.Grains.Storage;

public static partial class AuditContext
{
    private const string SealKey = "readiness.seal";

    /// <summary>
    /// Seals the call about to be sent: a MAC, under the cluster's call key, over its target, its
    /// method, when it was sealed and every audit value it carries, so that none of them can be
    /// changed or moved to another call without the key.
    /// </summary>
    internal static void Seal(byte[] key, GrainId target, GrainInterfaceType interfaceType, string method, DateTimeOffset now)
    {
        var issued = now.ToUnixTimeMilliseconds();
        var mac = Mac(key, target, interfaceType, method, issued);
        RequestContext.Set(SealKey, $"{issued.ToString(CultureInfo.InvariantCulture)}.{Convert.ToBase64String(mac)}");
    }

    /// <summary>Whether the arriving call carries a seal made with the key for this very call, no older than the window allows.</summary>
    internal static bool IsSealed(byte[] key, GrainId target, GrainInterfaceType interfaceType, string method, DateTimeOffset now, TimeSpan window)
    {
        if (RequestContext.Get(SealKey) is not string seal)
        {
            return false;
        }
        var dot = seal.IndexOf('.', StringComparison.Ordinal);
        if (dot < 1 || !long.TryParse(seal.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var issued))
        {
            return false;
        }
        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64Chars(seal.AsSpan(dot + 1), given, out var length) || length != given.Length)
        {
            return false;
        }
        var age = now.ToUnixTimeMilliseconds() - issued;
        if (Math.Abs(age) > window.TotalMilliseconds)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(given, Mac(key, target, interfaceType, method, issued));
    }

    private static byte[] Mac(byte[] key, GrainId target, GrainInterfaceType interfaceType, string method, long issued)
    {
        // Length-prefixed fields, and "absent" kept apart from "empty", so that no two different calls
        // (a caller with no scopes and one with an empty list, say) share a MAC input.
        var input = new MemoryStream(256);
        Write(input, target.ToString());
        Write(input, interfaceType.ToString());
        Write(input, method);
        Span<byte> issuedBytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(issuedBytes, issued);
        input.Write(issuedBytes);
        Write(input, RequestContext.Get(RecordedByKey) as string);
        Write(input, RequestContext.Get(CorrelationKey) as string);
        Write(input, RequestContext.Get(TokenMintedByKey) as string);
        if (RequestContext.Get(ScopesKey) is string[] scopes)
        {
            input.WriteByte(1);
            Write(input, scopes.Length.ToString(CultureInfo.InvariantCulture));
            foreach (var scope in scopes)
            {
                Write(input, scope);
            }
        }
        else
        {
            input.WriteByte(0);
        }
        return HMACSHA256.HashData(key, input.GetBuffer().AsSpan(0, (int)input.Length));
    }

    private static void Write(MemoryStream input, string? value)
    {
        if (value is null)
        {
            input.WriteByte(0);
            return;
        }
        input.WriteByte(1);
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        input.Write(length);
        input.Write(bytes);
    }
}
