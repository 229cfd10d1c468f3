using System.Globalization;

namespace Readiness.Tests.Infrastructure;

/// <summary>What one command of the command line did when run in this process: its exit code and what it printed.</summary>
public sealed record CliRun(int Code, string Output, string Error)
{
    /// <summary>Runs a command's entry point with writers of its own, so that tests running side by side never share the console.</summary>
    public static async Task<CliRun> RunAsync(Func<string[], TextWriter, TextWriter, Task<int>> command, params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await command(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
