extern alias cli;

using cli::Readiness.Cli;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>What <c>readiness</c> says about itself and about a command line it cannot take, before any silo is reached.</summary>
public class CommandLineTests
{
    private static readonly string[] Commands = ["simulate", "rebuild", "report", "history", "verify", "view", "tree", "export", "import", "send", "reorganise", "outbox", "sync", "token", "status"];

    [Fact]
    public async Task Help_lists_every_command_with_what_it_does()
    {
        var help = await CliRun.RunAsync(CommandLine.RunAsync, "--help");
        var word = await CliRun.RunAsync(CommandLine.RunAsync, "help");
        var bare = await CliRun.RunAsync(CommandLine.RunAsync);

        Assert.Equal(0, help.Code);
        Assert.Empty(help.Error);
        var listed = help.Output.ReplaceLineEndings("\n").Split("Commands:\n")[1].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Commands, listed.Select(l => l.Trim().Split(' ')[0]));
        Assert.All(listed, l => Assert.Matches("^  [a-z]+( <[a-z]+>)* +[A-Z]", l));
        Assert.Contains("READINESS_TOKEN", help.Output, StringComparison.Ordinal);
        Assert.Equal((0, help.Output), (word.Code, word.Output));
        // Nothing to do is a mistake, answered with the same list.
        Assert.Equal((2, help.Output), (bare.Code, bare.Output));
    }

    [Theory]
    [InlineData("simulate")]
    [InlineData("rebuild")]
    [InlineData("report")]
    [InlineData("history")]
    [InlineData("verify")]
    [InlineData("view")]
    [InlineData("tree")]
    [InlineData("export")]
    [InlineData("import")]
    [InlineData("send")]
    [InlineData("reorganise", "resubordinate")]
    [InlineData("reorganise", "rename")]
    [InlineData("reorganise", "merge")]
    [InlineData("reorganise", "dissolve")]
    [InlineData("sync")]
    [InlineData("token")]
    [InlineData("token", "revoke")]
    [InlineData("status")]
    public async Task Each_commands_help_describes_the_command_and_every_option(params string[] command)
    {
        var help = await CliRun.RunAsync(CommandLine.RunAsync, [.. command, "--help"]);
        var word = await CliRun.RunAsync(CommandLine.RunAsync, ["help", .. command]);

        Assert.Equal(0, help.Code);
        Assert.Equal(help.Output, word.Output);
        var text = help.Output.ReplaceLineEndings("\n");
        Assert.Matches("^Description:\n  [A-Z]", text);
        Assert.Contains($"readiness {string.Join(' ', command)} ", text, StringComparison.Ordinal);
        var options = text.Split("Options:\n")[1].Split("\n\n")[0].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(options, o => o.TrimStart().StartsWith("--url <url>", StringComparison.Ordinal));
        Assert.Contains(options, o => o.TrimStart().StartsWith("--token <token>", StringComparison.Ordinal));
        // Two columns on every line: the option, then what it is for.
        Assert.All(options, o => Assert.Matches("^  -[^ ]*( <[a-z|]+>)?( \\(REQUIRED\\))?(, -[^ ]+)* {2,}[A-Z]", o));
    }

    [Theory]
    [InlineData("Unrecognized command or argument '--bogus'.", "status", "--bogus")]
    [InlineData("Unrecognized command or argument '--jsn'.", "verify", "--jsn")]
    [InlineData("Unrecognized command or argument 'extra'.", "import", "a.jsonl", "extra")]
    [InlineData("Bad option '--limit 5000': expected a whole number from 1 to 1000.", "history", "--unit", "a", "--limit", "5000")]
    [InlineData("Bad option '--url nowhere': expected an absolute address such as http://127.0.0.1:5080.", "view", "--url", "nowhere")]
    [InlineData("Bad option '--rate 0': expected a rate above 0 and at most 200.", "simulate", "--rate", "0")]
    [InlineData("Option '--year' is required.", "report", "--province", "bac-kan")]
    [InlineData("Option '--out' is required.", "export", "--area", "bac-kan")]
    [InlineData("Required argument 'file' missing for command: 'import'.", "import")]
    [InlineData("Unknown role 'king': one of reporter, viewer, auditor, admin.", "token", "--subject", "s", "--scope", "bac-kan", "--role", "king")]
    [InlineData("Name the token to revoke: readiness token revoke TOKEN-ID.", "token", "revoke")]
    [InlineData("Required argument 'json' missing for command: 'send'.", "send", "enlist-recruits")]
    [InlineData("Required argument 'province' missing for command: 'tree'.", "tree")]
    [InlineData("Bad option '--as-of someday': expected a date, or a date and time.", "tree", "bac-kan", "--as-of", "someday")]
    [InlineData("Bad option '--outbox ': expected a value, not an empty one.", "sync", "--outbox", "")]
    public async Task A_command_line_it_cannot_take_says_why_then_how_the_command_is_used_and_exits_2(string why, params string[] args)
    {
        var run = await CliRun.RunAsync(CommandLine.RunAsync, args);

        Assert.Equal(2, run.Code);
        Assert.Empty(run.Output);
        var lines = run.Error.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal(why, lines[0]);
        Assert.Contains(lines, l => l.StartsWith($"readiness {args[0]} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_command_is_named_and_the_commands_are_listed()
    {
        var run = await CliRun.RunAsync(CommandLine.RunAsync, "exprot", "--out", "x.jsonl");

        Assert.Equal(2, run.Code);
        Assert.Empty(run.Output);
        Assert.StartsWith("Unknown command 'exprot'.\nreadiness simulate ", run.Error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("readiness export --out", run.Error, StringComparison.Ordinal);
    }
}
