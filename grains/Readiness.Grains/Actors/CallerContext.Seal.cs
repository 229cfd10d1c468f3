using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orleans.Serialization;

namespace Readiness.Grains.Actors;

/// <summary>What the receiving silo made of a call's seal; only <see cref="Sealed"/> lets the call through.</summary>
internal enum SealCheck
{
    Sealed,
    Missing,
    Malformed,
    TooOld,
    FromTheFuture,
    Forged,
}

/// <summary>The verdict on a seal, with when it says it was made and its nonce, for the replay check.</summary>
internal readonly record struct SealVerdict(SealCheck Check, long IssuedMs, UInt128 Nonce);

public static partial class CallerContext
{
    private const string SealKey = "readiness.seal";
    private const int NonceBytes = 16;
    private const int SealBytes = NonceBytes + HMACSHA256.HashSizeInBytes;

    // A nonce needs to be unique, not secret (it is under the MAC, and the replay check keeps only those
    // of seals that verified): this process's random half and a counter, an increment per call rather
    // than a call into the system's random source.
    private static readonly ulong NoncePrefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long nonceCounter;

    /// <summary>
    /// Seals the call about to be sent: a MAC, under the cluster's call key, over its target, its
    /// method, its arguments (as the Orleans serializer writes them), when it was sealed, a nonce of
    /// its own and every audit value it carries, so that none of them can be changed or moved to
    /// another call without the key, and the receiving silo can tell a second arrival of this very seal.
    /// </summary>
    internal static void Seal(byte[] key, IGrainCallContext call, Serializer serializer, DateTimeOffset now)
    {
        var issued = now.ToUnixTimeMilliseconds();
        Span<byte> seal = stackalloc byte[SealBytes];
        BinaryPrimitives.WriteUInt64BigEndian(seal[..8], NoncePrefix);
        BinaryPrimitives.WriteInt64BigEndian(seal[8..NonceBytes], Interlocked.Increment(ref nonceCounter));
        Mac(key, call, serializer, issued, seal[..NonceBytes], seal[NonceBytes..]);
        // "issued.base64", written in place: the only string a seal costs is the one sent.
        Span<char> text = stackalloc char[20 + 1 + (SealBytes + 2) / 3 * 4];
        issued.TryFormat(text, out var digits, default, CultureInfo.InvariantCulture);
        text[digits] = '.';
        Convert.TryToBase64Chars(seal, text[(digits + 1)..], out var encoded);
        RequestContext.Set(SealKey, new string(text[..(digits + 1 + encoded)]));
    }

    /// <summary>
    /// Whether the arriving call carries a seal made with the key for this very call, with these
    /// arguments, made no more than <paramref name="past"/> before <paramref name="now"/> and no more
    /// than <paramref name="future"/> after it (the sending silo's clock may run ahead).
    /// </summary>
    internal static SealVerdict CheckSeal(byte[] key, IGrainCallContext call, Serializer serializer, DateTimeOffset now, TimeSpan past, TimeSpan future)
    {
        if (RequestContext.Get(SealKey) is not string seal)
        {
            return new(SealCheck.Missing, 0, 0);
        }
        var dot = seal.IndexOf('.', StringComparison.Ordinal);
        if (dot < 1 || !long.TryParse(seal.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var issued))
        {
            return new(SealCheck.Malformed, 0, 0);
        }
        Span<byte> given = stackalloc byte[SealBytes];
        if (!Convert.TryFromBase64Chars(seal.AsSpan(dot + 1), given, out var length) || length != given.Length)
        {
            return new(SealCheck.Malformed, issued, 0);
        }
        var nonce = BinaryPrimitives.ReadUInt128BigEndian(given[..NonceBytes]);
        var age = now.ToUnixTimeMilliseconds() - issued;
        if (age > past.TotalMilliseconds)
        {
            return new(SealCheck.TooOld, issued, nonce);
        }
        if (-age > future.TotalMilliseconds)
        {
            return new(SealCheck.FromTheFuture, issued, nonce);
        }
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(key, call, serializer, issued, given[..NonceBytes], expected);
        return CryptographicOperations.FixedTimeEquals(given[NonceBytes..], expected)
            ? new(SealCheck.Sealed, issued, nonce)
            : new(SealCheck.Forged, issued, nonce);
    }

    private static void Mac(byte[] key, IGrainCallContext call, Serializer serializer, long issued, ReadOnlySpan<byte> nonce, Span<byte> mac)
    {
        // Length-prefixed fields, and "absent" kept apart from "empty", so that no two different calls
        // (a caller with no scopes and one with an empty list, say) share a MAC input.
        var input = macInput ??= new MemoryStream(512);
        input.SetLength(0);
        Write(input, call.TargetId);
        Write(input, call.InterfaceType);
        Write(input, call.MethodName);
        Span<byte> issuedBytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(issuedBytes, issued);
        input.Write(issuedBytes);
        input.Write(nonce);
        WriteArguments(input, call.Request, serializer);
        Write(input, RequestContext.Get(RecordedByKey) as string);
        Write(input, RequestContext.Get(CorrelationKey) as string);
        Write(input, RequestContext.Get(TokenMintedByKey) as string);
        if (RequestContext.Get(ScopesKey) is string[] scopes)
        {
            input.WriteByte(1);
            Write(input, scopes.Length);
            foreach (var scope in scopes)
            {
                Write(input, scope);
            }
        }
        else
        {
            input.WriteByte(0);
        }
        HMACSHA256.HashData(key, input.GetBuffer().AsSpan(0, (int)input.Length), mac);
        if (input.Capacity > MacInputKept)
        {
            // A call with an unusually large argument does not keep its buffer for the thread's life.
            macInput = null;
        }
    }

    /// <summary>
    /// The thread's buffer for a MAC's input: every call between grains is sealed once and checked
    /// once, and a fresh stream per call was a good part of what a command allocated. <see cref="Mac"/>
    /// never awaits, so no other call's input can come between its writes.
    /// </summary>
    [ThreadStatic]
    private static MemoryStream? macInput;

    private const int MacInputKept = 64 * 1024;

    /// <summary>
    /// Each argument as the Orleans serializer writes it, its type included: the sender writes the
    /// objects it passes, the receiver those it read off the wire (or, within one silo, the copies it
    /// was handed), and both write the same bytes for the same values. A cancellation token never
    /// travels (Orleans makes the receiver its own), so it is left out.
    /// </summary>
    private static void WriteArguments(MemoryStream input, Orleans.Serialization.Invocation.IInvokable request, Serializer serializer)
    {
        var count = request.GetArgumentCount();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, count);
        input.Write(length);
        for (var i = 0; i < count; i++)
        {
            var argument = request.GetArgument(i);
            if (argument is CancellationToken)
            {
                input.WriteByte(2);
                continue;
            }
            input.WriteByte(1);
            var start = input.Position;
            input.Write(length);
            serializer.Serialize(argument, input);
            var end = input.Position;
            BinaryPrimitives.WriteInt32BigEndian(input.GetBuffer().AsSpan((int)start, 4), (int)(end - start - 4));
        }
    }

    /// <summary>
    /// A value as its text would be written (a grain id, an interface, a count), formatted in place
    /// rather than through a string; the bytes are those of <c>value.ToString()</c>.
    /// </summary>
    private static void Write<T>(MemoryStream input, T value) where T : ISpanFormattable
    {
        Span<char> text = stackalloc char[256];
        if (value.TryFormat(text, out var written, default, CultureInfo.InvariantCulture))
        {
            Write(input, text[..written]);
        }
        else
        {
            Write(input, value.ToString(null, CultureInfo.InvariantCulture));
        }
    }

    private static void Write(MemoryStream input, string? value)
    {
        if (value is null)
        {
            input.WriteByte(0);
            return;
        }
        Write(input, value.AsSpan());
    }

    private static void Write(MemoryStream input, ReadOnlySpan<char> value)
    {
        input.WriteByte(1);
        var count = Encoding.UTF8.GetByteCount(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, count);
        input.Write(length);
        var rented = count > 256 ? ArrayPool<byte>.Shared.Rent(count) : null;
        Span<byte> bytes = rented ?? stackalloc byte[256];
        input.Write(bytes[..Encoding.UTF8.GetBytes(value, bytes)]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
