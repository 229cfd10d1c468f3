namespace Readiness.Abstractions;

/// <summary>Loads the demo province through the unit grains, once per database.</summary>
[Alias("readiness.IDemoProvinceGrain")]
public interface IDemoProvinceGrain : IGrainWithStringKey
{
    /// <summary>Loads the province unless it was loaded before; returns what it did.</summary>
    /// <remarks>Several thousand commands take longer than Orleans' default 30 s answer time on a busy machine.</remarks>
    [Alias("ensure-loaded")]
    [ResponseTimeout("00:10:00")]
    Task<DemoLoadReport> EnsureLoaded();
}

[GenerateSerializer, Immutable, Alias("readiness.demo-load-report")]
public sealed record DemoLoadReport(
    [property: Id(0)] string ProvinceId,
    [property: Id(1)] bool LoadedNow,
    [property: Id(2)] int Commands,
    [property: Id(3)] int CommandsApplied,
    [property: Id(4)] DateTimeOffset LoadedAt);

/// <summary>What the demo grain keeps in Orleans storage: whether, and with how many commands, it loaded its province.</summary>
[GenerateSerializer, Alias("readiness.demo-province-state")]
public sealed class DemoProvinceState
{
    [Id(0)] public DateTimeOffset? LoadedAt { get; set; }
    [Id(1)] public int Commands { get; set; }
}
