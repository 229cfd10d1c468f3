namespace Readiness.Cli;

internal static class CommandLine
{
    internal const string Usage = SimulateCommand.Usage + "\n" + RebuildCommand.Usage + "\n" + ReportCommand.Usage + "\n" + HistoryCommand.Usage + "\n" + VerifyCommand.Usage + "\n" + ViewCommand.Usage + "\n" + ExportCommand.Usage + "\n" + ImportCommand.Usage;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            Console.WriteLine(Usage + "\n" + TokenCommand.Usage + "\n" + StatusCommand.Usage + "\n" + Connection.Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] is "token" or "status")
        {
            return await (args[0] == "token" ? TokenCommand.RunAsync(args[1..]) : StatusCommand.RunAsync(args[1..]));
        }
        if (args[0] == "rebuild")
        {
            return await RebuildCommand.RunAsync(args[1..]);
        }
        if (args[0] == "report")
        {
            return await ReportCommand.RunAsync(args[1..]);
        }
        if (args[0] is "history" or "verify" or "view")
        {
            return await (args[0] switch
            {
                "history" => HistoryCommand.RunAsync(args[1..]),
                "verify" => VerifyCommand.RunAsync(args[1..]),
                _ => ViewCommand.RunAsync(args[1..]),
            });
        }
        if (args[0] is "export" or "import")
        {
            return await (args[0] == "export" ? ExportCommand.RunAsync(args[1..]) : ImportCommand.RunAsync(args[1..]));
        }
        if (args[0] != "simulate")
        {
            Console.Error.WriteLine($"Unknown command '{args[0]}'.\n{Usage}");
            return 2;
        }
        return await SimulateCommand.RunAsync(args[1..]);
    }
}
