namespace Readiness.Domain;

/// <summary>One line of <see cref="EventCatalogue"/>: an event class, the name it is stored under, and whose stream holds it.</summary>
public sealed record CataloguedEvent(Type Type, string StoredName, EventActor Actor);
