namespace Readiness.Contracts;

/// <summary>A commander's answer to "can the unit do this mission now?".</summary>
public enum MissionAnswer
{
    Yes = 0,
    Qualified = 1,
    No = 2,
}
