using System.Diagnostics;

namespace Readiness.Tests.Infrastructure;

/// <summary>A program the tests run as a user would (a script, git, the dotnet tool), bounded in time.</summary>
public static class ProcessRun
{
    /// <summary>
    /// Runs <paramref name="program"/> to its end. In <paramref name="environment"/>, a null value
    /// removes the variable, so a test can run a script as someone who never set it would.
    /// </summary>
    public static async Task<ScriptRun> RunAsync(string program, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} ran past {timeout.TotalSeconds} s.");
        }
        return new ScriptRun(process.ExitCode, await stdout, await stderr);
    }
}
