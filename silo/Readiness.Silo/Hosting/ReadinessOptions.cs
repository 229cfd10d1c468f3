using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Silo.Hosting;

/// <summary>The <c>Readiness</c> configuration section.</summary>
public sealed class ReadinessOptions
{
    public const string Section = "Readiness";

    [ValidateObjectMembers] public OrleansEndpointOptions Orleans { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
    public PolicyOptions Policy { get; set; } = new();
    [ValidateObjectMembers] public HistoryOptions History { get; set; } = new();
    [ValidateObjectMembers] public Readiness.Grains.Actors.DutyWatchOptions Duty { get; set; } = new();
    [ValidateObjectMembers] public Readiness.Grains.Actors.ReportWatchOptions Reporting { get; set; } = new();

    /// <summary>Databases beside the main one, each with the provinces it holds; empty keeps every province in the main one.</summary>
    [ValidateEnumeratedItems] public List<Readiness.Store.ProvinceDatabaseSetting> Databases { get; set; } = [];
}

/// <summary>How views of the past are kept quick (<c>Readiness:History</c>).</summary>
public sealed class HistoryOptions
{
    /// <summary>A new set of monthly roster checkpoints is made once this many events were recorded after the last set.</summary>
    [Range(1, long.MaxValue)]
    public long CheckpointEvery { get; set; } = 10_000;

    /// <summary>How often the silo looks whether checkpoints are due.</summary>
    [Range(1, 86_400)]
    public int CheckpointPollSeconds { get; set; } = 60;
}

/// <summary>Overrides of the readiness thresholds (<c>Readiness:Policy</c>); anything left out keeps its default.</summary>
public sealed class PolicyOptions
{
    /// <summary>Three descending shares for R1, R2 and R3, such as [0.9, 0.8, 0.7].</summary>
    public double[]? PersonnelThresholds { get; set; }
    public double[]? TrainingThresholds { get; set; }
    public double[]? DutyThresholds { get; set; }
    public double[]? EquipmentOnHandThresholds { get; set; }
    public double[]? EquipmentServiceableThresholds { get; set; }
    public Dictionary<Echelon, int>? RequiredTrainingPerCycle { get; set; }
    public int? TrainingCycleDays { get; set; }
    public int? ExerciseRecencyDays { get; set; }
    public int? DutyWindowDays { get; set; }
    /// <summary>Per echelon, how long it may go without a report, such as <c>90.00:00:00</c>.</summary>
    public Dictionary<Echelon, TimeSpan>? ReportingIntervals { get; set; }

    public ReadinessPolicy ToPolicy()
    {
        var defaults = ReadinessPolicy.Default;
        return new ReadinessPolicy
        {
            PersonnelThresholds = Thresholds(PersonnelThresholds, nameof(PersonnelThresholds)) ?? defaults.PersonnelThresholds,
            TrainingThresholds = Thresholds(TrainingThresholds, nameof(TrainingThresholds)) ?? defaults.TrainingThresholds,
            DutyThresholds = Thresholds(DutyThresholds, nameof(DutyThresholds)) ?? defaults.DutyThresholds,
            EquipmentOnHandThresholds = Thresholds(EquipmentOnHandThresholds, nameof(EquipmentOnHandThresholds)) ?? defaults.EquipmentOnHandThresholds,
            EquipmentServiceableThresholds = Thresholds(EquipmentServiceableThresholds, nameof(EquipmentServiceableThresholds)) ?? defaults.EquipmentServiceableThresholds,
            RequiredTrainingPerCycle = RequiredTrainingPerCycle is { Count: > 0 } required
                ? defaults.RequiredTrainingPerCycle.Concat(required).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)
                : defaults.RequiredTrainingPerCycle,
            TrainingCycleDays = TrainingCycleDays ?? defaults.TrainingCycleDays,
            ExerciseRecencyDays = ExerciseRecencyDays ?? defaults.ExerciseRecencyDays,
            DutyWindowDays = DutyWindowDays ?? defaults.DutyWindowDays,
            ReportingIntervals = ReportingIntervals is { Count: > 0 } intervals
                ? intervals.Values.All(i => i > TimeSpan.Zero)
                    ? defaults.ReportingIntervals.Concat(intervals).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)
                    : throw new InvalidOperationException("Readiness:Policy:ReportingIntervals must be positive durations, such as 90.00:00:00.")
                : defaults.ReportingIntervals,
        };
    }

    private static double[]? Thresholds(double[]? values, string name) =>
        values is null ? null
        : values.Length == 3 && values[0] >= values[1] && values[1] >= values[2] && values.All(v => v is >= 0 and <= 1) ? values
        : throw new InvalidOperationException($"Readiness:Policy:{name} must be three descending shares between 0 and 1 (R1, R2, R3), such as [0.9, 0.8, 0.7].");
}

public sealed class OrleansEndpointOptions
{
    [Required] public string ClusterId { get; set; } = "readiness-local";
    [Required] public string ServiceId { get; set; } = "readiness";
    /// <summary>The address other silos and clients reach this silo on; loopback for one machine.</summary>
    [Required] public string AdvertisedAddress { get; set; } = "127.0.0.1";
    [Range(1, 65535)] public int SiloPort { get; set; } = 11111;
    [Range(1, 65535)] public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans' dashboard for administrators at /admin/orleans/; it samples every grain call, so a benchmark turns it off.</summary>
    public bool Dashboard { get; set; } = true;

    /// <summary>Mutual TLS on the silo and gateway ports; required unless <see cref="AdvertisedAddress"/> is loopback.</summary>
    public OrleansTlsOptions Tls { get; set; } = new();

    /// <summary>How far apart the silos' clocks may be for the seal on their grain calls.</summary>
    [ValidateObjectMembers] public Readiness.Grains.Actors.CallSealOptions CallSeal { get; set; } = new();

    /// <summary>
    /// How long a grain call may go unanswered before the caller is told the outcome is unknown (503,
    /// resend the same command id). Orleans' own 30 s would leave a request to a silo that has just
    /// died hanging for half a minute; commands take milliseconds, and two seconds under full load.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")] public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a liveness probe of another silo may go unanswered before it counts as missed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")] public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Missed probes before a silo is suspected; two silos' suspicions declare it dead.</summary>
    [Range(1, 10)] public int MissedProbesLimit { get; set; } = 2;
}

public sealed class DemoOptions
{
    /// <summary>
    /// Load the Bắc Kạn demo province on first start. Unset, only a Development silo does: a
    /// production store must never fill with invented figures because a setting was forgotten.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>
    /// Load the demo's made-up second province too (<c>demo-mau</c>, every figure the demo's own), so that
    /// a cluster over two databases shows a province in each (<c>infra/cluster.sh start 3 --databases 2</c>).
    /// </summary>
    public bool SampleProvince { get; set; }

    /// <summary>
    /// Load Bắc Kạn (and the reform after it). Off with <see cref="SampleProvince"/> on, a silo holds the sample
    /// province alone: the second province of <c>infra/federation.sh</c>, which must not report Thái Nguyên too.
    /// </summary>
    public bool BacKan { get; set; } = true;

    /// <summary>
    /// Record the 2025 reform after Bắc Kạn's 2024 (province <c>thai-nguyen</c>, Bắc Kạn merged into it
    /// on 1 July 2025) and the months since: the chain of command as it stands today.
    /// </summary>
    public bool Reform { get; set; } = true;

    /// <summary>The demo provinces to load, in order.</summary>
    public IEnumerable<string> Provinces() =>
        (BacKan ? new[] { Grains.Demo.BacKan.ProvinceId }.Concat(Reform ? [Grains.Demo.Reform2025.ProvinceId] : []) : [])
            .Concat(SampleProvince ? [Grains.Demo.SampleProvince.ProvinceId] : []);

    public bool EnabledIn(IHostEnvironment environment) => Enabled ?? environment.IsDevelopment();
}
