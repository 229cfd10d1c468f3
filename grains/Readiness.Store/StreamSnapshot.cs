namespace Readiness.Store;

/// <summary>
/// A grain's state as folded up to a version of its stream, so that a long stream (a unit that
/// reports daily for thirty years holds about 10,000 events) activates without folding it whole.
/// Kept beside the events, never instead of them: it is written after the commit, outside the
/// command's transaction, and trusted only when the stored event at <see cref="Version"/> still
/// carries <see cref="LastHash"/> and the state's type still has the <see cref="Shape"/> it was written with.
/// </summary>
public sealed class StreamSnapshot
{
    /// <summary>The stream key.</summary>
    public string Id { get; set; } = string.Empty;

    public long Version { get; set; }

    /// <summary>The hash-chain link of the event at <see cref="Version"/>.</summary>
    public string LastHash { get; set; } = string.Empty;

    /// <summary>The state type's members when written (as the grains' SnapshotShape.Of writes it); another shape means another fold.</summary>
    public string Shape { get; set; } = string.Empty;

    /// <summary>The state, in the grains' SnapshotShape.Json form.</summary>
    public string State { get; set; } = string.Empty;

    /// <summary>
    /// Every command id applied up to <see cref="Version"/>, as the grains' CommandDigests pack
    /// them with the version each reached: a retry of any of them is still answered, not applied again.
    /// Bytes, which the serialiser writes as the base64 text stored before and decodes straight from the
    /// document: a 10,000-command stream's 320 KB of it no longer passes through a string of twice that size.
    /// </summary>
    public byte[] CommandIds { get; set; } = [];
}
