namespace Readiness.Contracts;

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
