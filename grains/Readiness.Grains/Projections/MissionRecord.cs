using Readiness.Contracts;

namespace Readiness.Grains.Projections;

public sealed record MissionRecord(EventRef Assigned, MissionAnswer? Answer, string? Reason, string? AssessedBy, EventRef? Assessment);
