namespace Readiness.Contracts;

/// <summary>The two kinds of round-the-clock duty the report names.</summary>
public enum DutyKind
{
    /// <summary>Trực sẵn sàng chiến đấu (SSCĐ).</summary>
    CombatReadiness = 0,
    /// <summary>Trực cứu hộ, cứu nạn.</summary>
    SearchAndRescue = 1,
}
