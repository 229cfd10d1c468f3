using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Readiness.Silo.Security;

/// <summary>
/// A P-256 private key that signs, with ES256, what another party checks. Only its public half
/// leaves the silo, as a JWK in <c>/.well-known/jwks.json</c>; its key id is the RFC 7638 thumbprint,
/// so a verifier can recompute it from the published key instead of trusting a name.
/// </summary>
public sealed class Es256Key : IDisposable
{
    public const string Algorithm = "ES256";
    private const string P256Oid = "1.2.840.10045.3.1.7";

    private readonly ECDsa key;

    private Es256Key(ECDsa key, string x, string y)
    {
        this.key = key;
        KeyId = Thumbprint(x, y);
        PublicKey = new PublicJwk("EC", "P-256", x, y, KeyId, "sig", Algorithm);
    }

    public string KeyId { get; }

    public PublicJwk PublicKey { get; }

    /// <summary>A new key, as PKCS#8 PEM.</summary>
    public static string NewPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>Reads an unencrypted PEM private key (PKCS#8 or SEC 1); <paramref name="source"/> names where it came from in any refusal.</summary>
    public static Es256Key FromPem(string pem, string source)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            ECParameters parameters;
            try
            {
                parameters = key.ExportParameters(includePrivateParameters: true);
            }
            catch (CryptographicException)
            {
                throw new InvalidOperationException($"{source} holds a public key only; the silo needs the private key (PEM 'PRIVATE KEY' or 'EC PRIVATE KEY').");
            }
            if (parameters.Curve.Oid?.Value != P256Oid)
            {
                throw new InvalidOperationException($"{source} is not a P-256 key; ES256 needs one (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256).");
            }
            return new Es256Key(key, Base64Url.EncodeToString(parameters.Q.X), Base64Url.EncodeToString(parameters.Q.Y));
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException($"{source} is not an unencrypted PEM EC private key: {ex.Message}", ex);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A detached JWS (RFC 7515, appendix F) over the exact bytes: <c>header..signature</c>. The
    /// verifier puts <c>base64url(bytes)</c> back between the dots and checks ES256 with the key named by <c>kid</c>.
    /// </summary>
    public string SignDetached(ReadOnlySpan<byte> payload)
    {
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new JwsHeader(Algorithm, KeyId)));
        var input = Encoding.ASCII.GetBytes($"{header}.{Base64Url.EncodeToString(payload)}");
        // IEEE P1363 (r ‖ s, 64 bytes) is what JWS expects; DER would be refused by every JOSE library.
        var signature = key.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{header}..{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>
    /// The public half of a PEM P-256 key, public (<c>PUBLIC KEY</c>) or private: how a retired key stays published
    /// for checking once its private half is put away.
    /// </summary>
    public static PublicJwk PublicOf(string pem, string source)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new InvalidOperationException($"{source} is not a PEM EC key: {ex.Message}", ex);
        }
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != P256Oid)
        {
            throw new InvalidOperationException($"{source} is not a P-256 key; ES256 needs one.");
        }
        var (x, y) = (Base64Url.EncodeToString(parameters.Q.X), Base64Url.EncodeToString(parameters.Q.Y));
        return new PublicJwk("EC", "P-256", x, y, Thumbprint(x, y), "sig", Algorithm);
    }

    /// <summary>The key id a detached JWS names, or null when it is not one.</summary>
    public static string? KeyIdOf(string detachedJws)
    {
        var dots = detachedJws.IndexOf("..", StringComparison.Ordinal);
        if (dots <= 0)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<JwsHeader>(Base64Url.DecodeFromChars(detachedJws.AsSpan(0, dots)))?.Kid;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The RFC 7638 thumbprint of an EC public key: SHA-256 of its required members, in order, without spaces.</summary>
    public static string Thumbprint(string x, string y) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes($$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""")));

    public void Dispose() => key.Dispose();

    private sealed record JwsHeader(
        [property: System.Text.Json.Serialization.JsonPropertyName("alg")] string Alg,
        [property: System.Text.Json.Serialization.JsonPropertyName("kid")] string Kid);
}
