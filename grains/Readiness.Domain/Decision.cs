using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>What the rules decided: the events to append, or why nothing may be appended.</summary>
public sealed record Decision(IReadOnlyList<object> Events, Rejection? Rejection)
{
    public static Decision Accept(params object[] events) => new(events, null);

    public static Decision Reject(RejectionKind kind, string message) => new([], new Rejection(kind, message));
}
