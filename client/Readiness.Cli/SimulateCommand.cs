using System.Globalization;

namespace Readiness.Cli;

/// <summary><c>readiness simulate</c>: a steady stream of realistic reports, so the dashboard has something to show.</summary>
internal static class SimulateCommand
{
    public const string Usage = """
        readiness simulate [--url http://127.0.0.1:5080] [--province bac-kan] [--rate 2] [--minutes 10]
          Sends a realistic stream of reports (outreach, training, members, duty staffing and
          handovers, incidents) to a running silo, so the dashboard has something to show.
          Stops after --minutes, or on Ctrl+C.
        """;

    private sealed record Options(Uri Url, string Province, double Rate, double Minutes, string? Token = null);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var options = Parse(args, error);
        if (options is null)
        {
            // The whole usage, as simulate has always printed: it was the only command once.
            await error.WriteLineAsync(CommandLine.Usage);
            return 2;
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(options.Minutes));
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromSeconds(10),
            retry => error.WriteLine($"{retry.Method} {retry.Path}: attempt {retry.FailedAttempt} failed ({retry.Reason}); again in {retry.Delay.TotalSeconds:0.0} s"));
        var simulation = new Simulation(client, options.Province, output);
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            await simulation.RunAsync(options.Rate, stop.Token);
            await output.WriteLineAsync($"Sent {simulation.Sent} reports, {simulation.Refused} refused.");
            return 0;
        });
    }

    private static Options? Parse(string[] args, TextWriter error)
    {
        var result = new Options(AuditOptions.DefaultUrl, "bac-kan", 2, 10);
        var reader = new OptionReader(error);
        if (!reader.ReadPairs(args, Own))
        {
            return null;
        }
        return result with { Url = reader.Url, Token = reader.Token };

        bool Own(string name, string value)
        {
            Options? next = name switch
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
