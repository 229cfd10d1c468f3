using System.Text.Json;
using Readiness.Abstractions;
using Readiness.Domain;
using Readiness.Grains.Actors;
using Readiness.Silo.Http;
using Readiness.Silo.Security;

namespace Readiness.Silo.Region;

/// <summary>
/// A province registered with the region through its API: its id, how often it must report, and the JWK
/// Set pinned for it, given inline as <c>keys</c> or as <c>keysUrl</c>, the address of the province's
/// <c>/.well-known/jwks.json</c>, which the region fetches once, now, and pins.
/// </summary>
public sealed record RegionProvinceRegistration(string? ProvinceId, int IntervalSeconds = 3600, JsonElement? Keys = null, string? KeysUrl = null);

/// <summary>Another JWK Set for a registered province, inline or by address (fetched once, now); it replaces the set pinned before.</summary>
public sealed record RegionProvinceKeys(JsonElement? Keys = null, string? KeysUrl = null);

/// <summary>A province registered through the route, with the keys pinned for it now.</summary>
public sealed record RegisteredRegionProvince(string ProvinceId, int IntervalSeconds, JsonElement Keys, string? KeysUrl, DateTimeOffset RegisteredAt, DateTimeOffset KeysPinnedAt);

/// <summary>
/// The region's administrators register provinces, pin their keys again (a key rotated at the province)
/// and remove them, each an event of the region's own store (<see cref="IRegionRegistryGrain"/>), so a
/// registration outlives a restart and shows in history. Keys given by address are fetched once, when
/// asked, and pinned as fetched: the region never fetches them again by itself. Registering a trust anchor
/// is the whole region's business: these routes need the admin role over '*'.
/// </summary>
internal static class RegionAdminRoutes
{
    public static void MapRegionAdminRoutes(this IEndpointRouteBuilder routes)
    {
        var provinces = routes.MapGroup("/api/region/provinces").WithTags("Region").RequireAuthorization(Policies.Administer).Reads(ResourceScope.Everything);

        provinces.MapPost(string.Empty, RegisterAsync)
            .WithName("RegisterRegionProvince")
            .WithSummary("On a silo in the region role, registers a province whose reports the region takes: its id, its report interval in seconds, and its JWK Set, "
                + "inline ('keys') or by the address of its /.well-known/jwks.json ('keysUrl'), fetched once now and pinned. Recorded as an event of the region's store.")
            .Accepts<RegionProvinceRegistration>("application/json")
            .Produces<RegisteredRegionProvince>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        provinces.MapGet("/{provinceId}/registration", RegistrationAsync)
            .WithName("GetRegionProvinceRegistration")
            .WithSummary("On a silo in the region role, a province registered through this API: its report interval, the JWK Set pinned for it, "
                + "the address it was fetched from, and when it was registered and pinned.")
            .Produces<RegisteredRegionProvince>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        provinces.MapPut("/{provinceId}/keys", PinKeysAsync)
            .WithName("PinRegionProvinceKeys")
            .WithSummary("On a silo in the region role, pins another JWK Set for a province registered through this API, replacing the one before: list the old and the new "
                + "report key while the province rotates, then the new alone. Inline ('keys') or by address ('keysUrl', fetched once now).")
            .Accepts<RegionProvinceKeys>("application/json")
            .Produces<RegisteredRegionProvince>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status502BadGateway);

        provinces.MapDelete("/{provinceId}", UnregisterAsync)
            .WithName("UnregisterRegionProvince")
            .WithSummary("On a silo in the region role, removes a province registered through this API: its reports are no longer taken; what it reported stays.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> RegisterAsync(RegionProvinceRegistration? body, HttpContext http, RegionWitness witness, ProvinceKeysFetcher fetcher,
        IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (NotARegion(witness) is { } notARegion)
        {
            return notARegion;
        }
        if (body is null)
        {
            return Problems.Invalid("The body is a registration: {\"provinceId\": \"thai-nguyen\", \"intervalSeconds\": 3600, "
                + "\"keysUrl\": \"https://…/.well-known/jwks.json\"} or \"keys\": a JWK Set.");
        }
        if ((RegionRegistryRules.IdProblem(body.ProvinceId) ?? RegionRegistryRules.IntervalProblem(body.IntervalSeconds)) is { } invalid)
        {
            return Problems.Invalid(invalid);
        }
        if (Configured(witness, body.ProvinceId!) is { } configured)
        {
            return configured;
        }
        var (keys, problem) = await fetcher.KeysAsync(body.Keys, body.KeysUrl, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        Caller(http);
        var result = await Registry(grains).Register(new RegisterRegionProvince(Guid.NewGuid().ToString("N"), body.ProvinceId!, body.IntervalSeconds, keys!, body.KeysUrl));
        return await AnswerAsync(result, grains, body.ProvinceId!, created: true);
    }

    private static async Task<IResult> PinKeysAsync(string provinceId, RegionProvinceKeys? body, HttpContext http, RegionWitness witness, ProvinceKeysFetcher fetcher,
        IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (Refused(witness, provinceId) is { } refused)
        {
            return refused;
        }
        var (keys, problem) = await fetcher.KeysAsync(body?.Keys, body?.KeysUrl, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        Caller(http);
        var result = await Registry(grains).PinKeys(new PinRegionProvinceKeys(Guid.NewGuid().ToString("N"), provinceId, keys!, body?.KeysUrl));
        return await AnswerAsync(result, grains, provinceId);
    }

    private static async Task<IResult> RegistrationAsync(string provinceId, RegionWitness witness, IGrainFactory grains)
    {
        if (Refused(witness, provinceId) is { } refused)
        {
            return refused;
        }
        return await Registry(grains).Of(provinceId) is { } registered ? Results.Ok(Shown(registered))
            : Problems.NotFound("Not registered.", $"Province '{provinceId}' is not registered through this API: register it with POST /api/region/provinces.");
    }

    private static async Task<IResult> UnregisterAsync(string provinceId, HttpContext http, RegionWitness witness, IGrainFactory grains)
    {
        if (Refused(witness, provinceId) is { } refused)
        {
            return refused;
        }
        Caller(http);
        var result = await Registry(grains).Unregister(new UnregisterRegionProvince(Guid.NewGuid().ToString("N"), provinceId));
        return result.Rejection is { } rejection ? Problems.For(rejection, result.StreamId, result.CommandId) : Results.NoContent();
    }

    // What the routes that name a province in their path answer before they touch it: not a region, a bad id, or one kept in configuration.
    private static IResult? Refused(RegionWitness witness, string provinceId) =>
        NotARegion(witness)
        ?? (RegionRegistryRules.IdProblem(provinceId) is { } invalid ? Problems.Invalid(invalid) : null)
        ?? Configured(witness, provinceId);

    private static IRegionRegistryGrain Registry(IGrainFactory grains) => grains.GetGrain<IRegionRegistryGrain>(IRegionRegistryGrain.Key);

    private static async Task<IResult> AnswerAsync(CommandResult result, IGrainFactory grains, string provinceId, bool created = false)
    {
        if (result.Rejection is { } rejection)
        {
            return Problems.For(rejection, RegionRegistryGrain.StreamPrefix + IRegionRegistryGrain.Key, result.CommandId);
        }
        var shown = Shown((await Registry(grains).Of(provinceId))!);
        return created ? Results.Created($"/api/region/provinces/{provinceId}/registration", shown) : Results.Ok(shown);
    }

    private static RegisteredRegionProvince Shown(RegionRegistration registered)
    {
        using var keys = JsonDocument.Parse(registered.Keys);
        return new(registered.ProvinceId, registered.IntervalSeconds, keys.RootElement.Clone(), registered.KeysUrl, registered.RegisteredAt, registered.KeysPinnedAt);
    }

    /// <summary>Who registers, named in the events' headers as every command's caller is.</summary>
    private static void Caller(HttpContext http)
    {
        CallerContext.Set(http.User.Name());
        CallerContext.SetTokenMintedBy(TokenIssuer.MintedBy(http.User));
    }

    private static IResult? NotARegion(RegionWitness witness) => witness.Enabled ? null
        : Problems.NotFound("Not a region.", $"This silo registers no provinces: it runs in the region role only with {RegionOptions.Section}:Enabled.");

    // Two sources for one province would leave it unclear which keys hold: configuration wins, and is changed there.
    private static IResult? Configured(RegionWitness witness, string provinceId) => witness.TrustOf(provinceId) is null ? null
        : Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Registered in configuration.",
            detail: $"Province '{provinceId}' is registered in the region's configuration ({RegionOptions.Section}:Provinces); change its keys there, "
                + "or remove it there first to manage it through this API.");
}
