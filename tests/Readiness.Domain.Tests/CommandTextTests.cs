using System.Text.Json;
using Readiness.Abstractions;
using Readiness.Contracts;

namespace Readiness.Domain.Tests;

/// <summary>
/// The text rule over every command, found by reflection over the contracts, so that a command or
/// a text field added later cannot escape <see cref="CommandText.Fields"/>.
/// </summary>
public class CommandTextTests
{
    /// <summary>The HTTP contracts' commands, and the grains' own (which no route takes).</summary>
    public static IReadOnlyList<Type> Commands { get; } = [.. new[] { typeof(ICommand).Assembly, typeof(IUpwardReportGrain).Assembly }.SelectMany(a => a.GetTypes())
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICommand).IsAssignableFrom(t))
        .OrderBy(t => t.Name, StringComparer.Ordinal)];

    public static TheoryData<string> CommandNames => [.. Commands.Select(t => t.Name)];

    /// <summary>The JSON names of a command's text fields: strings, and lists of strings by their first item.</summary>
    public static IEnumerable<string> TextFieldsOf(Type command) =>
        command.GetConstructors().Single().GetParameters()
            .Where(p => p.ParameterType == typeof(string) || p.ParameterType == typeof(IReadOnlyList<string>))
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!) + (p.ParameterType == typeof(string) ? "" : "[0]"));

    /// <summary>A command with "ok-field" in every text field except <paramref name="field"/>, which holds <paramref name="text"/>.</summary>
    public static ICommand Build(Type command, string? field = null, string? text = null)
    {
        var arguments = command.GetConstructors().Single().GetParameters().Select(p =>
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(p.Name!);
            if (p.ParameterType == typeof(string))
            {
                return name == field ? text : "ok-" + name;
            }
            if (p.ParameterType == typeof(IReadOnlyList<string>))
            {
                return (object)new[] { name + "[0]" == field ? text! : "ok-" + name };
            }
            return p.ParameterType.IsValueType && Nullable.GetUnderlyingType(p.ParameterType) is null ? Activator.CreateInstance(p.ParameterType) : null;
        }).ToArray();
        return (ICommand)Activator.CreateInstance(command, arguments)!;
    }

    private static Type Named(string name) => Commands.Single(t => t.Name == name);

    [Fact]
    public void Every_command_type_is_found() => Assert.True(Commands.Count >= 27, string.Join(", ", Commands.Select(t => t.Name)));

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void The_rule_lists_every_text_field_of_every_command_with_its_value(string name)
    {
        var command = Build(Named(name));

        var fields = CommandText.Fields(command);

        Assert.Equal(TextFieldsOf(Named(name)).Order(StringComparer.Ordinal), fields.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(fields, f => Assert.Equal("ok-" + f.Name.Replace("[0]", "", StringComparison.Ordinal), f.Value));
        Assert.Null(CommandText.Problem(command));
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void A_NUL_a_control_character_or_a_lone_surrogate_in_any_text_field_is_refused_naming_the_field(string name)
    {
        foreach (var field in TextFieldsOf(Named(name)))
        {
            foreach (var (hostile, what) in new[] { ("a\0b", "U+0000"), ("a\u001Bb", "U+001B"), ("a\u0085b", "U+0085"), ("a\u007Fb", "U+007F"), ("a\uD800b", "U+D800"), ("ab\uDC00", "U+DC00") })
            {
                var problem = CommandText.Problem(Build(Named(name), field, hostile));

                Assert.NotNull(problem);
                Assert.StartsWith(field + " holds ", problem, StringComparison.Ordinal);
                Assert.Contains(what, problem, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Prose_may_run_over_lines_with_tabs_but_a_one_line_field_may_not()
    {
        var reason = new RecordMembersLeft("c", "bac-kan/ba-be", ForceType.Standing, 1, "Chuyển công tác.\r\n\tHai người.");
        var justification = new AssessReadiness("c", "bac-kan/ba-be", ReadinessLevel.R1, "Dòng một\nDòng hai", "Đại tá A");
        var resolution = new CloseDutyIncident("c", "bac-kan/ba-be/sscd", "i-1", "Đã xử lý\nxong");
        var name = new RecordOutreachSession("c", "bac-kan/ba-be", "Chủ đề\nmột", 5);
        var commander = new AssessReadiness("c", "bac-kan/ba-be", ReadinessLevel.R1, "Đủ", "Đại tá\tA");

        Assert.Null(CommandText.Problem(reason));
        Assert.Null(CommandText.Problem(justification));
        Assert.Null(CommandText.Problem(resolution));
        Assert.Contains("topic holds the control character U+000A at position 6; remove it (this field is one line", CommandText.Problem(name), StringComparison.Ordinal);
        Assert.StartsWith("assessedBy holds the control character U+0009", CommandText.Problem(commander), StringComparison.Ordinal);
        Assert.Contains("only tab, line feed and carriage return", CommandText.Problem(reason with { Reason = "x\0" }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bắc Kạn")]
    [InlineData("Ban CHQS xã Chợ Rã 🎖️")]
    [InlineData("中文 العربية")]
    [InlineData("")]
    [InlineData(null)]
    public void Any_real_text_passes(string? text) => Assert.Null(CommandText.Problem(text, "name"));

    [Fact]
    public void A_participant_id_is_named_by_its_place_in_the_list()
    {
        var plan = new PlanExercise("p", "bac-kan/ba-be/kvpt", "Diễn tập", ExerciseLevel.District, ExerciseKind.DefensiveZone,
            ["bac-kan/ba-be", "bac-kan/ba-be/x\0"], DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(1));

        Assert.StartsWith("participantUnitIds[1] holds", CommandText.Problem(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reorganisation_step_s_text_is_named_by_its_place_in_the_order()
    {
        var order = new Reorganise("o", "2786/QĐ-BQP", DateTimeOffset.UnixEpoch,
        [
            new(ReorganisationAction.Rename, "bac-kan/ba-be", Name: "Ban CHPT khu vực 2"),
            new(ReorganisationAction.Rename, "bac-kan/na-ri", Name: "Ban CHPT\u202E khu vực 3"),
        ]);

        Assert.StartsWith("steps[1].name holds the invisible format character U+202E", CommandText.Problem(order), StringComparison.Ordinal);
        Assert.StartsWith("order holds", CommandText.Problem(order with { Order = "2786\0" }), StringComparison.Ordinal);
    }

    private sealed record Unlisted(string CommandId, DateTimeOffset? OccurredAt) : ICommand;

    [Fact]
    public void A_command_the_list_does_not_name_still_has_its_id_checked()
    {
        Assert.Null(CommandText.Problem(new Unlisted("overdue:bac-kan/sscd:1", null)));
        Assert.StartsWith("commandId holds", CommandText.Problem(new Unlisted("c\0", null)), StringComparison.Ordinal);
    }
}
