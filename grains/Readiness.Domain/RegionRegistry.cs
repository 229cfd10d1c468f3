using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>
/// An administrator registered a province with the region: its reports are taken from then on, checked
/// against <c>Keys</c> (a JWK Set, each key with its purpose), and it must report every
/// <c>IntervalSeconds</c>. <c>KeysUrl</c> is where the set was fetched from, once, when given by address.
/// </summary>
public sealed record ProvinceRegistered(
    string ProvinceId,
    int IntervalSeconds,
    string Keys,
    string? KeysUrl,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>An administrator pinned another JWK Set for a registered province (a key added, promoted or removed): it replaces the one before.</summary>
public sealed record ProvinceKeysPinned(
    string ProvinceId,
    string Keys,
    string? KeysUrl,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>An administrator removed a province from the region: its reports are no longer taken; what it reported stays.</summary>
public sealed record ProvinceUnregistered(
    string ProvinceId,
    DateTimeOffset OccurredAt) : IReadinessEvent;

/// <summary>One province registered through the route, with the keys pinned for it now.</summary>
public sealed record ProvinceRegistration(string ProvinceId, int IntervalSeconds, string Keys, string? KeysUrl, DateTimeOffset RegisteredAt, DateTimeOffset KeysPinnedAt);

/// <summary>The provinces registered through the route, by id.</summary>
public sealed record RegionRegistry(IReadOnlyList<ProvinceRegistration> Provinces)
{
    public static RegionRegistry Empty { get; } = new([]);

    public ProvinceRegistration? Of(string provinceId) => Provinces.FirstOrDefault(p => p.ProvinceId == provinceId);
}

/// <summary>
/// The rules of the region's own registry: a province id of one level, an interval of at most 31 days,
/// and a JWK Set of P-256 keys each named and published for a purpose, one at least for upward reports;
/// every text of the set under the one input rule. Pure, so that what the route refuses and what the
/// grain records are decided alike.
/// </summary>
public static class RegionRegistryRules
{
    public const int MaxIntervalSeconds = 31 * 86_400;
    public const int MaxKeys = 20;

    /// <summary>The grain that records reports naming no registered province: no province may take its id.</summary>
    public const string UnregisteredBucket = "unregistered";

    public static RegionRegistry Evolve(RegionRegistry registry, object @event) => @event switch
    {
        ProvinceRegistered r => new([.. registry.Provinces.Where(p => p.ProvinceId != r.ProvinceId),
            new ProvinceRegistration(r.ProvinceId, r.IntervalSeconds, r.Keys, r.KeysUrl, r.OccurredAt, r.OccurredAt)]),
        ProvinceKeysPinned k => new([.. registry.Provinces.Select(p => p.ProvinceId == k.ProvinceId ? p with { Keys = k.Keys, KeysUrl = k.KeysUrl, KeysPinnedAt = k.OccurredAt } : p)]),
        ProvinceUnregistered u => new([.. registry.Provinces.Where(p => p.ProvinceId != u.ProvinceId)]),
        _ => registry,
    };

    /// <summary>What is wrong with a province id, or null: one level of the chain of command's ids, and not the bucket of the unregistered.</summary>
    public static string? IdProblem(string? provinceId) =>
        CommandText.Problem(provinceId, "provinceId") ?? (
            UnitPath.Problem(provinceId) is { } problem ? $"provinceId: {problem.Replace("unit id", "province id", StringComparison.Ordinal)}"
            : provinceId!.Contains('/', StringComparison.Ordinal) ? $"provinceId '{provinceId}' names a unit under a province; give the province's own id, such as 'thai-nguyen'."
            : provinceId == UnregisteredBucket ? $"provinceId '{UnregisteredBucket}' is where the region records reports from provinces it does not know; choose the province's own id."
            : null);

    public static string? IntervalProblem(int intervalSeconds) => InputChecks.Positive(intervalSeconds, "intervalSeconds", MaxIntervalSeconds);

    /// <summary>
    /// The JWK Set as the region keeps it (each key's kty, crv, kid, x, y, purpose and status, nothing else),
    /// or what is wrong with it. <paramref name="field"/> names where it came from in what the caller reads.
    /// </summary>
    public static (string? Keys, string? Problem) Pinned(string json, string field)
    {
        JsonNode? set;
        try
        {
            set = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            return (null, $"{field} is not JSON: {ex.Message}");
        }
        if (set is not JsonObject { } root || root["keys"] is not JsonArray { Count: > 0 } keys)
        {
            return (null, $"{field} must be a JWK Set, an object with a non-empty 'keys' array, as the province's /.well-known/jwks.json gives it.");
        }
        if (keys.Count > MaxKeys)
        {
            return (null, $"{field} holds {keys.Count} keys; at most {MaxKeys} are pinned for a province.");
        }
        var kept = new JsonArray();
        for (var i = 0; i < keys.Count; i++)
        {
            var at = $"{field}.keys[{i}]";
            if (keys[i] is not JsonObject key)
            {
                return (null, $"{at} is not a key (an object).");
            }
            string? Member(string name) => key[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            var (kty, crv, kid, x, y, purpose, status) = (Member("kty"), Member("crv"), Member("kid"), Member("x"), Member("y"), Member("purpose"), Member("status"));
            if (kty != "EC" || crv != "P-256")
            {
                return (null, $"{at} is kty '{kty}', crv '{crv}'; the region takes ES256 keys alone: kty 'EC', crv 'P-256'.");
            }
            foreach (var (name, value) in new[] { ("kid", kid), ("x", x), ("y", y), ("purpose", purpose) })
            {
                if (InputChecks.Text(value, $"{at}.{name}", 200) is { } missing)
                {
                    return (null, missing);
                }
            }
            foreach (var (name, value) in new[] { ("kid", kid), ("x", x), ("y", y), ("purpose", purpose), ("status", status) })
            {
                if (CommandText.Problem(value, $"{at}.{name}") is { } text)
                {
                    return (null, text);
                }
            }
            if (!IsCoordinate(x!) || !IsCoordinate(y!))
            {
                return (null, $"{at} has an x or y that is not 32 bytes in base64url: copy the key exactly as the province publishes it.");
            }
            var copy = new JsonObject { ["kty"] = kty, ["crv"] = crv, ["kid"] = kid, ["x"] = x, ["y"] = y, ["purpose"] = purpose };
            if (status is not null)
            {
                copy["status"] = status;
            }
            kept.Add(copy);
        }
        if (!kept.Any(k => (string?)k!["purpose"] == UpwardReport.SignedPurpose && (string?)k["status"] != "next"))
        {
            return (null, $"{field} has no key for '{UpwardReport.SignedPurpose}' that signs now: none of the province's reports could be checked. "
                + "Pin the set the province publishes, whose report key has that purpose.");
        }
        return (new JsonObject { ["keys"] = kept }.ToJsonString(), null);
    }

    public static Decision Register(RegionRegistry registry, string provinceId, int intervalSeconds, string keys, string? keysUrl, DateTimeOffset now)
    {
        if (InputChecks.FirstProblem(IdProblem(provinceId), IntervalProblem(intervalSeconds), Pinned(keys, "keys").Problem) is { } invalid)
        {
            return invalid;
        }
        return registry.Of(provinceId) is not null
            ? Decision.Reject(RejectionKind.Conflict, $"Province '{provinceId}' is registered already; pin its new keys with PUT /api/region/provinces/{provinceId}/keys.")
            : Decision.Accept(new ProvinceRegistered(provinceId, intervalSeconds, Pinned(keys, "keys").Keys!, keysUrl, now));
    }

    public static Decision PinKeys(RegionRegistry registry, string provinceId, string keys, string? keysUrl, DateTimeOffset now)
    {
        if (InputChecks.FirstProblem(IdProblem(provinceId), Pinned(keys, "keys").Problem) is { } invalid)
        {
            return invalid;
        }
        return registry.Of(provinceId) is null
            ? Decision.Reject(RejectionKind.NotFound, $"Province '{provinceId}' is not registered through this route; register it with POST /api/region/provinces.")
            : Decision.Accept(new ProvinceKeysPinned(provinceId, Pinned(keys, "keys").Keys!, keysUrl, now));
    }

    public static Decision Unregister(RegionRegistry registry, string provinceId, DateTimeOffset now) =>
        registry.Of(provinceId) is null
            ? Decision.Reject(RejectionKind.NotFound, $"Province '{provinceId}' is not registered through this route.")
            : Decision.Accept(new ProvinceUnregistered(provinceId, now));

    private static bool IsCoordinate(string value)
    {
        try
        {
            return Base64Url.DecodeFromChars(value).Length == 32;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
