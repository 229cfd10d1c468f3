namespace Readiness.Contracts;

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
