using System.Globalization;

namespace Readiness.Cli;

internal static class CommandLine
{
    private const string Usage = """
        readiness simulate [--url http://127.0.0.1:5080] [--province bac-kan] [--rate 2] [--minutes 10]
          Sends a realistic stream of reports (outreach, training, members, duty staffing and
          handovers, incidents) to a running silo, so the dashboard has something to show.
          Stops after --minutes, or on Ctrl+C.

        """ + RebuildCommand.Usage + "\n" + ReportCommand.Usage + "\n" + HistoryCommand.Usage + "\n" + VerifyCommand.Usage + "\n" + ViewCommand.Usage + "\n" + ExportCommand.Usage + "\n" + ImportCommand.Usage;

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
        var options = Options(args[1..]);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(options.Minutes));
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromSeconds(10),
            retry => Console.Error.WriteLine($"{retry.Method} {retry.Path}: attempt {retry.FailedAttempt} failed ({retry.Reason}); again in {retry.Delay.TotalSeconds:0.0} s"));
        var simulation = new Simulation(client, options.Province);
        return await Connection.CallAsync(Console.Error, options.Url, async () =>
        {
            await simulation.RunAsync(options.Rate, stop.Token);
            Console.WriteLine($"Sent {simulation.Sent} reports, {simulation.Refused} refused.");
            return 0;
        });
    }

    private sealed record SimulateOptions(Uri Url, string Province, double Rate, double Minutes, string? Token = null);

    private static SimulateOptions? Options(string[] args)
    {
        var result = new SimulateOptions(AuditOptions.DefaultUrl, "bac-kan", 2, 10);
        var reader = new OptionReader(Console.Error);
        if (!reader.ReadPairs(args, Own))
        {
            return null;
        }
        return result with { Url = reader.Url, Token = reader.Token };

        bool Own(string name, string value)
        {
            SimulateOptions? next = name switch
            {
                "--province" => result with { Province = value },
                // simulate always took an empty token, which means none, as leaving it out does.
                "--token" when value.Length == 0 => result,
                "--rate" when double.TryParse(value, CultureInfo.InvariantCulture, out var rate) && rate is > 0 and <= 200 => result with { Rate = rate },
                "--minutes" when double.TryParse(value, CultureInfo.InvariantCulture, out var minutes) && minutes > 0 => result with { Minutes = minutes },
                _ => null,
            };
            result = next ?? result;
            return next is not null;
        }
    }
}
