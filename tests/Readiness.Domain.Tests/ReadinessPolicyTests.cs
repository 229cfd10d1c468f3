using Readiness.Contracts;

namespace Readiness.Domain.Tests;

public class ReadinessPolicyTests
{
    [Theory]
    [InlineData(100, 100, ReadinessLevel.R1)]
    [InlineData(90, 100, ReadinessLevel.R1)]
    [InlineData(89, 100, ReadinessLevel.R2)]
    [InlineData(80, 100, ReadinessLevel.R2)]
    [InlineData(79, 100, ReadinessLevel.R3)]
    [InlineData(70, 100, ReadinessLevel.R3)]
    [InlineData(69, 100, ReadinessLevel.R4)]
    [InlineData(0, 12, ReadinessLevel.R4)]
    [InlineData(11, 12, ReadinessLevel.R1)]
    [InlineData(10, 12, ReadinessLevel.R2)]
    public void Personnel_level_follows_the_strength_thresholds(int actual, int authorised, ReadinessLevel expected) =>
        Assert.Equal(expected, ReadinessPolicy.Default.PersonnelLevel(actual, authorised));

    [Fact]
    public void Thresholds_are_configurable()
    {
        var strict = new ReadinessPolicy { PersonnelThresholds = [0.95, 0.90, 0.85] };

        Assert.Equal(ReadinessLevel.R2, strict.PersonnelLevel(92, 100));
        Assert.Equal(ReadinessLevel.R1, ReadinessPolicy.Default.PersonnelLevel(92, 100));
    }
}
