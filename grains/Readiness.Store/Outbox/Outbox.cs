namespace Readiness.Store.Outbox;

/// <summary>
/// One report for one endpoint, written in the same transaction that decided the report was due,
/// and kept until the endpoint acknowledges it. Its id is the report id and the endpoint's name,
/// so a report is queued once per endpoint however often the decision is taken again.
/// </summary>
public sealed class OutboxMessage
{
    public string Id { get; set; } = string.Empty;
    public string ReportId { get; set; } = string.Empty;
    public string ProvinceId { get; set; } = string.Empty;
    public string Endpoint { get; set; } = string.Empty;
    public string Reason { get; set; } = string.Empty;

    /// <summary>The signed body exactly as it is sent every time.</summary>
    public string Body { get; set; } = string.Empty;
    public string Signature { get; set; } = string.Empty;

    /// <summary>The province's report number: rows of one province go to an endpoint in this order, each once.</summary>
    public long ReportSequence { get; set; }

    /// <summary>The head the endpoint cosigned in its answer (a <c>CosignedHead</c> as JSON), when it is a region that witnesses.</summary>
    public string? Cosigned { get; set; }

    /// <summary>
    /// The version of the province's stream after which the report's commander's comments were recorded: a report
    /// built again (by a later key) carries the same comments as when it was queued.
    /// </summary>
    public long CommentsAfter { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public long NextAttemptTicks { get; set; }
    public bool Delivered { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>
    /// When the endpoint refused the report and recorded its refusal (a region's problem naming a <c>refusal</c>):
    /// sending the same report again cannot change that answer, so it is settled, and no longer holds back the
    /// later reports, which may carry what the earlier lacked. The reason stays in <see cref="LastError"/>.
    /// </summary>
    public DateTimeOffset? RefusedAt { get; set; }
    public string? LastError { get; set; }

    public static string IdOf(string reportId, string endpoint) => $"{reportId}>{endpoint}";
}

/// <summary>What a province last reported upward: the level, the month of the last monthly report, the last report's number and when it was queued, and the last comment carried.</summary>
public sealed class UpwardReportState
{
    public string Id { get; set; } = string.Empty;
    public string? LastLevel { get; set; }
    public string? LastMonth { get; set; }
    public long LastSequence { get; set; }
    public DateTimeOffset? LastQueuedAt { get; set; }

    /// <summary>The version of the province's stream of the newest commander's comment a report has carried; 0: none yet.</summary>
    public long CommentsReportedThrough { get; set; }
}
