using Readiness.Contracts;

namespace Readiness.Client;

public sealed partial class ReadinessClient
{
    /// <summary>
    /// A province's chain of command at a moment: every unit under it then, top down, each with its name,
    /// echelon and parent then, since and until when it held them and by which order, its former names and
    /// the units merged into it. Reorganise it with <see cref="SendAsync"/> and a <see cref="ResubordinateUnit"/>,
    /// <see cref="RenameUnit"/>, <see cref="MergeUnits"/>, <see cref="DissolveUnit"/> or <see cref="Reorganise"/>.
    /// </summary>
    /// <param name="provinceId">The province id, such as <c>bac-kan</c>.</param>
    /// <param name="asOf">The moment; null for now. Any viewer of the province may ask about the past.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The province first, then each unit after its parent.</returns>
    /// <exception cref="ReadinessApiException">
    /// 404 when the province is unknown, or did not stand at that moment (the detail says when it was established, or dissolved and by whom succeeded).
    /// </exception>
    public Task<ChainOfCommandView> GetChainOfCommandAsync(string provinceId, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(provinceId);
        return Get<ChainOfCommandView>($"api/provinces/{Uri.EscapeDataString(provinceId)}/tree{new PointInTime(asOf).ToQuery()}", cancellationToken);
    }
}
