using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Domain;
using Readiness.Grains.Actors;

namespace Readiness.Grains.Demo;

/// <summary>
/// Loads the demo through the actor grains, as any reporter would. Its commands have fixed ids, so a
/// load cut short by a crash is finished by the next start without doubling anything; the grain's
/// stored state (ADO.NET storage) remembers that the load completed.
/// </summary>
public sealed partial class DemoProvinceGrain(
    [PersistentState("demo-province")] IPersistentState<DemoProvinceState> loaded,
    ReadinessClock clock,
    ILogger<DemoProvinceGrain> logger) : Grain, IDemoProvinceGrain
{
    // Actors load in parallel, a few at a time: each command holds a connection while it commits.
    private const int LoadParallelism = 8;

    public async Task<DemoLoadReport> EnsureLoaded()
    {
        var provinceId = this.GetPrimaryKeyString();
        if (provinceId is not (BacKan.ProvinceId or Reform2025.ProvinceId or SampleProvince.ProvinceId))
        {
            throw new ArgumentException($"No demo data exists for province '{provinceId}'; the demo's provinces are "
                + $"'{BacKan.ProvinceId}', '{Reform2025.ProvinceId}' (the 2025 reform, after Bắc Kạn's 2024) and '{SampleProvince.ProvinceId}'.");
        }
        if (loaded.State.LoadedAt is { } loadedAt)
        {
            return new DemoLoadReport(provinceId, LoadedNow: false, loaded.State.Commands, 0, loadedAt);
        }
        if (provinceId == Reform2025.ProvinceId)
        {
            // The reform merges what Bắc Kạn's 2024 registered.
            await GrainFactory.GetGrain<IDemoProvinceGrain>(BacKan.ProvinceId).EnsureLoaded();
        }

        CallerContext.Set($"{CallerContext.System}:demo");
        var commands = provinceId switch
        {
            BacKan.ProvinceId => DemoYear.Commands(clock.UtcNow),
            Reform2025.ProvinceId => Reform2025.Commands(clock.UtcNow),
            _ => SampleProvince.Commands(clock.UtcNow),
        };
        var applied = 0;
        foreach (var phase in commands.GroupBy(c => c.Phase).OrderBy(g => g.Key))
        {
            var actors = phase.GroupBy(c => c.Target, StringComparer.Ordinal).ToList();
            using var gate = new SemaphoreSlim(LoadParallelism);
            var results = await Task.WhenAll(actors.Select(async actor =>
            {
                await gate.WaitAsync();
                try
                {
                    var count = 0;
                    foreach (var step in actor)
                    {
                        var result = await GrainFactory.Execute(step.Command);
                        if (result.Rejection is { } rejection)
                        {
                            throw new InvalidOperationException($"The demo could not apply {step.Command.GetType().Name} to '{step.Target}': {rejection.Message}");
                        }
                        count += result.AlreadyApplied ? 0 : 1;
                    }
                    return count;
                }
                finally
                {
                    gate.Release();
                }
            }));
            applied += results.Sum();
            LogPhase(provinceId, phase.Key, results.Length);
        }

        loaded.State.LoadedAt = clock.UtcNow;
        loaded.State.Commands = commands.Count;
        await loaded.WriteStateAsync();
        LogLoaded(provinceId, commands.Count, applied);
        return new DemoLoadReport(provinceId, LoadedNow: true, commands.Count, applied, loaded.State.LoadedAt.Value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo province {ProvinceId}: phase {Phase} done ({Actors} actors)")]
    private partial void LogPhase(string provinceId, int phase, int actors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo province {ProvinceId} loaded: {Commands} commands, {Applied} applied now")]
    private partial void LogLoaded(string provinceId, int commands, int applied);
}
