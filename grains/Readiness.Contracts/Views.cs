namespace Readiness.Contracts;

/// <summary>How many units sit at each readiness level.</summary>
[GenerateSerializer, Immutable, Alias("readiness.level-counts")]
public sealed record LevelCounts(
    [property: Id(0)] int R1,
    [property: Id(1)] int R2,
    [property: Id(2)] int R3,
    [property: Id(3)] int R4)
{
    public static readonly LevelCounts None = new(0, 0, 0, 0);

    public int Total => R1 + R2 + R3 + R4;

    public LevelCounts Add(ReadinessLevel level) => level switch
    {
        ReadinessLevel.R1 => this with { R1 = R1 + 1 },
        ReadinessLevel.R2 => this with { R2 = R2 + 1 },
        ReadinessLevel.R3 => this with { R3 = R3 + 1 },
        _ => this with { R4 = R4 + 1 },
    };

    public LevelCounts Add(LevelCounts other) =>
        new(R1 + other.R1, R2 + other.R2, R3 + other.R3, R4 + other.R4);
}

/// <summary>One unit's readiness: strength against authorisation and the level it sets.</summary>
[GenerateSerializer, Immutable, Alias("readiness.unit-readiness-view")]
public sealed record UnitReadinessView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] Echelon Echelon,
    [property: Id(3)] string? ParentId,
    [property: Id(4)] int AuthorisedStrength,
    [property: Id(5)] int ActualStrength,
    [property: Id(6)] double StrengthRatio,
    [property: Id(7)] ReadinessLevel PersonnelLevel,
    [property: Id(8)] ReadinessLevel Level,
    [property: Id(9)] long Version,
    [property: Id(10)] DateTimeOffset LastOccurredAt,
    [property: Id(11)] DateTimeOffset UpdatedAt);

/// <summary>A commune command and the units under it, rolled up.</summary>
[GenerateSerializer, Immutable, Alias("readiness.commune-readiness-view")]
public sealed record CommuneReadinessView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ReadinessLevel Level,
    [property: Id(3)] int AuthorisedStrength,
    [property: Id(4)] int ActualStrength,
    [property: Id(5)] LevelCounts Units);

/// <summary>A district command and everything under it, rolled up.</summary>
[GenerateSerializer, Immutable, Alias("readiness.district-readiness-view")]
public sealed record DistrictReadinessView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ReadinessLevel? Level,
    [property: Id(3)] int AuthorisedStrength,
    [property: Id(4)] int ActualStrength,
    [property: Id(5)] LevelCounts Units,
    [property: Id(6)] IReadOnlyList<CommuneReadinessView> Communes);

/// <summary>
/// The province at a glance. <see cref="Sequence"/> is the last event the view reflects and
/// <see cref="UpdatedAt"/> when it was computed, so a reader can judge its freshness.
/// </summary>
[GenerateSerializer, Immutable, Alias("readiness.province-readiness-view")]
public sealed record ProvinceReadinessView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] ReadinessLevel? Level,
    [property: Id(3)] LevelCounts Units,
    [property: Id(4)] IReadOnlyList<DistrictReadinessView> Districts,
    [property: Id(5)] long Sequence,
    [property: Id(6)] DateTimeOffset UpdatedAt);
