using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>
/// The thresholds that turn measures into levels (DOMAIN.md). Configurable because commands tune
/// them; the defaults are the starting model.
/// </summary>
public sealed record ReadinessPolicy
{
    public static readonly ReadinessPolicy Default = new();

    /// <summary>Actual / authorised strength needed for R1, R2 and R3; anything below is R4.</summary>
    public IReadOnlyList<double> PersonnelThresholds { get; init; } = [0.90, 0.80, 0.70];

    public ReadinessLevel PersonnelLevel(int actualStrength, int authorisedStrength)
    {
        var ratio = StrengthRatio(actualStrength, authorisedStrength);
        for (var i = 0; i < PersonnelThresholds.Count; i++)
        {
            if (ratio >= PersonnelThresholds[i])
            {
                return (ReadinessLevel)(i + 1);
            }
        }
        return ReadinessLevel.R4;
    }

    public static double StrengthRatio(int actualStrength, int authorisedStrength) =>
        authorisedStrength <= 0 ? 0 : (double)actualStrength / authorisedStrength;
}
