using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Readiness.Client;

/// <summary>
/// A bearer token an echelon above (a military region's system) signs with its own ES256 key, to read
/// a province that trusts it (the province's <c>Readiness:Auth:Echelons</c>). The province holds only
/// the public half and grants such a token no more than it configured: reading, within the units named.
/// </summary>
public static class EchelonToken
{
    /// <param name="key">The echelon's P-256 private key; the province pins its public half.</param>
    /// <param name="issuer">The echelon's name, as the province registered it.</param>
    /// <param name="audience">The province's audience (<c>readiness-api</c> unless it changed it).</param>
    /// <param name="subject">Who at the echelon asks: recorded in the province's logs.</param>
    /// <param name="scopes">The units asked about, for instance the province's id.</param>
    /// <param name="roles"><c>viewer</c>, <c>auditor</c>, or both.</param>
    /// <param name="lifetime">How long it may be used.</param>
    public static string Mint(ECDsa key, string issuer, string audience, string subject, IEnumerable<string> scopes, IEnumerable<string> roles, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "ES256", ["typ"] = "JWT" }));
        var payload = Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iss"] = issuer,
            ["aud"] = audience,
            ["sub"] = subject,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (long)lifetime.TotalSeconds,
            ["scope"] = scopes.ToArray(),
            ["role"] = roles.ToArray(),
        }));
        var signature = key.SignData(Encoding.ASCII.GetBytes($"{header}.{payload}"), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{header}.{payload}.{Encode(signature)}";
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
