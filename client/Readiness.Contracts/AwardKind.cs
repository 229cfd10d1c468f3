namespace Readiness.Contracts;

/// <summary>The awards the 2024 report names.</summary>
public enum AwardKind
{
    /// <summary>Bằng khen of the provincial People's Committee.</summary>
    MeritCertificateProvincialCommittee = 0,
    /// <summary>Giấy khen of the province military command.</summary>
    CommendationCertificateProvinceCommand = 1,
    /// <summary>"Đơn vị tiên tiến": collectives only.</summary>
    AdvancedUnit = 2,
    /// <summary>"Chiến sĩ thi đua cơ sở": individuals only.</summary>
    GrassrootsEmulationSoldier = 3,
    /// <summary>"Chiến sĩ tiên tiến": individuals only.</summary>
    AdvancedSoldier = 4,
}
