namespace Readiness.Contracts;

/// <summary>Where a unit stands in the chain of command, top to bottom.</summary>
public enum Echelon
{
    MilitaryRegion = 0,
    Province = 1,
    District = 2,
    Commune = 3,
    ForceUnit = 4,

    /// <summary>
    /// A regional defence command (Ban Chỉ huy Phòng thủ khu vực), formed under a province command in
    /// 2025 in place of the district commands. Numbered last so that stored levels keep their values.
    /// </summary>
    RegionalDefence = 5,
}
