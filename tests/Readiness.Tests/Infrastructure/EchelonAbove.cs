using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Readiness.Tests.Infrastructure;

/// <summary>
/// How the echelon above checks a report: the detached JWS in <c>X-Readiness-Signature</c> against the
/// province's published JWK Set and nothing else, written from the RFCs rather than from the silo's code.
/// </summary>
public static class EchelonAbove
{
    public static bool Verifies(JsonElement jwks, string signature, byte[] body)
    {
        var parts = signature.Split('.');
        if (parts.Length != 3 || parts[1].Length != 0)
        {
            return false;
        }
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        if (header.RootElement.GetProperty("alg").GetString() != "ES256")
        {
            return false;
        }
        var kid = header.RootElement.GetProperty("kid").GetString();
        var jwk = jwks.GetProperty("keys").EnumerateArray().FirstOrDefault(k => k.GetProperty("kid").GetString() == kid);
        if (jwk.ValueKind != JsonValueKind.Object || jwk.GetProperty("kty").GetString() != "EC" || jwk.GetProperty("crv").GetString() != "P-256")
        {
            return false;
        }
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64Url.DecodeFromChars(jwk.GetProperty("x").GetString()), Y = Base64Url.DecodeFromChars(jwk.GetProperty("y").GetString()) },
        });
        var input = Encoding.ASCII.GetBytes($"{parts[0]}.{Base64Url.EncodeToString(body)}");
        return key.VerifyData(input, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>RFC 7638: the key id a verifier can recompute from the key itself.</summary>
    public static string Thumbprint(JsonElement jwk)
    {
        string? Member(string name) => jwk.GetProperty(name).GetString();
        var canonical = $$"""{"crv":"{{Member("crv")}}","kty":"{{Member("kty")}}","x":"{{Member("x")}}","y":"{{Member("y")}}"}""";
        return Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
