using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Readiness.Cli;

/// <summary>A command that knows its usage text, printed after a refusal as it always was, whatever the parser's help says.</summary>
internal sealed class UsageCommand(string name, string description, string usage) : Command(name, description)
{
    public string Usage { get; } = usage;

    /// <summary>
    /// The command's action. The parser's cancellation is not passed on: the parser leaves Ctrl+C alone, and the commands
    /// that can be stopped handle it themselves, each with its own last words.
    /// </summary>
    public UsageCommand Runs(Func<ParseResult, Task<int>> action)
    {
        SetAction((parsed, _) => action(parsed));
        return this;
    }
}

/// <summary>
/// The options every command shares (--url, --token, --json), and option kinds several commands use, so that all of
/// them read and refuse a value alike.
/// </summary>
internal static class Options
{
    public static Option<Uri> Url() => new("--url")
    {
        Description = "The silo's address.",
        HelpName = "url",
        DefaultValueFactory = _ => AuditOptions.DefaultUrl,
        CustomParser = result => Uri.TryCreate(Value(result), UriKind.Absolute, out var url) ? url : Bad<Uri>(result, "an absolute address such as http://127.0.0.1:5080"),
    };

    /// <param name="emptyMeansNone">simulate has always taken an empty token as none, as leaving it out is.</param>
    public static Option<string?> Token(bool emptyMeansNone = false) => new("--token")
    {
        Description = $"The bearer token to send; without it, {Connection.TokenVariable}, else {Connection.DevTokenFile} of a development silo.",
        HelpName = "token",
        CustomParser = result => Value(result) is { Length: > 0 } token ? token : emptyMeansNone ? null : Bad<string>(result, "a token, not an empty one"),
    };

    public static Option<bool> Json(string description) => new("--json") { Description = description };

    /// <summary>Whether the operator gave the option, rather than it taking its default; asked before its value, which throws when it was refused.</summary>
    public static bool Given(this CommandResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>A value that must not be empty: an empty id or path is always a slip.</summary>
    public static Option<string?> Text(string name, string helpName, string description, string? fallback = null)
    {
        var option = new Option<string?>(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result => Value(result) is { Length: > 0 } text ? text : Bad<string>(result, "a value, not an empty one"),
        };
        if (fallback is not null)
        {
            option.DefaultValueFactory = _ => fallback;
        }
        return option;
    }

    /// <summary>Values that may be given again and again, each one not empty, and each refused with its own reason.</summary>
    public static Option<List<string>> Texts(string name, string helpName, string description, Func<string, string?>? refusal = null) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => [],
        CustomParser = result =>
        {
            var values = new List<string>();
            foreach (var token in result.Tokens)
            {
                if (token.Value.Length == 0)
                {
                    result.AddError($"Bad option '{OptionName(result)} ': expected a value, not an empty one.");
                }
                else if (refusal?.Invoke(token.Value) is { } why)
                {
                    result.AddError(why);
                }
                values.Add(token.Value);
            }
            return values;
        },
    };

    /// <summary>A moment such as 2024-06-30 or 2024-06-30T08:00:00+07:00, UTC without an offset (<see cref="AuditOptions.TryParseMoment"/>).</summary>
    public static Option<DateTimeOffset?> Moment(string name, string description) => new(name)
    {
        Description = description + " (such as 2024-06-30 or 2024-06-30T08:00:00+07:00; UTC without an offset)",
        HelpName = "moment",
        CustomParser = result => AuditOptions.TryParseMoment(Value(result), out var moment) ? moment : Bad<DateTimeOffset?>(result, "a date, or a date and time"),
    };

    /// <summary>A number read as the invariant culture reads it, whatever the machine's culture, and refused outside its range.</summary>
    public static Option<T?> Number<T>(string name, string description, Func<T, bool> fits, string expected, NumberStyles styles, T? fallback = null)
        where T : struct, INumber<T>
    {
        var option = new Option<T?>(name)
        {
            Description = description,
            HelpName = "n",
            CustomParser = result => T.TryParse(Value(result), styles, CultureInfo.InvariantCulture, out var number) && fits(number) ? number : Bad<T?>(result, expected),
        };
        if (fallback is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }
        return option;
    }

    private static string Value(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";

    private static string OptionName(ArgumentResult result) => (result.Parent as OptionResult)?.IdentifierToken?.Value ?? result.Argument.Name;

    /// <summary>Refuses a value with the words scripts have always seen ("Bad option '--limit 5000'") and what would do.</summary>
    private static T? Bad<T>(ArgumentResult result, string expected)
    {
        result.AddError($"Bad option '{OptionName(result)} {Value(result)}': expected {expected}.");
        return default;
    }
}
