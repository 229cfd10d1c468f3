using Microsoft.Extensions.Logging;
using Readiness.Contracts;

namespace Readiness.Grains.Demo;

[GenerateSerializer, Alias("readiness.demo-province-state")]
public sealed class DemoProvinceState
{
    [Id(0)] public DateTimeOffset? LoadedAt { get; set; }
    [Id(1)] public int Units { get; set; }
}

/// <summary>
/// Loads the demo through the unit grains, as any reporter would. Its commands have fixed ids, so a
/// load cut short by a crash is finished by the next start without doubling anything; the grain's
/// stored state (ADO.NET storage) remembers that the load completed.
/// </summary>
public sealed partial class DemoProvinceGrain(
    [PersistentState("demo-province")] IPersistentState<DemoProvinceState> loaded,
    ILogger<DemoProvinceGrain> logger) : Grain, IDemoProvinceGrain
{
    private const int LoadParallelism = 8;

    public async Task<DemoLoadReport> EnsureLoaded()
    {
        var provinceId = this.GetPrimaryKeyString();
        if (provinceId != BacKan.ProvinceId)
        {
            throw new ArgumentException($"No demo data exists for province '{provinceId}'; the demo is '{BacKan.ProvinceId}'.");
        }
        if (loaded.State.LoadedAt is { } loadedAt)
        {
            return new DemoLoadReport(provinceId, LoadedNow: false, loaded.State.Units, 0, loadedAt);
        }

        var units = BacKan.Units().ToList();
        var applied = 0;
        // Parents before children; within a level a few at a time, since each command holds a
        // database connection while it commits.
        foreach (var depth in units.GroupBy(u => u.Id.Count(c => c == '/')).OrderBy(g => g.Key))
        {
            foreach (var batch in depth.Chunk(LoadParallelism))
            {
                var results = await Task.WhenAll(batch.Select(Load));
                applied += results.Sum();
            }
        }

        loaded.State.LoadedAt = DateTimeOffset.UtcNow;
        loaded.State.Units = units.Count;
        await loaded.WriteStateAsync();
        LogLoaded(provinceId, units.Count, applied);
        return new DemoLoadReport(provinceId, LoadedNow: true, units.Count, applied, loaded.State.LoadedAt.Value);
    }

    private async Task<int> Load(DemoUnit unit)
    {
        var grain = GrainFactory.GetGrain<IUnitGrain>(unit.Id);
        var occurredAt = new DateTimeOffset(2024, 1, 2, 1, 0, 0, TimeSpan.Zero);
        var registered = await grain.Register(new RegisterUnit($"demo:{unit.Id}:register", unit.Name, unit.Echelon, null, unit.AuthorisedStrength, occurredAt));
        Ensure(registered, unit.Id);
        var enlisted = await grain.EnlistRecruits(new EnlistRecruits($"demo:{unit.Id}:enlist", unit.ActualStrength, BacKan.CohortYear, occurredAt.AddDays(60)));
        Ensure(enlisted, unit.Id);
        return (registered.AlreadyApplied ? 0 : 1) + (enlisted.AlreadyApplied ? 0 : 1);
    }

    private static void Ensure(CommandResult result, string unitId)
    {
        if (result.Rejection is { } rejection)
        {
            throw new InvalidOperationException($"The demo could not load unit '{unitId}': {rejection.Message}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo province {ProvinceId} loaded: {Units} units, {Commands} commands applied")]
    private partial void LogLoaded(string provinceId, int units, int commands);
}
