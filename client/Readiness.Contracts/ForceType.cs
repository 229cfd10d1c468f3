namespace Readiness.Contracts;

/// <summary>The three forces a unit's members belong to (docs/domain.md).</summary>
public enum ForceType
{
    /// <summary>Standing, full-time forces (thường trực).</summary>
    Standing = 0,
    /// <summary>Reserve mobilisation forces (dự bị động viên, DBĐV).</summary>
    ReserveMobilisation = 1,
    /// <summary>Militia and self-defence forces (dân quân tự vệ, DQTV).</summary>
    MilitiaSelfDefence = 2,
}
