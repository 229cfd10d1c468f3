namespace Readiness.Silo.Live;

/// <summary>How the live feed finds new batches (<c>Readiness:Live</c>).</summary>
public sealed class LiveFeedOptions
{
    public const string Section = "Readiness:Live";

    /// <summary>
    /// How often a silo looks at the store for batches its own daemon did not commit (the daemon runs on
    /// another silo of the cluster, or a rebuild swapped the rosters). Batches of this silo's own daemon
    /// are announced as they commit, whatever this says.
    /// </summary>
    public TimeSpan StorePollInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
