using Marten;

namespace Readiness.Store;

/// <summary>
/// Marten sessions on one database. Marten names a database beside the main one as a tenant, so a
/// session opened without the tenant would read and write the main database instead.
/// </summary>
/// <param name="store">The store.</param>
/// <param name="tenant">The Marten tenant that names the database, or null for the main (default) one.</param>
public sealed class StoreSessions(IDocumentStore store, string? tenant)
{
    /// <summary>The store the grains load their streams and keep their snapshots in.</summary>
    public IDocumentStore Store { get; } = store;

    /// <summary>A read session on this database.</summary>
    public IQuerySession QuerySession() => tenant is null ? Store.QuerySession() : Store.QuerySession(tenant);

    /// <summary>A write session on this database.</summary>
    public IDocumentSession LightweightSession() => tenant is null ? Store.LightweightSession() : Store.LightweightSession(tenant);
}
