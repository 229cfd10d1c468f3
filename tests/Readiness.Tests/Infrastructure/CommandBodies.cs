using System.Text.Json;
using System.Text.Json.Nodes;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Contracts.Http;

namespace Readiness.Tests.Infrastructure;

/// <summary>Every command of the API as a well-formed JSON body aimed at one commune (the province, for what a province alone takes), built from its record's shape.</summary>
public static class CommandBodies
{
    /// <summary>Commands sent by grains and the outbox, never through a route.</summary>
    public static IReadOnlyList<Type> SentByGrains { get; } = [typeof(RecordUpwardReportAcknowledged), typeof(RecordExerciseParticipation)];

    /// <summary>The commands a route takes.</summary>
    public static IReadOnlyList<Type> Types { get; } = [.. typeof(ICommand).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICommand).IsAssignableFrom(t) && CommandPaths.NameOf(t) is { Length: > 0 })
        .Where(t => !SentByGrains.Contains(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)];

    public static string RouteOf(Type command) => "/api/commands/" + CommandPaths.NameOf(command);

    /// <summary>The body's fields with their CLR types, so a test can break any one of them.</summary>
    public static IReadOnlyList<(string Name, Type Type)> Fields(Type command) =>
        [.. command.GetConstructors().Single().GetParameters()
            .Select(p => (JsonNamingPolicy.CamelCase.ConvertName(p.Name!), Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType))];

    /// <summary>
    /// Text the input rule refuses in every field, as JSON escapes: C0 and C1 control characters,
    /// DEL, unpaired surrogates, and invisible format characters (the right-to-left override among
    /// them), with the code point the refusal names.
    /// </summary>
    public static IReadOnlyList<(string Escape, string CodePoint)> RefusedText { get; } =
    [
        (@"\u0000", "U+0000"), (@"\u0007", "U+0007"), (@"\u001b", "U+001B"), (@"\u007f", "U+007F"), (@"\u0085", "U+0085"),
        (@"\ud800", "U+D800"), (@"\udfff", "U+DFFF"), (@"\u202e", "U+202E"), (@"\u200b", "U+200B"), (@"\ufeff", "U+FEFF"),
    ];

    /// <summary>The text fields of a command's body: its strings, and a list of strings by its first item.</summary>
    public static IReadOnlyList<string> TextFields(Type command) =>
        [.. Fields(command).Where(f => f.Type == typeof(string) || f.Type == typeof(IReadOnlyList<string>))
            .Select(f => f.Type == typeof(string) ? f.Name : f.Name + "[0]")];

    /// <summary>A well-formed body whose <paramref name="field"/> holds <paramref name="escape"/> (raw JSON) between two letters.</summary>
    public static string WithText(Type command, TestProvince tree, string commandId, string field, string escape)
    {
        const string Marker = "@@refused@@";
        var body = For(command, tree, commandId);
        if (field.EndsWith("[0]", StringComparison.Ordinal))
        {
            body[field[..^3]]![0] = "a" + Marker + "b";
        }
        else
        {
            body[field] = "a" + Marker + "b";
        }
        return body.ToJsonString().Replace(Marker, escape, StringComparison.Ordinal);
    }

    /// <summary>The exercise an exercise command's body names: one the commune hosts.</summary>
    public static string ExerciseOf(TestProvince tree) => $"{tree.CommuneId}/dien-tap";

    /// <summary>The duty post a post command's body names: one the commune owns.</summary>
    public static string PostOf(TestProvince tree) => $"{tree.CommuneId}/truc";

    /// <summary>The unit a reorganisation body names: under the commune, and never registered, so that the order is refused (404) and changes no test's tree.</summary>
    public static string ReorganisedOf(TestProvince tree) => $"{tree.CommuneId}/khong-co";

    public static JsonObject For(Type command, TestProvince tree, string commandId)
    {
        var body = new JsonObject();
        var reorganisation = typeof(IReorganisationCommand).IsAssignableFrom(command);
        foreach (var (name, type) in Fields(command))
        {
            body[name] = name switch
            {
                "commandId" => commandId,
                "unitId" when reorganisation => ReorganisedOf(tree),
                "unitIds" when reorganisation => new JsonArray(ReorganisedOf(tree)),
                "parentId" or "successorId" when reorganisation => tree.CommuneId,
                "steps" => new JsonArray(new JsonObject { ["action"] = nameof(ReorganisationAction.Dissolve), ["unitId"] = ReorganisedOf(tree) }),
                // Only a province command records its commander's comments for the echelon above.
                "unitId" when command == typeof(RecordCommanderComment) => tree.ProvinceId,
                "unitId" => tree.CommuneId,
                "exerciseId" => ExerciseOf(tree),
                "postId" => PostOf(tree),
                "parentId" => tree.DistrictId,
                // A receiving unit is an actor too: "x" would name another province, which no commune's token covers.
                "toUnitId" => tree.CommuneId,
                _ when type == typeof(string) => "x",
                _ when type == typeof(int) || type == typeof(long) => 1,
                _ when type == typeof(DateTimeOffset) => DateTimeOffset.UtcNow.AddDays(-1),
                _ when type.IsEnum => Enum.GetNames(type)[0],
                _ when type == typeof(IReadOnlyList<string>) => new JsonArray(tree.CommuneId),
                _ => null,
            };
        }
        return body;
    }
}
