namespace Readiness.Contracts;

/// <summary>Where a unit stands in the chain of command, top to bottom.</summary>
public enum Echelon
{
    MilitaryRegion = 0,
    Province = 1,
    District = 2,
    Commune = 3,
    ForceUnit = 4,
}
