namespace Readiness.Contracts.Http;

/// <summary>Where a projection rebuild stands.</summary>
public enum RebuildState
{
    /// <summary>Reading events or writing the rebuilt views.</summary>
    Running,

    /// <summary>Every view named was rebuilt and swapped in.</summary>
    Succeeded,

    /// <summary>The rebuild stopped; <see cref="RebuildStatus.Error"/> says why. Views it had not yet written keep their previous documents.</summary>
    Failed,
}

/// <summary>A projection rebuild started through <c>POST /api/admin/projections/{name}/rebuild</c>, as <c>GET /api/admin/rebuilds/{id}</c> reports it.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="Projections">The projections being rebuilt, such as <c>province-roster</c>.</param>
/// <param name="State">Running, succeeded or failed.</param>
/// <param name="Phase">What it is doing: <c>reading events</c>, <c>writing views</c>, or <c>done</c>.</param>
/// <param name="EventsProcessed">Events read from the store and folded so far.</param>
/// <param name="TotalEvents">The store's high-water mark when the rebuild began: the events it replays. Events appended later are applied as it writes the views.</param>
/// <param name="EventsPerSecond">Events processed per second of elapsed time, writing included.</param>
/// <param name="DocumentsWritten">Rebuilt documents written so far.</param>
/// <param name="StartedAt">When the job started.</param>
/// <param name="FinishedAt">When it succeeded or failed; null while it runs.</param>
/// <param name="ElapsedSeconds">Seconds from start to finish, or to now while it runs.</param>
/// <param name="Error">Why it failed; null otherwise.</param>
public sealed record RebuildStatus(
    string Id,
    IReadOnlyList<string> Projections,
    RebuildState State,
    string Phase,
    long EventsProcessed,
    long TotalEvents,
    double EventsPerSecond,
    long DocumentsWritten,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    double ElapsedSeconds,
    string? Error)
{
    /// <summary>Share of <see cref="TotalEvents"/> processed, from 0 to 1; 1 once succeeded.</summary>
    public double Fraction => State == RebuildState.Succeeded ? 1 : TotalEvents <= 0 ? 0 : Math.Min(1, (double)EventsProcessed / TotalEvents);
}
