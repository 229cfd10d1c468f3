using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>
/// The thresholds that turn measures into levels (docs/domain.md). Configurable (section
/// <c>Readiness:Policy</c>) because commands tune them; the defaults are the starting model.
/// </summary>
public sealed record ReadinessPolicy
{
    public static readonly ReadinessPolicy Default = new();

    /// <summary>Actual / authorised strength needed for R1, R2 and R3; anything below is R4.</summary>
    public IReadOnlyList<double> PersonnelThresholds { get; init; } = [0.90, 0.80, 0.70];

    /// <summary>Share of the required training and exercises done in the cycle, for R1, R2 and R3.</summary>
    public IReadOnlyList<double> TrainingThresholds { get; init; } = [0.90, 0.75, 0.60];

    /// <summary>Share of the duty window the unit's posts were manned at required strength, for R1, R2 and R3.</summary>
    public IReadOnlyList<double> DutyThresholds { get; init; } = [0.99, 0.95, 0.90];

    /// <summary>On hand / authorised in the worst authorised category, for R1, R2 and R3.</summary>
    public IReadOnlyList<double> EquipmentOnHandThresholds { get; init; } = [0.90, 0.80, 0.65];

    /// <summary>Serviceable / on hand in the worst category held, for R1, R2 and R3.</summary>
    public IReadOnlyList<double> EquipmentServiceableThresholds { get; init; } = [0.90, 0.75, 0.60];

    /// <summary>Passed trainings and exercises each echelon needs per cycle.</summary>
    public IReadOnlyDictionary<Echelon, int> RequiredTrainingPerCycle { get; init; } = new Dictionary<Echelon, int>
    {
        [Echelon.Province] = 4,
        [Echelon.District] = 4,
        [Echelon.Commune] = 2,
        [Echelon.ForceUnit] = 4,
    };

    public int TrainingCycleDays { get; init; } = 365;

    /// <summary>A failed exercise within this many days keeps training at R3 or worse.</summary>
    public int ExerciseRecencyDays { get; init; } = 365;

    public int DutyWindowDays { get; init; } = 30;

    /// <summary>
    /// How long each echelon may go without reporting anything before it is stale. A military region
    /// reports through its provinces, so it has none.
    /// </summary>
    public IReadOnlyDictionary<Echelon, TimeSpan> ReportingIntervals { get; init; } = new Dictionary<Echelon, TimeSpan>
    {
        [Echelon.Province] = TimeSpan.FromDays(90),
        [Echelon.District] = TimeSpan.FromDays(60),
        [Echelon.Commune] = TimeSpan.FromDays(45),
        [Echelon.ForceUnit] = TimeSpan.FromDays(45),
    };

    public TimeSpan? ReportingInterval(Echelon echelon) => ReportingIntervals.TryGetValue(echelon, out var interval) ? interval : null;

    public ReadinessLevel PersonnelLevel(int actualStrength, int authorisedStrength) =>
        Level(StrengthRatio(actualStrength, authorisedStrength), PersonnelThresholds);

    public int RequiredTraining(Echelon echelon) => RequiredTrainingPerCycle.GetValueOrDefault(echelon, 4);

    public static ReadinessLevel Level(double measure, IReadOnlyList<double> thresholds)
    {
        for (var i = 0; i < thresholds.Count; i++)
        {
            if (measure >= thresholds[i])
            {
                return (ReadinessLevel)(i + 1);
            }
        }
        return ReadinessLevel.R4;
    }

    public static double StrengthRatio(int actualStrength, int authorisedStrength) =>
        authorisedStrength <= 0 ? 0 : (double)actualStrength / authorisedStrength;
}
