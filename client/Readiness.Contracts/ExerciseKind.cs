namespace Readiness.Contracts;

public enum ExerciseKind
{
    /// <summary>Diễn tập khu vực phòng thủ (KVPT).</summary>
    DefensiveZone = 0,
    /// <summary>Diễn tập sẵn sàng chiến đấu.</summary>
    CombatReadiness = 1,
    /// <summary>Diễn tập cứu hộ, cứu nạn / phòng chống thiên tai.</summary>
    SearchAndRescue = 2,
}
