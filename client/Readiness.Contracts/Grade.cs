namespace Readiness.Contracts;

/// <summary>How training or an exercise was graded: xuất sắc, khá, đạt, không đạt.</summary>
public enum Grade
{
    Excellent = 0,
    Good = 1,
    Pass = 2,
    Fail = 3,
}
