using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Domain.Integrity;

/// <summary>An upward report as the echelon above receives it: its body, exactly as sent, and the detached JWS from its header.</summary>
public static class SignedReport
{
    /// <summary>
    /// Why the report does not hold with the province's keys (its JWK Set), or null when it does: the key
    /// must be published for reports and the signed body must name the report purpose, so a tree head's
    /// signature over its own payload never passes for a report.
    /// </summary>
    public static string? SignatureProblem(ReadOnlySpan<byte> body, string signature, string jwks)
    {
        if (PublishedKeys.SignatureProblem(signature, body, jwks, UpwardReport.SignedPurpose, "report", "report's body") is { } problem)
        {
            return problem;
        }
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("purpose", out var purpose)
                && purpose.ValueKind == JsonValueKind.String && purpose.GetString() == UpwardReport.SignedPurpose
                ? null
                : $"the signed body does not name the purpose '{UpwardReport.SignedPurpose}': it was signed for something else.";
        }
        catch (JsonException ex)
        {
            return $"the signed body is not a report: {ex.Message}";
        }
    }
}
