namespace Readiness.Grains.Actors;

/// <summary>
/// A stream's newest link of the hash chain as a grain keeps it between commands: the 64 hex digits
/// of a SHA-256 as two 128-bit numbers inside the grain, not a 150-byte string on the heap. A link
/// of any other shape (the empty genesis, or text an import brought in) is kept as the text itself,
/// so that the next link is always hashed from exactly what the store holds.
/// </summary>
public readonly struct ChainLink
{
    private readonly UInt128 high;
    private readonly UInt128 low;
    private readonly string? text;
    private readonly bool isHex;

    private ChainLink(UInt128 high, UInt128 low)
    {
        this.high = high;
        this.low = low;
        isHex = true;
    }

    private ChainLink(string text) => this.text = text;

    public static ChainLink Of(string hash) =>
        hash.Length == 64 && IsLowerHex(hash)
        && UInt128.TryParse(hash.AsSpan(0, 32), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var high)
        && UInt128.TryParse(hash.AsSpan(32), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var low)
            ? new ChainLink(high, low)
            : new ChainLink(hash);

    /// <summary>The link as the chain and the store write it; the genesis (empty) for a link never set.</summary>
    public override string ToString() =>
        isHex
            ? high.ToString("x32", System.Globalization.CultureInfo.InvariantCulture) + low.ToString("x32", System.Globalization.CultureInfo.InvariantCulture)
            : text ?? Readiness.Domain.Integrity.EventChain.Genesis;

    private static bool IsLowerHex(string value)
    {
        foreach (var c in value)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }
        return true;
    }
}
