using System.Globalization;
using JasperFx.Events;

namespace Readiness.Grains.Storage;

/// <summary>Metadata every appended event carries beside its body, in Marten's headers column.</summary>
public static class EventHeaders
{
    /// <summary>The client-supplied id of the command that produced the event; a retry finds it here.</summary>
    public const string CommandId = "command-id";

    /// <summary>Who recorded the event: the caller of the API, or the system for its own work.</summary>
    public const string RecordedBy = "recorded-by";

    /// <summary>Who minted the token the recording caller used, when an administrator did (the token's <c>act</c>).</summary>
    public const string TokenMintedBy = "token-minted-by";

    /// <summary>When it happened, in UTC with a fixed width, so that text order is time order in SQL.</summary>
    public const string OccurredAt = "occurred-at";

    /// <summary>The event's link in its stream's hash chain.</summary>
    public const string Hash = "hash";

    public static string? CommandIdOf(IEvent e) => Text(e, CommandId);

    public static string? HashOf(IEvent e) => Text(e, Hash);

    public static string Format(DateTimeOffset occurredAt) =>
        occurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string? Text(IEvent e, string key) =>
        e.Headers is not null && e.Headers.TryGetValue(key, out var value) ? value?.ToString() : null;
}
