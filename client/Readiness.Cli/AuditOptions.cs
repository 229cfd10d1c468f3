using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Readiness.Cli;

/// <summary>What the auditing commands (history, verify, view) share: reading moments, the silo's address, JSON, their timeout.</summary>
internal static class AuditOptions
{
    public static readonly Uri DefaultUrl = new("http://127.0.0.1:5080");

    /// <summary>Indented, for one document; Vietnamese stays readable instead of becoming \u escapes.</summary>
    public static readonly JsonSerializerOptions Indented = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>One object per line, for JSON lines.</summary>
    public static readonly JsonSerializerOptions Line = new(Indented) { WriteIndented = false };

    /// <summary>
    /// A moment such as 2024-06-30, 2024-06-30T08:00 or 2024-06-30T08:00:00+07:00. Without an offset
    /// it is UTC, so that the same command means the same moment on every machine.
    /// </summary>
    public static bool TryParseMoment(string? text, out DateTimeOffset moment) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out moment);

    public static string Format(DateTimeOffset? moment) =>
        moment is { } m ? m.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "—";

    /// <summary>How long history, views and verify wait for the silo to begin its answer: a whole-store verify takes a while.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(120);
}
