using Marten;
using Readiness.Contracts;
using Readiness.Store.Outbox;
using Readiness.Silo.Security;

namespace Readiness.Silo.Upward;

internal static class UpwardRoutes
{
    public static void MapUpwardRoutes(this IEndpointRouteBuilder routes) =>
        routes.MapGet("/api/provinces/{provinceId}/upward-reports", async (string provinceId, IQuerySession session, CancellationToken cancellationToken) =>
                Results.Ok((await session.Query<OutboxMessage>().Where(m => m.ProvinceId == provinceId).OrderByDescending(m => m.CreatedAt).Take(200).ToListAsync(cancellationToken))
                    .Select(m => new OutboxEntry(m.Id, m.ReportId, m.ProvinceId, m.Endpoint, m.Reason, m.CreatedAt, m.Attempts,
                        m.Delivered || m.RefusedAt is not null ? null : new DateTimeOffset(m.NextAttemptTicks, TimeSpan.Zero), m.DeliveredAt, m.LastError))
                    .ToList()))
            .RequireAuthorization(Policies.Audit)
            .Reads(ResourceScope.Province)
            .WithTags("Audit")
            .WithName("GetUpwardReports")
            .WithSummary("The province's reports to the echelon above, newest first: queued, retrying (with the last error), refused by the endpoint (with its reason, not retried) or delivered.")
            .Produces<IReadOnlyList<OutboxEntry>>();
}
