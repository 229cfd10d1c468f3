using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// Every command of the contracts, found by reflection, is wired in each place "Adding a command" in
/// docs/events.md lists: a route takes it (unless a grain sends it), the text rule lists its text
/// fields, its actor's rules decide it, and docs/events.md has a row for what it records, each such
/// event in the catalogue under a stored name. A command left out of one fails here, naming the
/// command and every place it is missing from.
/// </summary>
public partial class CommandWiringTests(SiloFixture silo)
{
    private static readonly IReadOnlyList<Type> ContractCommands = [.. typeof(ICommand).Assembly.GetExportedTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICommand).IsAssignableFrom(t))];

    public static TheoryData<string> CommandNames => [.. ContractCommands.Select(t => t.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_command_type_is_found() => Assert.True(ContractCommands.Count >= 35, string.Join(", ", ContractCommands.Select(t => t.Name)));

    [Theory]
    [MemberData(nameof(CommandNames))]
    public async Task A_command_is_routed_checked_decided_catalogued_and_documented(string name)
    {
        var type = ContractCommands.Single(t => t.Name == name);
        var tree = await ActorsReady();
        var command = (ICommand)CommandBodies.For(type, tree, SiloFixture.NewId()).Deserialize(type, ContractJson.Options)!;
        var missing = new List<string>();

        var route = CommandPaths.Prefix + CommandPaths.NameOf(type);
        var routes = RoutesTaking(type);
        if (CommandBodies.SentByGrains.Contains(type))
        {
            if (routes.Count > 0)
            {
                missing.Add($"route: CommandBodies.SentByGrains says a grain sends it, yet POST {string.Join(", ", routes)} takes it");
            }
        }
        else if (!routes.Contains("/" + route))
        {
            missing.Add($"route: CommandRoutes maps no POST /{route} taking it (found: {(routes.Count == 0 ? "none" : string.Join(", ", routes))})");
        }

        var listed = CommandText.Fields(command).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        if (CommandBodies.TextFields(type).Where(f => !listed.Contains(f)).ToList() is { Count: > 0 } unlisted)
        {
            missing.Add($"text rule: CommandText.Fields does not list its text field(s) {string.Join(", ", unlisted)}");
        }

        if (command is not (IUnitCommand or IExerciseCommand or IDutyPostCommand or IReorganisationCommand))
        {
            missing.Add("rule: it is the command of no actor (IUnitCommand, IExerciseCommand, IDutyPostCommand or IReorganisationCommand)");
        }
        else
        {
            try
            {
                if ((await Execute(command)).Rejection is { } rejection && rejection.Message.Contains($"does not take {name} commands", StringComparison.Ordinal))
                {
                    missing.Add($"rule: its actor's Decide has no arm for it; the grain answered \"{rejection.Message}\"");
                }
            }
            catch (InvalidOperationException refused)
            {
                // The rule decided it, but the grain would not append what it decided: an event the catalogue lacks.
                missing.Add($"append: its grain refused the events its rule decided: {refused.Message}");
            }
        }

        // A row names its command by route, or by class when no route takes it.
        var mention = CommandBodies.SentByGrains.Contains(type) ? $"`{name}`" : $"`{CommandPaths.NameOf(type)}`";
        var recorded = (await EventRows()).Where(r => r.Command.Contains(mention, StringComparison.Ordinal)).Select(r => r.Event).ToList();
        if (recorded.Count == 0)
        {
            missing.Add($"docs/events.md: no event's row names {mention} as its command");
        }
        foreach (var @event in recorded.Where(e => !EventCatalogue.Entries.Any(c => c.Type.Name == e && c.StoredName.Length > 0)))
        {
            missing.Add($"event catalogue: {@event}, which docs/events.md says it records, has no line with a stored name in EventCatalogue");
        }

        Assert.True(missing.Count == 0, $"{name} is not wired everywhere (see \"Adding a command\" in docs/events.md):\n- " + string.Join("\n- ", missing));
    }

    /// <summary>A province of its own, with the exercise and the duty post the command bodies name, so each actor's rules reach their decision.</summary>
    private async Task<TestProvince> ActorsReady()
    {
        var tree = await silo.NewProvinceAsync();
        // Before the bodies' occurredAt (a day ago), after the units' registration (a year ago).
        var earlier = DateTimeOffset.UtcNow.AddDays(-2);
        var planned = await silo.Grains.GetGrain<IExerciseGrain>(CommandBodies.ExerciseOf(tree)).Execute(new PlanExercise(SiloFixture.NewId(),
            CommandBodies.ExerciseOf(tree), "Diễn tập", ExerciseLevel.Commune, ExerciseKind.DefensiveZone, [tree.CommuneId], earlier, earlier.AddDays(1), earlier));
        Assert.True(planned.Accepted, planned.Rejection?.Message);
        var established = await silo.Grains.GetGrain<IDutyPostGrain>(CommandBodies.PostOf(tree)).Execute(new EstablishDutyPost(SiloFixture.NewId(),
            CommandBodies.PostOf(tree), "Trực SSCĐ", DutyKind.CombatReadiness, 2, 24, earlier));
        Assert.True(established.Accepted, established.Rejection?.Message);
        return tree;
    }

    private Task<CommandResult> Execute(ICommand command) => command switch
    {
        IUnitCommand c => silo.Grains.GetGrain<IUnitGrain>(c.UnitId).Execute(c),
        IExerciseCommand c => silo.Grains.GetGrain<IExerciseGrain>(c.ExerciseId).Execute(c),
        IDutyPostCommand c => silo.Grains.GetGrain<IDutyPostGrain>(c.PostId).Execute(c),
        IReorganisationCommand c => silo.Grains.GetGrain<IChainOfCommandGrain>(IChainOfCommandGrain.Key).Execute(c),
        _ => throw new ArgumentException($"{command.GetType().Name} is the command of no actor.", nameof(command)),
    };

    /// <summary>The route templates of the silo's POST endpoints whose body is <paramref name="command"/>.</summary>
    private List<string> RoutesTaking(Type command) =>
        [.. silo.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains("POST") == true
                && e.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType == command)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))];

    /// <summary>The rows of docs/events.md's tables: the event's class and its command column.</summary>
    private static async Task<List<(string Event, string Command)>> EventRows() =>
        [.. (await File.ReadAllLinesAsync(Path.Combine(PostgresCluster.RepositoryRoot, "docs", "events.md")))
            .Select(l => EventRow().Match(l)).Where(m => m.Success)
            .Select(m => (m.Groups["event"].Value, m.Groups["command"].Value))];

    [GeneratedRegex(@"^\| `(?<event>\w+)` \|.*\| (?<command>[^|]*) \|$")]
    private static partial Regex EventRow();
}
