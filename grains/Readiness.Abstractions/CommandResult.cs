using Readiness.Contracts;

namespace Readiness.Abstractions;

/// <summary>
/// An actor's answer to a command. <see cref="AlreadyApplied"/> is true when the command id had been
/// seen before: the first result is returned and nothing new was appended. The HTTP routes turn it
/// into a <c>CommandAccepted</c> or a problem document; it never leaves the cluster as it is.
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
