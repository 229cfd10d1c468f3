namespace Readiness.Contracts;

/// <summary>Why a command was refused; maps to an HTTP status.</summary>
[GenerateSerializer, Alias("readiness.rejection-kind")]
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

[GenerateSerializer, Immutable, Alias("readiness.rejection")]
public sealed record Rejection(
    [property: Id(0)] RejectionKind Kind,
    [property: Id(1)] string Message);

/// <summary>
/// The answer to a command. <see cref="AlreadyApplied"/> is true when the command id had been seen
/// before: the first result is returned and nothing new was appended.
/// </summary>
[GenerateSerializer, Immutable, Alias("readiness.command-result")]
public sealed record CommandResult(
    [property: Id(0)] string CommandId,
    [property: Id(1)] string StreamId,
    [property: Id(2)] long Version,
    [property: Id(3)] bool AlreadyApplied,
    [property: Id(4)] Rejection? Rejection)
{
    public bool Accepted => Rejection is null;

    public static CommandResult Applied(string commandId, string streamId, long version) =>
        new(commandId, streamId, version, AlreadyApplied: false, Rejection: null);

    public static CommandResult Rejected(string commandId, string streamId, long version, RejectionKind kind, string message) =>
        new(commandId, streamId, version, AlreadyApplied: false, new Rejection(kind, message));
}
