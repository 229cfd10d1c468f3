namespace Readiness.Contracts;

/// <summary>Why a command was refused; maps to an HTTP status.</summary>
public enum RejectionKind
{
    /// <summary>The input breaks a rule; nothing was appended.</summary>
    Invalid = 0,
    /// <summary>The unit (or its parent) does not exist.</summary>
    NotFound = 1,
    /// <summary>The command contradicts what already happened (e.g. registering twice).</summary>
    Conflict = 2,
    /// <summary>The caller holds no scope over the actor, or no right to report; nothing was appended.</summary>
    Forbidden = 3,
}

/// <summary>Why nothing was appended, in words a reporter can act on.</summary>
public sealed record Rejection(RejectionKind Kind, string Message);
