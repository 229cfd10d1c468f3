using System.Diagnostics;
using System.Runtime.CompilerServices;
using Marten;
using Marten.Services;

namespace Readiness.Store.Projections;

/// <summary>
/// A span for each batch the async daemon commits: from just before its documents are written to
/// just after the commit, tagged with how many documents it wrote.
/// </summary>
public sealed class ProjectionBatchTracer : IChangeListener
{
    private readonly ConditionalWeakTable<IDocumentSession, StrongBox<DateTimeOffset>> started = [];

    public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        started.AddOrUpdate(session, new StrongBox<DateTimeOffset>(DateTimeOffset.UtcNow));
        return Task.CompletedTask;
    }

    public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        var start = started.TryGetValue(session, out var box) ? box.Value : DateTimeOffset.UtcNow;
        started.Remove(session);
        using var span = ReadinessTelemetry.Source.StartActivity("projection batch", ActivityKind.Internal, parentContext: default, startTime: start);
        span?.SetTag("readiness.documents_written", commit.Updated.Count() + commit.Inserted.Count());
        span?.SetTag("readiness.documents_deleted", commit.Deleted.Count());
        return Task.CompletedTask;
    }
}
