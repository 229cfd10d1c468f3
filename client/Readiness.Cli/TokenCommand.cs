using System.CommandLine;
using System.CommandLine.Parsing;
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

    private sealed record Settings(Uri Url, string Subject, List<string> Scopes, List<string> Roles, double Hours, bool Json, string? Token);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("token", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var json = Options.Json("Print the token, its id and its expiry as JSON.");
        var subject = Options.Text("--subject", "name", "Whom the token is for.");
        var scopes = Options.Texts("--scope", "unit", "A unit id such as bac-kan or bac-kan/ba-be, or *, that the token reaches; may be given again.");
        var roles = Options.Texts("--role", "role", $"What the token may do: {string.Join(", ", Access.Roles)}; may be given again.",
            role => Access.Roles.Contains(role) ? null : $"Unknown role '{role}': one of {string.Join(", ", Access.Roles)}.");
        var hours = Options.Number<double>("--hours", "How long the token is valid.", h => h > 0, "a number of hours above 0", NumberStyles.Float, 8);
        var revoke = Revoke(output, error);
        var command = new UsageCommand("token",
            "Mints a bearer token through the silo, with scopes and roles, valid for --hours, and prints it alone (for $(…)). Needs an admin "
            + "token whose scopes cover every scope asked for and that holds every role granted.", Usage)
        {
            subject, scopes, roles, hours, json, url, token, revoke,
        };
        command.Validators.Add(result =>
        {
            var minting = !result.Children.OfType<CommandResult>().Any();
            if (minting && !(result.Given(subject) && result.Given(scopes) && result.Given(roles)))
            {
                result.AddError("--subject, at least one --scope and at least one --role are needed.");
            }
        });
        return command.Runs(parsed => RunAsync(new Settings(parsed.GetValue(url)!, parsed.GetValue(subject)!, parsed.GetValue(scopes)!, parsed.GetValue(roles)!,
            parsed.GetValue(hours)!.Value, parsed.GetValue(json), parsed.GetValue(token)), output, error));
    }

    private static UsageCommand Revoke(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        // Always taken and never used: revoking prints one line either way.
        var json = new Option<bool>("--json") { Hidden = true };
        var id = new Argument<string?>("token-id") { Description = "The id the token's minting gave.", Arity = ArgumentArity.ZeroOrOne };
        var command = new UsageCommand("revoke",
            "Revokes a minted token by the id its minting gave: every request with it is refused from then on.", Usage)
        {
            id, url, token, json,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(id) is not { Tokens: [{ Value.Length: > 0 }] })
            {
                result.AddError("Name the token to revoke: readiness token revoke TOKEN-ID.");
            }
        });
        return command.Runs(parsed => RevokeAsync(parsed.GetValue(id)!, parsed.GetValue(url)!, parsed.GetValue(token), output, error));
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromSeconds(30));
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            var minted = await client.MintTokenAsync(options.Subject, options.Scopes, options.Roles, options.Hours);
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
                $"Token {minted.TokenId} for {options.Subject} ({string.Join(", ", options.Roles)} on {string.Join(", ", options.Scopes)}), valid until {AuditOptions.Format(minted.ExpiresAt)}; " +
                    $"'readiness token revoke {minted.TokenId}' revokes it."));
            return 0;
        });
    }

    private static async Task<int> RevokeAsync(string id, Uri url, string? token, TextWriter output, TextWriter error)
    {
        using var client = Connection.Client(url, token, TimeSpan.FromSeconds(30));
        return await Connection.CallAsync(error, url, async () =>
        {
            await client.RevokeTokenAsync(id);
            await output.WriteLineAsync($"Token {id} revoked.");
            return 0;
        });
    }
}
