using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Grains.Actors;

namespace Readiness.Silo.Security;

/// <summary>What makes a token request well formed, whoever mints it: the API for an administrator, or the operator's console.</summary>
internal static class TokenRequestRules
{
    /// <summary>Every problem with the request, each saying what to give instead; empty when it is well formed.</summary>
    public static List<string> Problems(TokenRequest request, int maxTokenHours)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(request.Subject) || request.Subject.Length > 200)
        {
            problems.Add("subject is 1 to 200 characters: who the token is for.");
        }
        else if (CommandText.Problem(request.Subject, "subject") is { } subjectProblem)
        {
            problems.Add(subjectProblem);
        }
        else if (IsReserved(request.Subject))
        {
            problems.Add($"subject '{request.Subject}' is reserved: events the silo records itself (reminders, the demo) are recorded by '{CallerContext.System}', "
                + "and no person's token may pass for it.");
        }
        if (request.Scopes is not { Count: > 0 } || request.Scopes.Any(s => s != Access.Everywhere && UnitPath.Problem(s) is not null))
        {
            problems.Add("scopes lists one or more unit ids (such as 'bac-kan' or 'bac-kan/ba-be'), or '*'.");
        }
        if (request.Roles is not { Count: > 0 } || request.Roles.Any(r => !Access.Roles.Contains(r)))
        {
            problems.Add($"roles lists one or more of: {string.Join(", ", Access.Roles)}.");
        }
        if (request.Hours <= 0 || request.Hours > maxTokenHours)
        {
            problems.Add($"hours is more than 0 and at most {maxTokenHours}.");
        }
        return problems;
    }

    /// <summary><c>system</c> and <c>system:…</c> name the silo's own work in every event's recorded-by.</summary>
    private static bool IsReserved(string subject) =>
        subject.Trim().Equals(CallerContext.System, StringComparison.OrdinalIgnoreCase)
        || subject.Trim().StartsWith(CallerContext.System + ":", StringComparison.OrdinalIgnoreCase);
}
