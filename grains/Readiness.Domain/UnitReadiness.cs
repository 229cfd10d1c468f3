using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>How a unit's readiness view follows its events; the projection only feeds it.</summary>
public static class UnitReadiness
{
    public static UnitReadinessView Create(UnitRegistered e, DateTimeOffset updatedAt, ReadinessPolicy policy) =>
        Rated(new UnitReadinessView(
            e.UnitId, e.Name, e.Echelon, e.ParentId, e.AuthorisedStrength, ActualStrength: 0,
            StrengthRatio: 0, ReadinessLevel.R4, ReadinessLevel.R4, Version: 1, e.OccurredAt, updatedAt), policy);

    public static UnitReadinessView Apply(UnitReadinessView view, RecruitsEnlisted e, DateTimeOffset updatedAt, ReadinessPolicy policy) =>
        Rated(view with
        {
            ActualStrength = view.ActualStrength + e.Count,
            Version = view.Version + 1,
            LastOccurredAt = Later(view.LastOccurredAt, e.OccurredAt),
            UpdatedAt = updatedAt,
        }, policy);

    private static UnitReadinessView Rated(UnitReadinessView view, ReadinessPolicy policy)
    {
        var personnel = policy.PersonnelLevel(view.ActualStrength, view.AuthorisedStrength);
        return view with
        {
            StrengthRatio = Math.Round(ReadinessPolicy.StrengthRatio(view.ActualStrength, view.AuthorisedStrength), 4),
            PersonnelLevel = personnel,
            Level = personnel,
        };
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
