using System.CommandLine;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Contracts.Http;

namespace Readiness.Cli;

/// <summary><c>readiness reorganise</c>: an administrator's order that moves, renames, merges or dissolves units, typed rather than written as JSON.</summary>
internal static class ReorganiseCommand
{
    public const string Usage = """
        readiness reorganise resubordinate UNIT --parent P --order O --from T [--json] [--url …] [--token T]
        readiness reorganise rename UNIT --name N [--echelon E] --order O --from T
        readiness reorganise merge UNIT… --into S --order O --from T
        readiness reorganise dissolve UNIT [--successor S] --order O --from T
          Records one order of the chain of command (the admin role, over every unit it names): a unit
          under a new parent, a new name (and with --echelon a re-designation), several units merged
          into a successor, or a unit dissolved. --order cites the decision (such as 2786/QĐ-BQP),
          --from is the date it takes effect (such as 2025-07-01T00:00:00+07:00; UTC without an
          offset). Many steps under one order: readiness send reorganise JSON. readiness tree shows the
          result. Exits 1 when refused, with the problem's detail.
        """;

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("reorganise", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error) =>
        new UsageCommand("reorganise",
            "Records an order of the chain of command: a unit re-subordinated, renamed, merged or dissolved, from a date, citing the order. Needs the admin role.", Usage)
        {
            Resubordinate(output, error), Rename(output, error), Merge(output, error), Dissolve(output, error),
        };

    private static Argument<string> Unit() => new("unit") { Description = "The unit's id, such as bac-kan/ba-be/cho-ra." };

    private static UsageCommand Resubordinate(TextWriter output, TextWriter error)
    {
        var unit = Unit();
        var parent = Options.Text("--parent", "unit", "The unit it stands under from --from.");
        return Send(new UsageCommand("resubordinate", "Places a unit under a new parent from a date.", Usage) { unit, parent }, output, error,
            (parsed, order, from) => new ResubordinateUnit(ReadinessClient.NewCommandId(), parsed.GetValue(unit)!, parsed.GetValue(parent)!, order, from));
    }

    private static UsageCommand Rename(TextWriter output, TextWriter error)
    {
        var unit = Unit();
        var name = Options.Text("--name", "name", "Its name from --from, such as \"Ban CHQS xã Chợ Rã\".");
        var echelon = new Option<Echelon?>("--echelon") { Description = $"Its echelon from --from: one of {string.Join(", ", Enum.GetNames<Echelon>())}.", HelpName = "echelon" };
        return Send(new UsageCommand("rename", "Gives a unit a new name, and with --echelon a new echelon, from a date.", Usage) { unit, name, echelon }, output, error,
            (parsed, order, from) => new RenameUnit(ReadinessClient.NewCommandId(), parsed.GetValue(unit)!, parsed.GetValue(name)!, order, from, parsed.GetValue(echelon)));
    }

    private static UsageCommand Merge(TextWriter output, TextWriter error)
    {
        var units = new Argument<List<string>>("units") { Description = "The units merged, each by its id.", Arity = ArgumentArity.OneOrMore };
        var into = Options.Text("--into", "unit", "The successor they are merged into (registered first when new).");
        return Send(new UsageCommand("merge", "Merges several units into a successor from a date.", Usage) { units, into }, output, error,
            (parsed, order, from) => new MergeUnits(ReadinessClient.NewCommandId(), parsed.GetValue(units)!, parsed.GetValue(into)!, order, from));
    }

    private static UsageCommand Dissolve(TextWriter output, TextWriter error)
    {
        var unit = Unit();
        var successor = new Option<string?>("--successor") { Description = "The unit that carries on its history.", HelpName = "unit" };
        return Send(new UsageCommand("dissolve", "Ends a unit from a date, with or without a successor that carries on its history.", Usage) { unit, successor }, output, error,
            (parsed, order, from) => new DissolveUnit(ReadinessClient.NewCommandId(), parsed.GetValue(unit)!, order, from, parsed.GetValue(successor)));
    }

    /// <summary>The options every order takes, and its sending: the order it cites and the date it takes effect.</summary>
    private static UsageCommand Send(UsageCommand command, TextWriter output, TextWriter error, Func<ParseResult, string, DateTimeOffset, IReorganisationCommand> build)
    {
        var order = Options.Text("--order", "order", "The decision that orders it, such as 2786/QĐ-BQP.");
        var from = Options.Moment("--from", "When it takes effect");
        var json = Options.Json("Print the silo's answer as JSON.");
        var url = Options.Url();
        var token = Options.Token();
        foreach (var option in new Option[] { order, from, json, url, token })
        {
            command.Options.Add(option);
        }
        command.Validators.Add(result =>
        {
            if (!result.Given(order) || !result.Given(from))
            {
                result.AddError("An order needs --order (the decision, such as 2786/QĐ-BQP) and --from (the date it takes effect).");
            }
        });
        return command.Runs(parsed =>
        {
            var reorganisation = build(parsed, parsed.GetValue(order)!, parsed.GetValue(from)!.Value);
            return SendCommand.SendAsync(CommandPaths.NameOf(reorganisation.GetType()), reorganisation, outbox: null, parsed.GetValue(json), parsed.GetValue(url)!,
                parsed.GetValue(token), output, error);
        });
    }
}
