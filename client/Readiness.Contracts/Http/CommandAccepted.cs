namespace Readiness.Contracts.Http;

/// <summary>What a command route answers when the command was applied (or had been, for a retry).</summary>
/// <param name="CommandId">The command's id.</param>
/// <param name="StreamId">The actor whose stream took the events: a unit, exercise or duty post id.</param>
/// <param name="Version">The stream's version after the command.</param>
/// <param name="AlreadyApplied">True when this command id had been applied before: nothing new was appended.</param>
public sealed record CommandAccepted(string CommandId, string StreamId, long Version, bool AlreadyApplied);
