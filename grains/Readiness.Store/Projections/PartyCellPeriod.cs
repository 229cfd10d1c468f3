namespace Readiness.Store.Projections;

public sealed record PartyCellPeriod(DateTimeOffset EstablishedAt, DateTimeOffset? DissolvedAt, int Members);
