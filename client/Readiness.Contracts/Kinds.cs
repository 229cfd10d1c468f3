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

/// <summary>How training or an exercise was graded: xuất sắc, khá, đạt, không đạt.</summary>
public enum Grade
{
    Excellent = 0,
    Good = 1,
    Pass = 2,
    Fail = 3,
}

/// <summary>Who received defence and security education (giáo dục / bồi dưỡng QP-AN).</summary>
public enum EducationAudience
{
    PupilsAndStudents = 0,
    Cadres = 1,
}

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
public enum RecipientKind
{
    Collective = 0,
    Individual = 1,
}

/// <summary>The echelon that runs an exercise.</summary>
public enum ExerciseLevel
{
    Province = 0,
    District = 1,
    Commune = 2,
}
public enum ExerciseKind
{
    /// <summary>Diễn tập khu vực phòng thủ (KVPT).</summary>
    DefensiveZone = 0,
    /// <summary>Diễn tập sẵn sàng chiến đấu.</summary>
    CombatReadiness = 1,
    /// <summary>Diễn tập cứu hộ, cứu nạn / phòng chống thiên tai.</summary>
    SearchAndRescue = 2,
}
public enum ExerciseStatus
{
    Planned = 0,
    Started = 1,
    Completed = 2,
    Cancelled = 3,
}

/// <summary>The two kinds of round-the-clock duty the report names.</summary>
public enum DutyKind
{
    /// <summary>Trực sẵn sàng chiến đấu (SSCĐ).</summary>
    CombatReadiness = 0,
    /// <summary>Trực cứu hộ, cứu nạn.</summary>
    SearchAndRescue = 1,
}

/// <summary>The areas a unit's readiness is rated on; Assessment is a commander's override.</summary>
public enum ReadinessArea
{
    Personnel = 0,
    Training = 1,
    Duty = 2,
    Assessment = 3,
    /// <summary>Equipment on hand against authorised, worst category (vũ khí, trang bị kỹ thuật).</summary>
    EquipmentOnHand = 4,
    /// <summary>Serviceable equipment against on hand, worst category.</summary>
    EquipmentServiceable = 5,
}

/// <summary>The categories of weapons and technical equipment (vũ khí, trang bị kỹ thuật) a unit holds.</summary>
public enum EquipmentCategory
{
    Weapons = 0,
    Communications = 1,
    Vehicles = 2,
    /// <summary>Boats, life jackets, cutting and lifting gear for rescue duty (trang bị cứu hộ, cứu nạn).</summary>
    RescueEquipment = 3,
}

/// <summary>The missions a unit may be assigned (docs/domain.md, "Ready for what").</summary>
public enum Mission
{
    /// <summary>Trực sẵn sàng chiến đấu (SSCĐ).</summary>
    CombatReadinessDuty = 0,
    /// <summary>Ứng trực cứu hộ, cứu nạn; phòng chống thiên tai.</summary>
    SearchAndRescue = 1,
    /// <summary>Động viên.</summary>
    Mobilisation = 2,
}

/// <summary>A commander's answer to "can the unit do this mission now?".</summary>
public enum MissionAnswer
{
    Yes = 0,
    Qualified = 1,
    No = 2,
}
