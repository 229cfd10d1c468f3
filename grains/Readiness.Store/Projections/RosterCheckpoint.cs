namespace Readiness.Store.Projections;

/// <summary>
/// A province roster as of a past moment (by when things happened), from the events recorded up to a
/// sequence: the starting point for views of the past, so that none needs to replay every stream.
/// Streams that had a late report across <see cref="AsOf"/> cannot simply be continued from it
/// (their later events would land before events already folded) and are refolded from their start.
/// </summary>
public sealed class RosterCheckpoint
{
    public string Id { get; set; } = string.Empty;
    public string ProvinceId { get; set; } = string.Empty;

    /// <summary>Events that happened up to this moment are folded in.</summary>
    public DateTimeOffset AsOf { get; set; }

    /// <summary><see cref="AsOf"/> in UTC ticks: a plain number to index and compare in SQL.</summary>
    public long AsOfTicks { get; set; }

    /// <summary>Events recorded up to this global sequence are folded in.</summary>
    public long Sequence { get; set; }

    public List<string> Straddling { get; set; } = [];

    public ProvinceRoster Roster { get; set; } = new();

    public static string IdOf(string provinceId, DateTimeOffset asOf, long sequence) =>
        $"{provinceId}@{asOf.UtcTicks}#{sequence}";
}
