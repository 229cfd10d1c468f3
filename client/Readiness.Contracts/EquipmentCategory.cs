namespace Readiness.Contracts;

/// <summary>The categories of weapons and technical equipment (vũ khí, trang bị kỹ thuật) a unit holds.</summary>
public enum EquipmentCategory
{
    Weapons = 0,
    Communications = 1,
    Vehicles = 2,
    /// <summary>Boats, life jackets, cutting and lifting gear for rescue duty (trang bị cứu hộ, cứu nạn).</summary>
    RescueEquipment = 3,
}
