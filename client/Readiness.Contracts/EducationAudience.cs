namespace Readiness.Contracts;

/// <summary>Who received defence and security education (giáo dục / bồi dưỡng QP-AN).</summary>
public enum EducationAudience
{
    PupilsAndStudents = 0,
    Cadres = 1,
}
