using System.CommandLine;
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

    private sealed record Settings(Uri Url, string Province, double Rate, double Minutes, string? Token);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("simulate", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token(emptyMeansNone: true);
        // simulate has always taken any province id, even an empty one; the silo says whether it knows it.
        var province = new Option<string>("--province") { Description = "The province whose units and posts report.", HelpName = "id", DefaultValueFactory = _ => "bac-kan" };
        var rate = Options.Number<double>("--rate", "Reports a second, at most 200.", r => r is > 0 and <= 200, "a rate above 0 and at most 200",
            NumberStyles.Float | NumberStyles.AllowThousands, 2);
        var minutes = Options.Number<double>("--minutes", "How long to go on.", m => m > 0, "a number of minutes above 0",
            NumberStyles.Float | NumberStyles.AllowThousands, 10);
        // The whole usage after a refusal, as simulate has always printed: it was the only command once.
        var command = new UsageCommand("simulate",
            "Sends a realistic stream of reports (outreach, training, members, duty staffing and handovers, incidents) to a running silo, "
            + "so the dashboard has something to show. Stops after --minutes, or on Ctrl+C.", CommandLine.Usage)
        {
            province, rate, minutes, url, token,
        };
        return command.Runs(parsed => RunAsync(
            new Settings(parsed.GetValue(url)!, parsed.GetValue(province)!, parsed.GetValue(rate)!.Value, parsed.GetValue(minutes)!.Value, parsed.GetValue(token)), output, error));
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
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
}
