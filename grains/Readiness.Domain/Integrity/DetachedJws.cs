using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Readiness.Domain.Integrity;

/// <summary>Checks an ES256 detached JWS (<c>header..signature</c>) against a P-256 public key given as JWK coordinates.</summary>
public static class DetachedJws
{
    public static bool VerifyEs256(string detachedJws, ReadOnlySpan<byte> payload, string x, string y)
    {
        var dots = detachedJws.IndexOf("..", StringComparison.Ordinal);
        if (dots <= 0)
        {
            return false;
        }
        try
        {
            var header = detachedJws[..dots];
            using (var parsed = JsonDocument.Parse(Base64Url.DecodeFromChars(header)))
            {
                // A header naming another algorithm must not be checked as if it were ES256.
                if (!parsed.RootElement.TryGetProperty("alg", out var alg) || alg.GetString() != "ES256")
                {
                    return false;
                }
            }
            var signature = Base64Url.DecodeFromChars(detachedJws.AsSpan(dots + 2));
            using var key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = Base64Url.DecodeFromChars(x), Y = Base64Url.DecodeFromChars(y) },
            });
            var input = Encoding.ASCII.GetBytes($"{header}.{Base64Url.EncodeToString(payload)}");
            return key.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or CryptographicException or ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The key id a detached JWS names, or null.</summary>
    public static string? KeyIdOf(string detachedJws)
    {
        var dots = detachedJws.IndexOf("..", StringComparison.Ordinal);
        if (dots <= 0)
        {
            return null;
        }
        try
        {
            using var parsed = JsonDocument.Parse(Base64Url.DecodeFromChars(detachedJws.AsSpan(0, dots)));
            return parsed.RootElement.TryGetProperty("kid", out var kid) ? kid.GetString() : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }
}
