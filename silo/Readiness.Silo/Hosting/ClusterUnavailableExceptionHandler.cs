using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime.Messaging;

namespace Readiness.Silo.Hosting;

/// <summary>
/// While a silo has died and the cluster has not yet declared it dead, calls to grains it hosted
/// fail with Orleans' transport exceptions. They say nothing about the request, and the command may
/// or may not have been applied, so the caller is told to resend the same command id (which is
/// idempotent) with a 503 and Retry-After, instead of a 500 that reads as a bug.
/// </summary>
public sealed class ClusterUnavailableExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsClusterFault(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = 1.ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Part of the cluster is unavailable.",
                Detail = "A silo holding this actor did not answer (it may have just stopped). The outcome is unknown: " +
                         "resend the same request with the same commandId in a moment; it is applied at most once.",
            },
        });
    }

    internal static bool IsClusterFault(Exception exception) => exception switch
    {
        SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or TimeoutException => true,
        AggregateException { InnerExceptions.Count: 1 } aggregate => IsClusterFault(aggregate.InnerExceptions[0]),
        _ => false,
    };
}
