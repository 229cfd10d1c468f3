using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Tests.Infrastructure;

public static class ComparableViews
{
    /// <summary>The view without when it was rated (the request) and folded (the projection's clock), which differ by store.</summary>
    public static string Of(UnitReadinessView view) =>
        JsonSerializer.Serialize(view with { UpdatedAt = default, Rating = view.Rating with { RatedAt = default } }, SiloFixture.Json);
}
