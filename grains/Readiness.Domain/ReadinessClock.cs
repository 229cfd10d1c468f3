namespace Readiness.Domain;

/// <summary>
/// The clock commands are decided and ratings computed by. Separate from the host's TimeProvider so
/// that tests can move the domain's time (a shift running past its length) without moving the
/// clocks Orleans' own membership and timers run on.
/// </summary>
public sealed class ReadinessClock(TimeProvider time)
{
    public static readonly ReadinessClock System = new(TimeProvider.System);

    public DateTimeOffset UtcNow => time.GetUtcNow();
}
