using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using Orleans.Runtime.Messaging;
using Readiness.Store;

namespace Readiness.Silo.Hosting;

/// <summary>
/// A silo that has just died, or a database that is restarting or out of reach, says nothing about
/// the request, and a command caught by it may or may not have been applied. The caller is told so,
/// with a 503 and Retry-After, and to resend the same command id (which is idempotent), instead of
/// a 500 that reads as a bug.
/// </summary>
public sealed class UnavailableExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var fault = FaultOf(exception);
        if (fault is Fault.None || httpContext.Response.HasStarted)
        {
            return false;
        }
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = (fault is Fault.Database ? 2 : 1).ToString(CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = fault is Fault.Database ? "The event store is unavailable." : "Part of the cluster is unavailable.",
                Detail = (fault is Fault.Database
                        ? "PostgreSQL did not answer (it may be restarting). "
                        : "A silo holding this actor did not answer (it may have just stopped). ") +
                    "The outcome is unknown: resend the same request with the same commandId in a moment; it is applied at most once.",
            },
        });
    }

    internal enum Fault { None, Cluster, Database }

    internal static Fault FaultOf(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException or TimeoutException:
                    return Fault.Cluster;
                case PostgresException postgres when GroupCommit.IsConnectionLost(postgres) || postgres.SqlState == PostgresErrorCodes.TooManyConnections:
                    return Fault.Database;
                case NpgsqlException { IsTransient: true } or SocketException:
                    return Fault.Database;
                case AggregateException { InnerExceptions.Count: 1 } aggregate:
                    return FaultOf(aggregate.InnerExceptions[0]);
            }
        }
        return Fault.None;
    }
}
