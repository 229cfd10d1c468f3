using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Abstractions;

/// <summary>
/// A report that reached the region's route, for the province it names: the body and signature exactly as
/// they arrived, the consistency proof from the headers, and the trust the region gives that province (null
/// when it is not registered). A report naming no registered province goes to the grain
/// <see cref="Unregistered"/>, with the province it claimed in <c>Claimed</c>. No HTTP command route takes it;
/// the region's report route sends it.
/// </summary>
[GenerateSerializer, Immutable, Alias("readiness.cmd.receive-province-report")]
public sealed record ReceiveProvinceReport(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ProvinceId,
    [property: Id(2)] string Body,
    [property: Id(3)] string? Signature,
    [property: Id(4)] long? ConsistencyFrom,
    [property: Id(5)] IReadOnlyList<string>? ConsistencyProof,
    [property: Id(6)] string? TrustedKeys,
    [property: Id(7)] int IntervalSeconds,
    [property: Id(8)] string Claimed,
    [property: Id(9)] DateTimeOffset? OccurredAt = null,
    [property: Id(10)] int RefusalsStoredPerWindow = 10,
    [property: Id(11)] int RefusalWindowSeconds = 600) : ICommand, IDeclaresTextFields
{
    /// <summary>The grain that records reports naming no registered province.</summary>
    public const string Unregistered = RegionRegistryRules.UnregisteredBucket;

    // The body, signature, keys and proof are machine text (JSON, JWS, base64) that no person reads as written,
    // but what the region stores of them ends up in its events and exports all the same: the one rule holds for them too.
    public IReadOnlyList<TextField> TextFields() =>
    [
        new("provinceId", ProvinceId), new("body", Body), new("signature", Signature), new("trustedKeys", TrustedKeys), new("claimed", Claimed),
        .. (ConsistencyProof ?? []).Select((hash, n) => new TextField($"consistencyProof[{n}]", hash)),
    ];
}

/// <summary>A tree head as it crosses a grain call.</summary>
[GenerateSerializer, Immutable, Alias("readiness.witnessed-head")]
public sealed record WitnessedHead(
    [property: Id(0)] long Size,
    [property: Id(1)] string Root,
    [property: Id(2)] DateTimeOffset MadeAt,
    [property: Id(3)] string? KeyId,
    [property: Id(4)] string? Signature,
    [property: Id(5)] string? Log)
{
    public static WitnessedHead? Of(TreeHead? head) => head is null ? null : new(head.Size, head.Root, head.MadeAt, head.KeyId, head.Signature, head.Log);

    public TreeHead ToContract() => new(Size, Root, MadeAt, KeyId, Signature, Log);
}

/// <summary>What the region did with a report: accepted (or had already), or refused and why; the head it witnessed and when.</summary>
[GenerateSerializer, Immutable, Alias("readiness.report-verdict")]
public sealed record ReportVerdict(
    [property: Id(0)] VerdictOutcome Outcome,
    [property: Id(1)] string? ReportId,
    [property: Id(2)] long? ReportSequence,
    [property: Id(3)] ReportRefusal? Refusal,
    [property: Id(4)] string? Reason,
    [property: Id(5)] WitnessedHead? Head,
    [property: Id(6)] DateTimeOffset? WitnessedAt);

/// <summary>The region's record of a province, for its view.</summary>
[GenerateSerializer, Immutable, Alias("readiness.region-province-status")]
public sealed record RegionProvinceStatus(
    [property: Id(0)] string ProvinceId,
    [property: Id(1)] string? Name,
    [property: Id(2)] ReadinessLevel? Level,
    [property: Id(3)] int[]? Units,
    [property: Id(4)] long? ReportSequence,
    [property: Id(5)] string? ReportId,
    [property: Id(6)] DateTimeOffset? GeneratedAt,
    [property: Id(7)] DateTimeOffset? ReceivedAt,
    [property: Id(8)] WitnessedHead? Head,
    [property: Id(9)] long HeadsWitnessed,
    [property: Id(10)] long Accepted,
    [property: Id(11)] long Refused,
    [property: Id(12)] bool Stale,
    [property: Id(13)] string? Alarm,
    [property: Id(14)] IReadOnlyList<MissionTally>? Missions = null);

/// <summary>The region's record of one province (keyed by its id), built from the reports it received.</summary>
[Alias("readiness.IRegionProvinceGrain")]
public interface IRegionProvinceGrain : IGrainWithStringKey
{
    [Alias("receive")]
    Task<ReportVerdict> Receive(ReceiveProvinceReport command);

    [Alias("status")]
    Task<RegionProvinceStatus> Status(int intervalSeconds);
}

/// <summary>An administrator registers a province with the region: its id, how often it reports, and the JWK Set pinned for it (fetched already when given by address).</summary>
[GenerateSerializer, Immutable, Alias("readiness.cmd.register-region-province")]
public sealed record RegisterRegionProvince(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ProvinceId,
    [property: Id(2)] int IntervalSeconds,
    [property: Id(3)] string Keys,
    [property: Id(4)] string? KeysUrl,
    [property: Id(5)] DateTimeOffset? OccurredAt = null) : ICommand, IDeclaresTextFields
{
    // The keys' members are checked one by one where the set is read (RegionRegistryRules.Pinned); the set as pinned, compact JSON, falls under the rule whole too.
    public IReadOnlyList<TextField> TextFields() => [new("provinceId", ProvinceId), new("keys", Keys), new("keysUrl", KeysUrl)];
}

/// <summary>An administrator pins another JWK Set for a registered province, replacing the one before: how a province's key rotates at the region.</summary>
[GenerateSerializer, Immutable, Alias("readiness.cmd.pin-region-province-keys")]
public sealed record PinRegionProvinceKeys(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ProvinceId,
    [property: Id(2)] string Keys,
    [property: Id(3)] string? KeysUrl,
    [property: Id(4)] DateTimeOffset? OccurredAt = null) : ICommand, IDeclaresTextFields
{
    public IReadOnlyList<TextField> TextFields() => [new("provinceId", ProvinceId), new("keys", Keys), new("keysUrl", KeysUrl)];
}

/// <summary>An administrator removes a province registered through the route.</summary>
[GenerateSerializer, Immutable, Alias("readiness.cmd.unregister-region-province")]
public sealed record UnregisterRegionProvince(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string ProvinceId,
    [property: Id(2)] DateTimeOffset? OccurredAt = null) : ICommand, IDeclaresTextFields
{
    public IReadOnlyList<TextField> TextFields() => [new("provinceId", ProvinceId)];
}

/// <summary>A province registered through the route, as it crosses a grain call.</summary>
[GenerateSerializer, Immutable, Alias("readiness.region-registration")]
public sealed record RegionRegistration(
    [property: Id(0)] string ProvinceId,
    [property: Id(1)] int IntervalSeconds,
    [property: Id(2)] string Keys,
    [property: Id(3)] string? KeysUrl,
    [property: Id(4)] DateTimeOffset RegisteredAt,
    [property: Id(5)] DateTimeOffset KeysPinnedAt);

/// <summary>Every province registered through the route, by id.</summary>
[GenerateSerializer, Immutable, Alias("readiness.region-registrations")]
public sealed record RegionRegistrations([property: Id(0)] IReadOnlyList<RegionRegistration> Provinces);

/// <summary>
/// The provinces a region's administrators registered (one grain, <see cref="Key"/>), folded from its
/// own stream, so that a registration survives a restart and shows in the region's history. Provinces
/// registered in configuration are not here.
/// </summary>
[Alias("readiness.IRegionRegistryGrain")]
public interface IRegionRegistryGrain : IGrainWithStringKey
{
    public const string Key = "provinces";

    [Alias("register")]
    Task<CommandResult> Register(RegisterRegionProvince command);

    [Alias("pin-keys")]
    Task<CommandResult> PinKeys(PinRegionProvinceKeys command);

    [Alias("unregister")]
    Task<CommandResult> Unregister(UnregisterRegionProvince command);

    [Alias("registrations")]
    Task<RegionRegistrations> Registrations();

    /// <summary>One province's registration, or null: what each report that names it is checked against.</summary>
    [Alias("registration-of")]
    Task<RegionRegistration?> Of(string provinceId);
}
