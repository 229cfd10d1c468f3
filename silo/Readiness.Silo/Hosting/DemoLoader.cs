using Microsoft.Extensions.Options;
using Readiness.Abstractions;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Loads the demo provinces once the silo is up, without holding up the rest of start-up: Bắc Kạn's
/// 2024, the 2025 reform after it (<see cref="DemoOptions.Reform"/>), and the demo's sample province
/// when asked (<see cref="DemoOptions.SampleProvince"/>).
/// </summary>
public sealed partial class DemoLoader(
    IGrainFactory grains,
    IOptions<ReadinessOptions> options,
    IHostEnvironment environment,
    StartupState startup,
    IHostApplicationLifetime lifetime,
    ILogger<DemoLoader> logger) : BackgroundService
{
    private const int Attempts = 5;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Demo.EnabledIn(environment))
        {
            startup.DemoLoaded = true;
            return;
        }
        // Grain calls need the silo to be serving, which it is once the host has started.
        await WhenStarted(stoppingToken);
        for (var attempt = 1; attempt <= Attempts && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                foreach (var provinceId in options.Value.Demo.Provinces())
                {
                    var started = DateTimeOffset.UtcNow;
                    var report = await grains.GetGrain<IDemoProvinceGrain>(provinceId).EnsureLoaded();
                    if (report.LoadedNow)
                    {
                        LogLoaded(report.ProvinceId, report.Commands, report.CommandsApplied, (DateTimeOffset.UtcNow - started).TotalSeconds);
                    }
                    else
                    {
                        LogAlreadyLoaded(report.ProvinceId, report.LoadedAt);
                    }
                }
                startup.DemoLoaded = true;
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                startup.DemoFailure = ex.Message;
                LogFailed(ex, attempt, Attempts);
                await Task.Delay(TimeSpan.FromSeconds(2 * attempt), stoppingToken);
            }
        }
    }

    private Task WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        return started.Task;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo province {ProvinceId} loaded: {Commands} commands, {Applied} applied, in {Seconds:F1} s")]
    private partial void LogLoaded(string provinceId, int commands, int applied, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo province {ProvinceId} was loaded at {LoadedAt}; not loading again")]
    private partial void LogAlreadyLoaded(string provinceId, DateTimeOffset loadedAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Loading the demo province failed (attempt {Attempt} of {Attempts})")]
    private partial void LogFailed(Exception exception, int attempt, int attempts);
}
