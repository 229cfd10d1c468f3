using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Tests.Infrastructure;

public static class ComparableViews
{
    /// <summary>The view without when it was rated (the request) and folded (the projection's clock), which differ by store.</summary>
    public static string Of(UnitReadinessView view) =>
        JsonSerializer.Serialize(view with { UpdatedAt = default, Rating = view.Rating with { RatedAt = default } }, SiloFixture.Json);

    /// <summary>The view without when it was rated and projected, the province's and each district's.</summary>
    public static string Of(ProvinceReadinessView view) =>
        JsonSerializer.Serialize(view with
        {
            UpdatedAt = default,
            RatedAt = default,
            Districts = [.. view.Districts.Select(district => district with { UpdatedAt = default })],
        }, SiloFixture.Json);
}
