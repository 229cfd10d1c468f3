using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Store.Projections;

/// <summary>One category of a unit's equipment and the latest events that changed it.</summary>
public sealed record EquipmentRecord(EquipmentStock Stock, List<EventRef> Evidence);
