using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>Input checks every actor's rules share; each returns null or what to fix.</summary>
public static class InputChecks
{
    public const int MaxCount = 1_000_000;
    public const int MaxTextLength = 500;

    /// <summary>Reports may arrive a little ahead of the server's clock; beyond this they are refused.</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(5);

    public static string? Positive(int value, string what, int max = MaxCount) =>
        value < 1 ? $"{what} must be at least 1; it was {value}."
        : value > max ? $"{what} must be at most {max}; it was {value}."
        : null;

    public static string? NotNegative(int value, string what, int max = MaxCount) =>
        value < 0 ? $"{what} may not be negative; it was {value}."
        : value > max ? $"{what} must be at most {max}; it was {value}."
        : null;

    public static string? Text(string? value, string what, int max = MaxTextLength) =>
        string.IsNullOrWhiteSpace(value) ? $"{what} is required."
        : value.Length > max ? $"{what} is at most {max} characters."
        : null;

    public static string? Defined<TEnum>(TEnum value, string what) where TEnum : struct, Enum =>
        Enum.IsDefined(value) ? null : $"{what} '{value}' does not exist; use one of {string.Join(", ", Enum.GetNames<TEnum>())}.";

    public static string? Year(int year, DateTimeOffset now, string what) =>
        year < CommandTime.FirstYear || year > now.Year + 1 ? $"{what} {year} is not plausible; use a year such as {now.Year}." : null;

    /// <summary>When something happened: not in the future, not before 1945, and not before the actor existed.</summary>
    public static string? OccurredAt(DateTimeOffset at, DateTimeOffset now, DateTimeOffset? existsSince, string actor)
    {
        if (at > now + ClockTolerance)
        {
            return $"occurredAt {at:O} is in the future; report what has happened, with the time it happened.";
        }
        if (at < CommandTime.Earliest)
        {
            return $"occurredAt {at:O} is before {CommandTime.Earliest:O}, the earliest date the system records; give the date it really happened.";
        }
        if (existsSince is { } since && at < since)
        {
            return $"occurredAt {at:O} is before {actor} existed ({since:O}).";
        }
        return null;
    }

    /// <summary>The first problem of several, as a rejection.</summary>
    public static Decision? FirstProblem(params string?[] problems) =>
        problems.FirstOrDefault(p => p is not null) is { } problem ? Decision.Reject(RejectionKind.Invalid, problem) : null;
}
