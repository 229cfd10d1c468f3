using Readiness.Contracts.Http;

namespace Readiness.Client;

public sealed partial class ReadinessClient
{
    /// <summary>The name that stands for every projection in <see cref="StartRebuildAsync"/>.</summary>
    public const string AllProjections = "all";

    /// <summary>The projections the silo can rebuild, such as <c>province-roster</c>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The names, in order.</returns>
    public Task<IReadOnlyList<string>> GetRebuildableProjectionsAsync(CancellationToken cancellationToken = default) =>
        Get<IReadOnlyList<string>>("api/admin/projections", cancellationToken);

    /// <summary>
    /// Starts rebuilding one projection, or all of them, from the events. The silo keeps serving
    /// the previous views while it runs and swaps the rebuilt ones in at the end. Follow the job with
    /// <see cref="GetRebuildAsync"/> or <see cref="WaitForRebuildAsync"/>.
    /// </summary>
    /// <param name="projection">A projection's name, or <see cref="AllProjections"/> (or null) for every projection.</param>
    /// <param name="cancellationToken">Cancels the call; the rebuild, once started, runs on.</param>
    /// <returns>The job as it started.</returns>
    /// <exception cref="ReadinessApiException">404 for an unknown projection (the problem lists the names); 409 when a rebuild is already running.</exception>
    public async Task<RebuildStatus> StartRebuildAsync(string? projection = null, CancellationToken cancellationToken = default)
    {
        var path = projection is null || projection == AllProjections
            ? "api/admin/projections/rebuild"
            : $"api/admin/projections/{Uri.EscapeDataString(projection)}/rebuild";
        // Not resent on an unknown outcome, unlike a command: a second POST would find the first running and get 409.
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), content: null, cancellationToken);
        return await Read<RebuildStatus>(response, cancellationToken);
    }

    /// <summary>A rebuild's state and progress: events processed against the store's high-water mark, events per second, error.</summary>
    /// <param name="jobId">The id <see cref="StartRebuildAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job's status.</returns>
    /// <exception cref="ReadinessApiException">404 when the silo knows no such job.</exception>
    public Task<RebuildStatus> GetRebuildAsync(string jobId, CancellationToken cancellationToken = default) =>
        Get<RebuildStatus>($"api/admin/rebuilds/{Uri.EscapeDataString(jobId)}", cancellationToken);

    /// <summary>Polls a rebuild until it succeeds or fails, reporting each status seen.</summary>
    /// <param name="jobId">The id <see cref="StartRebuildAsync"/> returned.</param>
    /// <param name="progress">Told each status polled, the last one included; may be null.</param>
    /// <param name="pollInterval">Time between polls; 200 ms when null.</param>
    /// <param name="cancellationToken">Stops waiting; the rebuild runs on.</param>
    /// <returns>The final status: <see cref="RebuildState.Succeeded"/> or <see cref="RebuildState.Failed"/> with its error.</returns>
    public async Task<RebuildStatus> WaitForRebuildAsync(string jobId, IProgress<RebuildStatus>? progress = null, TimeSpan? pollInterval = null,
        CancellationToken cancellationToken = default)
    {
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(200);
        while (true)
        {
            var status = await GetRebuildAsync(jobId, cancellationToken);
            progress?.Report(status);
            if (status.State != RebuildState.Running)
            {
                return status;
            }
            await Task.Delay(interval, cancellationToken);
        }
    }
}
