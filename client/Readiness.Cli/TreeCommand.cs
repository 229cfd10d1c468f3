using System.CommandLine;
using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Cli;

/// <summary><c>readiness tree</c>: a province's chain of command now or at a moment, as reorganisations left it.</summary>
internal static class TreeCommand
{
    public const string Usage = """
        readiness tree PROVINCE [--as-of T] [--json] [--url http://127.0.0.1:5080] [--token T]
          Prints the province's chain of command, one unit a line, indented under its parent: its name,
          id, echelon, since when it stood so and by which order, its former names and the units merged
          into it. --as-of T shows the tree as it stood at T (such as 2025-06-30 or
          2025-07-01T00:00:00+07:00; UTC without an offset). --json prints the whole view.
          Reorganise it with readiness reorganise (resubordinate, rename, merge, dissolve), or many steps
          under one order with readiness send reorganise.
        """;

    private sealed record Settings(Uri Url, string Province, DateTimeOffset? AsOf, bool Json, string? Token);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("tree", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var province = new Argument<string>("province") { Description = "The province's id, such as bac-kan." };
        var asOf = Options.Moment("--as-of", "The tree as it stood at this moment");
        var json = Options.Json("Print the whole view as JSON.");
        var url = Options.Url();
        var token = Options.Token();
        var command = new UsageCommand("tree",
            "Prints a province's chain of command, now or as it stood at a moment: each unit under its parent with its name, echelon, "
            + "since when and by which order, former names and the units merged into it.", Usage)
        {
            province, asOf, json, url, token,
        };
        return command.Runs(parsed => RunAsync(new Settings(parsed.GetValue(url)!, parsed.GetValue(province)!, parsed.GetValue(asOf),
            parsed.GetValue(json), parsed.GetValue(token)), output, error));
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        using var client = Connection.Client(options.Url, options.Token, AuditOptions.QueryTimeout);
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            var view = await client.GetChainOfCommandAsync(options.Province, options.AsOf);
            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(view, AuditOptions.Indented));
                return 0;
            }
            await output.WriteLineAsync($"Chain of command of {view.ProvinceId} {(options.AsOf is null ? "now" : $"as of {AuditOptions.Format(view.AsOf)}")}:");
            foreach (var unit in view.Units)
            {
                await output.WriteLineAsync(new string(' ', 2 * unit.Depth) + Line(unit));
            }
            if (view.Predecessors.Count > 0)
            {
                await output.WriteLineAsync("Carries on the history of:");
                foreach (var unit in view.Predecessors)
                {
                    await output.WriteLineAsync($"  {unit.Name} ({unit.UnitId}) {unit.Echelon}, dissolved {AuditOptions.Format(unit.DissolvedAt)}");
                }
            }
            return 0;
        });
    }

    private static string Line(TreeUnit unit) =>
        $"{unit.Name} ({unit.UnitId}) {unit.Echelon}, since {AuditOptions.Format(unit.HeldFrom)}"
        + (unit.HeldUntil is { } until ? $" until {AuditOptions.Format(until)}" : "")
        + (unit.Order is { } order ? $" by order {order}" : "")
        + (unit.FormerNames.Count > 0 ? $" (formerly {string.Join(", ", unit.FormerNames)})" : "")
        + (unit.MergedFrom.Count > 0 ? $" merged from {string.Join(", ", unit.MergedFrom)}" : "");
}
