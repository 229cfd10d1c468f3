using Readiness.Contracts;

namespace Readiness.Store.Projections;

public sealed record MissionRecord(EventRef Assigned, MissionAnswer? Answer, string? Reason, string? AssessedBy, EventRef? Assessment);
