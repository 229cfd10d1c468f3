using System.Reflection;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;

namespace Readiness.Silo.Api;

/// <summary>
/// The command routes' contracts read as forms (<c>GET /api/commands</c>), filled as each route is
/// mapped, so that a command with a route has a description and the reporting page draws its form
/// without a line of its own. Fields are read from the record's constructor, named as the JSON body
/// names them; which text is prose is asked of <see cref="CommandText"/>, the one input rule.
/// </summary>
internal sealed class CommandCatalogue
{
    private readonly List<CommandDescription> described = [];
    private readonly NullabilityInfoContext nullability = new();

    public IReadOnlyList<CommandDescription> All => described;

    public void Add<TCommand>(string summary)
        where TCommand : ICommand
    {
        var (actor, actorField) = typeof(TCommand) switch
        {
            var t when typeof(IUnitCommand).IsAssignableFrom(t) => ("unit", "unitId"),
            var t when typeof(IExerciseCommand).IsAssignableFrom(t) => ("exercise", "exerciseId"),
            var t when typeof(IDutyPostCommand).IsAssignableFrom(t) => ("dutyPost", "postId"),
            _ => ("chainOfCommand", (string?)null),
        };
        var role = typeof(IReorganisationCommand).IsAssignableFrom(typeof(TCommand)) ? Access.Admin : Access.Reporter;
        var parameters = typeof(TCommand).GetConstructors().Single().GetParameters();
        var prose = CommandText.Fields(Sample<TCommand>(parameters)).Where(f => f.Prose).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var fields = parameters.Select(p =>
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(p.Name!);
            var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
            var required = !p.HasDefaultValue && nullability.Create(p).WriteState != NullabilityState.Nullable;
            return type switch
            {
                _ when type == typeof(string) => new CommandFieldDescription(name, prose.Contains(name) ? "prose" : "text", required),
                _ when type == typeof(int) || type == typeof(long) => new CommandFieldDescription(name, "integer", required),
                _ when type.IsEnum => new CommandFieldDescription(name, "choice", required, Enum.GetNames(type)),
                _ when type == typeof(DateTimeOffset) => new CommandFieldDescription(name, "moment", required),
                _ when typeof(IEnumerable<string>).IsAssignableFrom(type) => new CommandFieldDescription(name, "list", required),
                _ => new CommandFieldDescription(name, "object", required),
            };
        }).ToList();
        described.Add(new CommandDescription(typeof(TCommand).Name, "/" + CommandPaths.Prefix + CommandPaths.NameOf(typeof(TCommand)),
            role, actor, actorField, summary, fields));
    }

    // A command with every field empty, only to ask the input rule which of its text fields are prose.
    private static TCommand Sample<TCommand>(ParameterInfo[] parameters) =>
        (TCommand)typeof(TCommand).GetConstructors().Single().Invoke([.. parameters.Select(p => p.ParameterType switch
        {
            var t when t == typeof(string) => string.Empty,
            var t when t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) => Array.CreateInstance(t.GetGenericArguments()[0], 0),
            var t when t.IsValueType && Nullable.GetUnderlyingType(t) is null => Activator.CreateInstance(t),
            _ => null,
        })]);
}
