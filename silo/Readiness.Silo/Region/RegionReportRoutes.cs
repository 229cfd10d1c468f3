using System.Text;
using System.Text.Json;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Silo.Audit;
using Readiness.Silo.Upward;

namespace Readiness.Silo.Region;

/// <summary>
/// Where a province's outbox delivers (<c>POST /api/region/reports</c>): the body exactly as signed, its
/// detached JWS in <c>X-Readiness-Signature</c>, and the consistency proof in <see cref="ConsistencyHeaders"/>.
/// Anonymous: the signature with a pinned key is what admits a report. Every report is recorded, accepted
/// or refused; a refusal answers a problem whose detail says why and raises an alarm.
/// </summary>
internal static class RegionReportRoutes
{
    /// <summary>A report is a province's view in summary; far more than this is not one.</summary>
    private const int MaxBody = 1 << 20;

    public static void MapRegionReportRoutes(this IEndpointRouteBuilder routes) =>
        routes.MapPost("/api/region/reports", ReceiveAsync)
            .AllowAnonymous()
            .WithTags("Region")
            .WithName("PostRegionReport")
            .WithSummary("A province's signed upward report, on a silo in the region role: checked against the keys pinned for the province, its number against the last "
                + "accepted, its tree head against the last witnessed; answered with the head cosigned by the region, or a problem saying why it was refused.")
            .Accepts<UpwardReport>("application/json")
            .Produces<RegionReceipt>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

    private static async Task<IResult> ReceiveAsync(HttpContext http, RegionWitness witness, RegionProvinces provinces, IGrainFactory grains, AuditAlarms alarms,
        CancellationToken cancellationToken)
    {
        if (!witness.Enabled)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not a region.",
                detail: $"This silo does not take upward reports: it runs in the region role only with {RegionOptions.Section}:Enabled.");
        }
        if (http.Request.ContentLength > MaxBody)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large.", detail: $"A report is at most {MaxBody:N0} bytes.");
        }
        using var reader = new StreamReader(http.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: false));
        var body = await reader.ReadToEndAsync(cancellationToken);
        var claimed = ProvinceNamed(body) ?? string.Empty;
        var trusted = await provinces.OfAsync(claimed);
        var grainId = trusted is null ? ReceiveProvinceReport.Unregistered : claimed;
        long? from = long.TryParse(http.Request.Headers[ConsistencyHeaders.From], out var size) ? size : null;
        var proofHeader = http.Request.Headers[ConsistencyHeaders.Proof].ToString();
        IReadOnlyList<string>? proof = from is null ? null : proofHeader.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var signature = http.Request.Headers[UpwardReportSigner.Header].ToString();
        var command = new ReceiveProvinceReport(Guid.NewGuid().ToString("N"), grainId, body, signature.Length == 0 ? null : signature, from, proof,
            trusted?.Trust.Keys, trusted?.IntervalSeconds ?? 0, claimed, RefusalsStoredPerWindow: witness.RefusalsStoredPerWindow,
            RefusalWindowSeconds: witness.RefusalWindowSeconds);
        if (CommandText.Problem(command) is { } textProblem)
        {
            return Refused(alarms, claimed, ReportRefusal.Malformed, textProblem);
        }
        var verdict = await grains.GetGrain<IRegionProvinceGrain>(grainId).Receive(command);
        if (verdict.Outcome is VerdictOutcome.Refused or VerdictOutcome.AlreadyRefused)
        {
            return Refused(alarms, claimed, verdict.Refusal ?? ReportRefusal.Malformed, verdict.Reason ?? "Refused.");
        }
        alarms.Clear(Concern(claimed));
        var cosigned = verdict.Head is { } head && verdict.WitnessedAt is { } at ? witness.Cosign(claimed, head.ToContract(), at) : null;
        return Results.Ok(new RegionReceipt(claimed, verdict.ReportId ?? string.Empty, verdict.ReportSequence ?? 0, verdict.Outcome == VerdictOutcome.AlreadyAccepted, cosigned));
    }

    /// <summary>The alarm a province's refused reports raise: one a province, its latest reason.</summary>
    public static string Concern(string provinceId) => $"province {provinceId}";

    private static IResult Refused(AuditAlarms alarms, string claimed, ReportRefusal kind, string reason)
    {
        alarms.Raise(Concern(claimed.Length == 0 ? "(none named)" : claimed), reason);
        var (status, title) = kind switch
        {
            ReportRefusal.Malformed => (StatusCodes.Status400BadRequest, "Not a report."),
            ReportRefusal.Unregistered => (StatusCodes.Status403Forbidden, "Province not registered."),
            ReportRefusal.Signature => (StatusCodes.Status403Forbidden, "Signature refused."),
            ReportRefusal.Replay => (StatusCodes.Status409Conflict, "Replayed report."),
            ReportRefusal.Rewritten => (StatusCodes.Status409Conflict, "History rewritten."),
            _ => (StatusCodes.Status422UnprocessableEntity, "Tree head refused."),
        };
        return Results.Problem(statusCode: status, title: title, detail: reason, extensions: new Dictionary<string, object?> { ["refusal"] = kind.ToString() });
    }

    /// <summary>The province a body names, read before anything is checked, only to find its pinned keys.</summary>
    private static string? ProvinceNamed(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("provinceId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
