using Orleans.Dashboard;
using Readiness.Silo.Security;

namespace Readiness.Silo.Admin;

/// <summary>
/// Orleans' own dashboard: it shows every grain's calls and state across the cluster, whatever
/// province they belong to, so only an administrator over every province may open it.
/// </summary>
internal static class OrleansDashboard
{
    public const string Prefix = "/admin/orleans";

    public static IEndpointConventionBuilder MapAdminOrleansDashboard(this IEndpointRouteBuilder routes) => routes
        .MapOrleansDashboard(Prefix)
        .RequireAuthorization(Policies.Administer)
        .Reads(ResourceScope.Everything)
        // Its routes are Orleans', not Readiness' API: integrators have no use for them in the document.
        .ExcludeFromDescription();
}
