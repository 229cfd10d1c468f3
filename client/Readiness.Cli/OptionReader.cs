namespace Readiness.Cli;

/// <summary>What a command made of one of its own arguments, told to <see cref="OptionReader.Read"/>.</summary>
internal enum Taken
{
    /// <summary>Not the command's, or its value does not do: the reader says "Bad option".</summary>
    No,

    /// <summary>The argument alone: a flag, or a command's positional argument.</summary>
    Alone,

    /// <summary>The argument and the value after it.</summary>
    WithValue,

    /// <summary>Refused, and the command has already said why, so the reader adds nothing.</summary>
    Refused,
}

/// <summary>
/// Takes the options every command shares (--url, --token, and --json where the command has flags) and hands the
/// rest to the command, so that each command names only its own options and all of them refuse a bad one alike.
/// </summary>
/// <param name="error">Where "Bad option" goes: the command's error writer, so that tests can read it.</param>
/// <param name="showValue">
/// Whether "Bad option" quotes the value after the option too; the commands that never did keep not doing so,
/// because their messages are part of what scripts and operators already see.
/// </param>
internal sealed class OptionReader(TextWriter error, bool showValue = true)
{
    public Uri Url { get; private set; } = AuditOptions.DefaultUrl;

    public string? Token { get; private set; }

    public bool Json { get; private set; }

    /// <summary>Options that may be flags; false once an option was refused and said so.</summary>
    public bool Read(string[] args, Func<string, string?, Taken> own)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            var taken = args[i] == "--json" ? TakeJson() : Shared(args[i], value) ? Taken.WithValue : own(args[i], value);
            switch (taken)
            {
                case Taken.Alone:
                    continue;
                case Taken.WithValue:
                    i++;
                    continue;
                case Taken.Refused:
                    return false;
                default:
                    error.WriteLine($"Bad option '{args[i]}{(showValue && value is not null ? " " + value : "")}'.");
                    return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Options that always come as name and value. A dangling last name is refused without a message, after the
    /// pairs before it, as the commands that read pairs have always done.
    /// </summary>
    public bool ReadPairs(string[] args, Func<string, string, bool> own)
    {
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            if (!Shared(args[i], value) && !own(args[i], value))
            {
                error.WriteLine($"Bad option '{args[i]} {value}'.");
                return false;
            }
        }
        return args.Length % 2 == 0;
    }

    private Taken TakeJson()
    {
        Json = true;
        return Taken.Alone;
    }

    private bool Shared(string name, string? value)
    {
        switch (name)
        {
            case "--url" when Uri.TryCreate(value, UriKind.Absolute, out var url):
                Url = url;
                return true;
            case "--token" when value is { Length: > 0 }:
                Token = value;
                return true;
            default:
                return false;
        }
    }
}
