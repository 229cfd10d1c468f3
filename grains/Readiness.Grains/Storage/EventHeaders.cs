using JasperFx.Events;

namespace Readiness.Grains.Storage;

/// <summary>Metadata every appended event carries beside its body.</summary>
public static class EventHeaders
{
    /// <summary>The client-supplied id of the command that produced the event; a retry finds it here.</summary>
    public const string CommandId = "command-id";

    public static string? CommandIdOf(IEvent e) =>
        e.Headers is not null && e.Headers.TryGetValue(CommandId, out var value) ? value?.ToString() : null;
}
