using System.Globalization;
using System.Text;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Domain.Integrity;

namespace Readiness.Cli;

/// <summary>The outcome of checking an export against a signed tree head kept elsewhere.</summary>
internal sealed record OfflineLogResult(bool Intact, TreeHead Head, long EventsRead, bool? SignatureValid, LogMismatch? Mismatch, string? Refusal);

/// <summary>
/// Recomputes the Merkle log from a whole-store export (its events in sequence order) and compares
/// its root at the head's size with the head: nothing from the silo or its database is trusted.
/// </summary>
internal static class OfflineLogCheck
{
    private const string TypePrefix = "readiness.";

    public static async Task<OfflineLogResult> CheckAsync(string headFile, string eventsFile, string? jwksFile, CancellationToken cancellationToken)
    {
        var head = SignedHead.Read(await File.ReadAllTextAsync(headFile, cancellationToken));
        bool? signatureValid = null;
        if (jwksFile is not null)
        {
            signatureValid = SignedHead.SignatureProblem(head, await File.ReadAllTextAsync(jwksFile, cancellationToken)) is null;
        }
        var root = Convert.FromBase64String(head.Root);
        var recomputation = new LogRecomputation([(head.Size, root)], storedLeaves: null);
        long read = 0;
        using var reader = new StreamReader(eventsFile, Encoding.UTF8);
        while (recomputation.Size < head.Size && await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            read++;
            if (line.Length == 0)
            {
                continue;
            }
            recomputation.Add(LeafOf(line, read));
        }
        var mismatch = recomputation.Finish();
        return new OfflineLogResult(mismatch is null && signatureValid != false, head, read, signatureValid, mismatch, null);
    }

    private static LogLeaf LeafOf(string line, long number)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var e = document.RootElement;
            var type = e.GetProperty("type").GetString()!;
            return new LogLeaf(
                e.GetProperty("id").GetGuid(),
                e.GetProperty("subject").GetString()!,
                e.GetProperty("streamversion").GetInt64(),
                e.GetProperty("sequence").GetInt64(),
                type.StartsWith(TypePrefix, StringComparison.Ordinal) ? type[TypePrefix.Length..] : type,
                e.GetProperty("data").GetRawText(),
                Text(e, "headers"),
                Text(e, "correlationid"),
                Text(e, "causationid"),
                DateTimeOffset.Parse(e.GetProperty("recordedat").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"line {number} of the export is not an exported event ({ex.Message}); an export from before the log (without 'headers') cannot be checked.", ex);
        }

        static string? Text(JsonElement e, string name) =>
            e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
