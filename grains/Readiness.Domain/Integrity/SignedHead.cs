using System.Text;
using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Domain.Integrity;

/// <summary>A signed tree head kept outside a store: read as it was kept, and checked against the keys of the store that signed it.</summary>
public static class SignedHead
{
    /// <summary>
    /// A head from the text it was kept as: one head, a page of <c>/api/audit/tree-heads</c> (its newest
    /// head, the first), or a copy of <c>tree-heads.jsonl</c> (its last line, the latest).
    /// </summary>
    /// <exception cref="FormatException">The text holds no head with a size and a root.</exception>
    public static TreeHead Read(string text)
    {
        TreeHead? head;
        try
        {
            using var document = JsonDocument.Parse(text);
            head = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("heads", out var heads) && heads.ValueKind == JsonValueKind.Array
                ? heads.EnumerateArray().Select(h => h.Deserialize<TreeHead>(ContractJson.Options)).FirstOrDefault()
                : document.RootElement.Deserialize<TreeHead>(ContractJson.Options);
        }
        catch (JsonException)
        {
            var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()
                ?? throw new FormatException("The head file is empty.");
            try
            {
                head = JsonSerializer.Deserialize<TreeHead>(last, ContractJson.Options);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"The head is not a tree head as /api/audit/tree-heads or tree-heads.jsonl gives it: {ex.Message}", ex);
            }
        }
        return head is { Size: > 0, Root.Length: > 0 } ? head : throw new FormatException("The head holds no tree head with a size and a root.");
    }

    /// <summary>
    /// Why the head's signature does not hold with the keys of <paramref name="jwks"/> (a JWK Set, as the
    /// signing silo's <c>/.well-known/jwks.json</c> gives it), or null when it holds. The key is the one
    /// the signature names by its id.
    /// </summary>
    public static string? SignatureProblem(TreeHead head, string jwks)
    {
        if (head.Signature is null)
        {
            return "the head carries no signature (its silo had no report key).";
        }
        var payload = Encoding.UTF8.GetBytes(TreeHeadText.Payload(head));
        return PublishedKeys.SignatureProblem(head.Signature, payload, jwks, TreeHeadText.Purpose, "head", "head's size, root or time")
            ?? (head.Log is null ? "the head names no log: it was signed before heads named their purpose and log, and proves nothing now." : null);
    }
}

/// <summary>
/// A detached JWS checked against a JWK Set as <c>/.well-known/jwks.json</c> gives it: the key the signature
/// names by its id, which must be published for the purpose asked (its <c>purpose</c> member), so that a
/// signature by the report key never passes for a head's, nor the head key's for a report's.
/// </summary>
public static class PublishedKeys
{
    /// <summary>Why the signature does not hold over <paramref name="payload"/> for <paramref name="purpose"/>, or null when it does.</summary>
    public static string? SignatureProblem(string signature, ReadOnlySpan<byte> payload, string jwks, string purpose, string what, string changed)
    {
        var kid = DetachedJws.KeyIdOf(signature);
        List<(string? Kid, string? X, string? Y, string? Purpose, string? Status)> keys;
        try
        {
            using var set = JsonDocument.Parse(jwks);
            keys = [.. set.RootElement.GetProperty("keys").EnumerateArray().Select(k => (Member(k, "kid"), Member(k, "x"), Member(k, "y"), Member(k, "purpose"), Member(k, "status")))];
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"the keys are not a JWK Set (an object with 'keys'), as /.well-known/jwks.json gives it: {ex.Message}";
        }
        var key = keys.FirstOrDefault(k => k.Kid is not null && k.Kid == kid);
        if (key.Kid is null)
        {
            return $"the {what} is signed by key '{kid}', which is not among the keys given ({(keys.Count == 0 ? "none" : string.Join(", ", keys.Select(k => $"'{k.Kid}'")))}).";
        }
        if (key.Purpose != purpose)
        {
            return $"the {what} is signed by key '{kid}', which is published for {(key.Purpose is null ? "no purpose" : $"'{key.Purpose}'")}, not '{purpose}'.";
        }
        if (key.Status == "next")
        {
            // Published ahead of its promotion: nothing it signs is the province's yet.
            return $"the {what} is signed by key '{kid}', which is published as the next key and signs nothing until it is promoted.";
        }
        return key.X is not null && key.Y is not null && DetachedJws.VerifyEs256(signature, payload, key.X, key.Y)
            ? null
            : $"the signature does not hold with key '{kid}': the {changed} was changed, or another key signed it.";

        static string? Member(JsonElement key, string name) =>
            key.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
