using Readiness.Contracts;

namespace Readiness.Grains.Projections;

public sealed record AssessmentRecord(ReadinessLevel Level, string Justification, string AssessedBy, EventRef Source);
