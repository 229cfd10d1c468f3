using System.Globalization;
using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Cli;

/// <summary><c>readiness token</c>: mints a bearer token through the silo, with the caller's own (admin) token.</summary>
internal static class TokenCommand
{
    public const string Usage = """
        readiness token --subject S --scope bac-kan [--scope …] --role viewer [--role …] [--hours 8] [--json] [--url http://127.0.0.1:5080] [--token T]
          Mints a bearer token for S with the given scopes (unit ids such as bac-kan or bac-kan/ba-be,
          or *) and roles (reporter, viewer, auditor, admin), valid for --hours. Needs an admin token
          whose scopes cover every scope asked for and that holds every role granted. Prints the token
          alone (for $(…)), or with --json the token, its id and its expiry.
        readiness token revoke TOKEN-ID [--url …] [--token T]
          Revokes a minted token by the id its minting gave: every request with it is refused from then on.
        """;

    private sealed record Options(Uri Url, string? Subject, List<string> Scopes, List<string> Roles, double Hours, bool Json, string? Token);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is ["revoke", ..])
        {
            return await RevokeAsync(args[1..], output, error);
        }
        var options = Parse(args, error);
        if (options is null)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromSeconds(30));
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            var minted = await client.MintTokenAsync(options.Subject!, options.Scopes, options.Roles, options.Hours);
            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    minted.Token,
                    minted.TokenId,
                    minted.ExpiresAt,
                    subject = options.Subject,
                    scopes = options.Scopes,
                    roles = options.Roles,
                }, AuditOptions.Indented));
                return 0;
            }
            await output.WriteLineAsync(minted.Token);
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Token {minted.TokenId} for {options.Subject} ({string.Join(", ", options.Roles)} on {string.Join(", ", options.Scopes)}), valid until {AuditOptions.Format(minted.ExpiresAt)}; 'readiness token revoke {minted.TokenId}' revokes it."));
            return 0;
        });
    }

    private static async Task<int> RevokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        var reader = new OptionReader(error, showValue: false);
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) || !reader.Read(args[1..], (_, _) => Taken.No))
        {
            await error.WriteLineAsync("Name the token to revoke: readiness token revoke TOKEN-ID.");
            await error.WriteLineAsync(Usage);
            return 2;
        }
        using var client = Connection.Client(reader.Url, reader.Token, TimeSpan.FromSeconds(30));
        return await Connection.CallAsync(error, reader.Url, async () =>
        {
            await client.RevokeTokenAsync(args[0]);
            await output.WriteLineAsync($"Token {args[0]} revoked.");
            return 0;
        });
    }

    private static Options? Parse(string[] args, TextWriter error)
    {
        var result = new Options(AuditOptions.DefaultUrl, null, [], [], 8, false, null);
        var reader = new OptionReader(error, showValue: false);
        if (!reader.Read(args, Own))
        {
            return null;
        }
        result = result with { Url = reader.Url, Token = reader.Token, Json = reader.Json };
        if (result.Subject is null || result.Scopes.Count == 0 || result.Roles.Count == 0)
        {
            error.WriteLine("--subject, at least one --scope and at least one --role are needed.");
            return null;
        }
        return result;

        Taken Own(string name, string? value)
        {
            switch (name)
            {
                case "--subject" when value is { Length: > 0 }:
                    result = result with { Subject = value };
                    return Taken.WithValue;
                case "--scope" when value is { Length: > 0 }:
                    result.Scopes.Add(value);
                    return Taken.WithValue;
                case "--role" when value is { Length: > 0 }:
                    if (!Access.Roles.Contains(value))
                    {
                        error.WriteLine($"Unknown role '{value}': one of {string.Join(", ", Access.Roles)}.");
                        return Taken.Refused;
                    }
                    result.Roles.Add(value);
                    return Taken.WithValue;
                case "--hours" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var hours) && hours > 0:
                    result = result with { Hours = hours };
                    return Taken.WithValue;
                default:
                    return Taken.No;
            }
        }
    }
}
