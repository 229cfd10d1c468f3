using Spectre.Console;

namespace Readiness.Cli;

/// <summary>
/// Progress drawn by Spectre.Console, only where someone watches it: standard output is the console, a terminal, and
/// the output is not JSON. Everywhere else (scripts, files, tests) the commands write plain lines to standard error
/// or nothing, so that standard output holds only the result.
/// </summary>
internal static class Live
{
    public static bool Watched(TextWriter output, bool json = false) => !json && output == Console.Out && !Console.IsOutputRedirected;

    /// <summary>Bars that stay on screen at their final state, so the summary printed after them reads as their conclusion.</summary>
    /// <param name="body">Adds the tasks and moves them on.</param>
    /// <param name="bounded">Whether the work has a known end; without one a bar and a percentage would claim what no one knows.</param>
    public static Task<T> ProgressAsync<T>(Func<ProgressContext, Task<T>> body, bool bounded = true) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(bounded
                ? [new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn()]
                : [new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn(), new SpinnerColumn()])
            .StartAsync(body);

    /// <summary>A spinner with the time spent, for a wait that reports nothing until it ends: no bar pretends to know how far it is.</summary>
    public static Task<T> WaitAsync<T>(string what, Func<Task<T>> body) =>
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(what));
                task.IsIndeterminate = true;
                return await body();
            });

    /// <summary>Calls back on the reporting thread, so the value shown never goes backwards (Progress&lt;T&gt; posts to the thread pool).</summary>
    public sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
