namespace Readiness.Contracts.Http;

// What GET /api/commands answers: the command contracts read as forms, so that a screen draws a
// form for a command it has never seen. It only travels over HTTP, so it has no Orleans codec.

/// <summary>One command a route takes, as a form: where to post it, what it reports on, and its fields.</summary>
/// <param name="Name">The command's name, such as <c>HandOverDutyShift</c>.</param>
/// <param name="Path">Where it is posted, such as <c>/api/commands/hand-over-duty-shift</c>.</param>
/// <param name="Role">The role that may send it: <c>reporter</c>, or <c>admin</c> for a reorganisation.</param>
/// <param name="Actor">What it reports on: <c>unit</c>, <c>exercise</c>, <c>dutyPost</c>, or <c>chainOfCommand</c> for a reorganisation.</param>
/// <param name="ActorField">The field that names the actor (<c>unitId</c>, <c>exerciseId</c>, <c>postId</c>); null for a reorganisation.</param>
/// <param name="Summary">What it records, in English.</param>
/// <param name="Fields">Its body's fields in the contract's order, <c>commandId</c> and <c>occurredAt</c> included.</param>
public sealed record CommandDescription(string Name, string Path, string Role, string Actor, string? ActorField, string Summary, IReadOnlyList<CommandFieldDescription> Fields);

/// <summary>One field of a command's body.</summary>
/// <param name="Name">Its name in the JSON body, such as <c>staffPresent</c>.</param>
/// <param name="Type">
/// <c>text</c> (one line), <c>prose</c> (may run over several lines), <c>integer</c>, <c>choice</c> (one of
/// <see cref="Values"/>), <c>moment</c> (a date and time with its offset), <c>list</c> (of text), or <c>object</c>
/// (anything else, sent as JSON).
/// </param>
/// <param name="Required">False when the field may be left out or null.</param>
/// <param name="Values">The names a choice takes; null for any other type.</param>
public sealed record CommandFieldDescription(string Name, string Type, bool Required, IReadOnlyList<string>? Values = null);
