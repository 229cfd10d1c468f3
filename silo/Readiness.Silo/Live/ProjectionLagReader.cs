using Readiness.Store;

namespace Readiness.Silo.Live;

/// <summary>
/// Measures the asynchronous projections' lag from the daemon's progress in each database. A
/// database beside the main one that does not answer is left out rather than failing the others:
/// its provinces answer 503 meanwhile, and the main database's lag still decides readiness.
/// </summary>
public sealed class ProjectionLagReader(ProvinceDatabases databases, TimeProvider clock)
{
    public static readonly IReadOnlyList<string> AsyncProjections = ["province-roster"];

    public async Task<IReadOnlyList<ProjectionLag>> ReadAsync(CancellationToken cancellationToken)
    {
        var lags = new List<ProjectionLag>();
        foreach (var database in databases.All)
        {
            IReadOnlyList<ProjectionProgress> progress;
            try
            {
                progress = await database.Events.ProgressAsync(AsyncProjections, cancellationToken);
            }
            catch (Exception ex) when (!database.IsMain && Hosting.UnavailableExceptionHandler.FaultOf(ex) is Hosting.UnavailableExceptionHandler.Fault.Database)
            {
                continue;
            }
            var now = clock.GetUtcNow();
            lags.AddRange(progress.Select(p => new ProjectionLag(p.Projection, p.Position, p.NewestSequence, Math.Max(0, p.NewestSequence - p.Position),
                p.OldestWaiting is { } waiting ? Math.Max(0, (now - waiting).TotalSeconds) : 0, now, database.Name)));
        }
        return lags;
    }
}
