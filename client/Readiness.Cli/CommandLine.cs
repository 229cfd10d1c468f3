using System.CommandLine;
using System.CommandLine.Invocation;

namespace Readiness.Cli;

internal static class CommandLine
{
    internal const string Usage = SimulateCommand.Usage + "\n" + RebuildCommand.Usage + "\n" + ReportCommand.Usage
        + "\n" + HistoryCommand.Usage + "\n" + VerifyCommand.Usage + "\n" + ViewCommand.Usage + "\n" + TreeCommand.Usage + "\n" + ExportCommand.Usage + "\n" + ImportCommand.Usage
        + "\n" + SendCommand.Usage + "\n" + ReorganiseCommand.Usage + "\n" + OutboxCommand.OutboxUsage + "\n" + OutboxCommand.SyncUsage;

    /// <summary>The exit code of a command line that could not be understood, the same for every command.</summary>
    public const int Misused = 2;

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    /// <summary>
    /// Parses and runs a whole command line with writers of the caller's, so that tests run side by side never
    /// share the console and see exactly what an operator would.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = Root(output, error);
        switch (args)
        {
            case []:
                // A bare `readiness` is a mistake, but one best answered with the list of commands.
                await Invoke(root.Parse(["--help"]), output, error);
                return Misused;
            case ["help", .. var rest]:
                // `help` predates --help and stays; `help export` reads as `export --help`.
                args = [.. rest, "--help"];
                break;
        }
        return await Invoke(root.Parse(args), output, error);
    }

    /// <summary>Runs one command as <c>readiness name args</c>: each command's tests go through the same parser as the operator.</summary>
    public static Task<int> RunAsync(string name, string[] args, TextWriter output, TextWriter error) =>
        RunAsync([name, .. args], output, error);

    private static RootCommand Root(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("The readiness command line: reports for the demo, views, the chain of command, history and verification of the record, export, "
            + "import, a report sent or kept in the outbox while the silo is unreachable, rebuilds, tokens and the silo's status, all through the silo's HTTP API.\n\n" + Connection.Usage.TrimEnd())
        {
            SimulateCommand.Create(output, error),
            RebuildCommand.Create(output, error),
            ReportCommand.Create(output, error),
            HistoryCommand.Create(output, error),
            VerifyCommand.Create(output, error),
            ViewCommand.Create(output, error),
            TreeCommand.Create(output, error),
            ExportCommand.Create(output, error),
            ImportCommand.Create(output, error),
            SendCommand.Create(output, error),
            ReorganiseCommand.Create(output, error),
            OutboxCommand.CreateOutbox(output, error),
            OutboxCommand.CreateSync(output, error),
            TokenCommand.Create(output, error),
            StatusCommand.Create(output, error),
        };
        // Not the name of the running executable, which in the tests is theirs.
        root.HelpName = "readiness";
        return root;
    }

    private static async Task<int> Invoke(ParseResult parsed, TextWriter output, TextWriter error)
    {
        if (parsed.Action is ParseErrorAction)
        {
            // Every refusal reads alike: what was wrong, then how the command is used, and exit 2, as scripts have always seen.
            var problems = parsed.CommandResult.Command is RootCommand
                ? [$"Unknown command '{parsed.Tokens[0].Value}'."]
                : parsed.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal);
            foreach (var problem in problems)
            {
                await error.WriteLineAsync(problem);
            }
            await error.WriteLineAsync(parsed.CommandResult.Command is UsageCommand command ? command.Usage : Usage);
            return Misused;
        }
        return await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // Each command that can be stopped handles Ctrl+C itself: export removes its partial file, rebuild says the job goes on.
            ProcessTerminationTimeout = null,
            // An unexpected failure keeps its stack trace, as it had before the parser did the invoking.
            EnableDefaultExceptionHandler = false,
        });
    }
}
