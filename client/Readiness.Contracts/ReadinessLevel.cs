namespace Readiness.Contracts;

/// <summary>R1 is fully ready, R4 is not ready (see docs/domain.md).</summary>
public enum ReadinessLevel
{
    R1 = 1,
    R2 = 2,
    R3 = 3,
    R4 = 4,
}
