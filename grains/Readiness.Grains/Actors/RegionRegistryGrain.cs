using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Grains.Actors;

/// <summary>
/// The provinces a region's administrators registered: one grain (<see cref="IRegionRegistryGrain.Key"/>),
/// its registrations, pinned keys and removals the events of the stream <c>registry:provinces</c>. The
/// rules are <see cref="RegionRegistryRules"/>.
/// </summary>
public sealed class RegionRegistryGrain(ProvinceDatabases databases, ReadinessClock clock, ReadinessTelemetry telemetry, ILogger<RegionRegistryGrain> logger)
    : EventSourcedGrain<RegionRegistry>(databases, clock, telemetry, logger), IRegionRegistryGrain
{
    public const string StreamPrefix = "registry:";

    protected override string StreamKey => StreamPrefix + Id;

    // No province is named so, so the stream lives in the main database whatever the configuration.
    protected override string ProvinceId => StreamKey;

    protected override RegionRegistry Initial() => RegionRegistry.Empty;

    protected override RegionRegistry Evolve(RegionRegistry registry, object @event) => RegionRegistryRules.Evolve(registry, @event);

    public Task<CommandResult> Register(RegisterRegionProvince command) =>
        Decide(command, () => RegionRegistryRules.Register(State, command.ProvinceId, command.IntervalSeconds, command.Keys, command.KeysUrl, Clock.UtcNow));

    public Task<CommandResult> PinKeys(PinRegionProvinceKeys command) =>
        Decide(command, () => RegionRegistryRules.PinKeys(State, command.ProvinceId, command.Keys, command.KeysUrl, Clock.UtcNow));

    public Task<CommandResult> Unregister(UnregisterRegionProvince command) =>
        Decide(command, () => RegionRegistryRules.Unregister(State, command.ProvinceId, Clock.UtcNow));

    public Task<RegionRegistrations> Registrations() =>
        Task.FromResult(new RegionRegistrations([.. State.Provinces.OrderBy(p => p.ProvinceId, StringComparer.Ordinal).Select(Of)]));

    public Task<RegionRegistration?> Of(string provinceId) => Task.FromResult(State.Of(provinceId) is { } p ? Of(p) : null);

    private static RegionRegistration Of(ProvinceRegistration p) => new(p.ProvinceId, p.IntervalSeconds, p.Keys, p.KeysUrl, p.RegisteredAt, p.KeysPinnedAt);

    private Task<CommandResult> Decide(ICommand command, Func<Decision> decide) =>
        Id != IRegionRegistryGrain.Key
            ? Task.FromResult(CommandResult.Rejected(command.CommandId, Id, Version, RejectionKind.Invalid, $"The region's registry is the grain '{IRegionRegistryGrain.Key}'."))
            : Execute(command, () => Task.FromResult(decide()));
}
