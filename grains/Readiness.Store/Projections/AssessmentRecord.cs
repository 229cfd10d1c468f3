using Readiness.Contracts;

namespace Readiness.Store.Projections;

public sealed record AssessmentRecord(ReadinessLevel Level, string Justification, string AssessedBy, EventRef Source);
