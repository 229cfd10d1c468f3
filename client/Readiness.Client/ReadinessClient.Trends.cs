using System.Globalization;
using Readiness.Contracts;

namespace Readiness.Client;

public sealed partial class ReadinessClient
{
    /// <summary>
    /// A unit's levels over time, with everything under it (a province, a district, a commune or a force
    /// unit by its id): at each step from <paramref name="from"/> to <paramref name="to"/>, its level,
    /// its units per level and each area's levels, as the view of that moment rates them.
    /// </summary>
    /// <param name="unitId">The unit's path id, such as <c>bac-kan</c> or <c>bac-kan/ba-be/cho-ra</c>.</param>
    /// <param name="from">The first point; null for 26 weeks (30 days, 12 months) before <paramref name="to"/>.</param>
    /// <param name="to">The last point, at the latest now; null for now.</param>
    /// <param name="step">How far apart the points are.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The trend, oldest point first.</returns>
    /// <exception cref="ReadinessApiException">400 for a range that cannot be drawn (more than 367 points, a future end); 404 for an unknown unit.</exception>
    public Task<ReadinessTrend> GetTrendAsync(string unitId, DateTimeOffset? from = null, DateTimeOffset? to = null, TrendStep step = TrendStep.Week,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(unitId);
        var query = $"?step={step.ToString().ToLowerInvariant()}"
            + (from is { } f ? "&from=" + Uri.EscapeDataString(f.ToString("O", CultureInfo.InvariantCulture)) : "")
            + (to is { } t ? "&to=" + Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture)) : "");
        return Get<ReadinessTrend>($"api/trends/{unitId}{query}", cancellationToken);
    }
}
