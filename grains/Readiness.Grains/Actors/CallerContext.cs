using System.Diagnostics;

namespace Readiness.Grains.Actors;

/// <summary>
/// Who is recording, carried with each call in Orleans' request context so that it reaches the
/// grain that appends (and the grains that one calls in turn, such as the participants an exercise
/// credits).
/// </summary>
public static partial class CallerContext
{
    private const string RecordedByKey = "readiness.recorded-by";
    private const string CorrelationKey = "readiness.correlation-id";
    private const string ScopesKey = "readiness.scopes";
    private const string TokenMintedByKey = "readiness.token-minted-by";

    /// <summary>Recorded by the system itself when no caller is named: reminders, the demo loader.</summary>
    public const string System = "system";

    public static void Set(string recordedBy, string? correlationId = null)
    {
        RequestContext.Set(RecordedByKey, recordedBy);
        if (!string.IsNullOrWhiteSpace(correlationId))
        {
            RequestContext.Set(CorrelationKey, correlationId);
        }
    }

    /// <summary>The administrator who minted the caller's token, recorded beside the caller.</summary>
    public static void SetTokenMintedBy(string? mintedBy)
    {
        if (!string.IsNullOrEmpty(mintedBy))
        {
            RequestContext.Set(TokenMintedByKey, mintedBy);
        }
    }

    public static string? TokenMintedBy => RequestContext.Get(TokenMintedByKey) as string;

    /// <summary>An authenticated caller's scopes and right to report, checked again where a command reaches its grain.</summary>
    public static void SetReporter(IReadOnlyList<string> scopes, bool mayReport) =>
        RequestContext.Set(ScopesKey, mayReport ? scopes.ToArray() : Array.Empty<string>());

    /// <summary>The scopes a command was sent under, or null for the system's own calls (demo, reminders).</summary>
    public static IReadOnlyList<string>? Scopes => RequestContext.Get(ScopesKey) as string[];

    public static string RecordedBy => RequestContext.Get(RecordedByKey) as string ?? System;

    /// <summary>The caller's correlation id, else the trace the command runs in.</summary>
    public static string? CorrelationId =>
        RequestContext.Get(CorrelationKey) as string ?? Activity.Current?.TraceId.ToHexString();

    /// <summary>The span that caused the append, as a W3C traceparent.</summary>
    public static string? CausationId => Activity.Current?.Id;
}
