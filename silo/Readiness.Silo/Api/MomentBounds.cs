using System.Globalization;
using Readiness.Domain;

namespace Readiness.Silo.Api;

/// <summary>
/// <c>?asOf=</c> and <c>?knownAt=</c> name a moment of the past on every route that takes them. A
/// moment after now would be read as now and quietly answer a question that was not asked, and one at
/// the end of the calendar overflows the date arithmetic of the rating windows; both get a 400 that says
/// what to send instead, before any route sees them.
/// </summary>
internal static class MomentBounds
{
    private static readonly string[] Parameters = ["asOf", "knownAt"];

    /// <summary>Clocks differ between a caller and the silo by a little; a moment this far ahead is still now.</summary>
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    public static IApplicationBuilder UseMomentBounds(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        foreach (var name in Parameters)
        {
            if (context.Request.Query.TryGetValue(name, out var values) && values.Count == 1
                && DateTimeOffset.TryParse(values[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
            {
                var now = context.RequestServices.GetRequiredService<ReadinessClock>().UtcNow;
                if (moment > now + Skew)
                {
                    await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The moment is in the future.",
                        detail: $"{name} ({values[0]}) is after now ({now:yyyy-MM-ddTHH:mm:ssZ}); leave {name} out to see the present.")
                        .ExecuteAsync(context);
                    return;
                }
            }
        }
        await next(context);
    });
}
