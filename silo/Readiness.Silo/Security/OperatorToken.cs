using Marten;
using Readiness.Store;
using Readiness.Silo.Hosting;

namespace Readiness.Silo.Security;

/// <summary>
/// <c>Readiness.Silo token</c>: the first token of a deployment. Outside Development a silo prints no
/// token, and the API mints tokens only for an administrator who already holds one; so whoever holds
/// the silo's secrets (the signing key and the application role's connection) mints one on the host,
/// from the same configuration the silo reads. It is recorded like a minted token, so that it can be
/// revoked by its id, and with it every token minted with it.
/// </summary>
internal static class OperatorToken
{
    /// <summary>Who minted a token from the console, in its <c>act</c> claim and its record.</summary>
    public const string Minter = "operator";

    public const string Usage = """
        Readiness.Silo token --subject S --scope UNIT|* [--scope …] --role ROLE [--role …] [--hours 8]
          Mints a bearer token with the silo's own signing key and records it in the main database, from the
          configuration the silo reads (appsettings.json, environment, Readiness__SecretsDirectory). Prints the
          token alone on standard output; its id (to revoke it) and expiry go to standard error.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (Parse(args) is not { } request)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddSecretFiles();
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var connection = builder.Configuration.GetConnectionString("Readiness");
        var problems = TokenRequestRules.Problems(request, auth.MaxTokenHours);
        if (string.IsNullOrWhiteSpace(auth.SigningKey) || System.Text.Encoding.UTF8.GetByteCount(auth.SigningKey) < 32)
        {
            problems.Add($"{AuthOptions.Section}:SigningKey (the silo's token key, 32 bytes or more) is not set: give the token command the silo's own secrets.");
        }
        if (string.IsNullOrWhiteSpace(connection))
        {
            problems.Add("ConnectionStrings:Readiness is not set: the token is recorded in the main database, so that it can be revoked.");
        }
        if (problems.Count > 0)
        {
            await Console.Error.WriteLineAsync("token: " + string.Join("\n  ", problems));
            return 2;
        }

        var issuer = new TokenIssuer(TokenIssuer.KeyFrom(auth.SigningKey!), auth, TimeProvider.System);
        var minted = issuer.Mint(request, mintedBy: Minter);
        // The token document alone: the whole store would build its projections, and Marten says on standard
        // output that their daemon is off, which would land in the operator's $(…) beside the token.
        var options = new StoreOptions();
        options.Connection(connection!);
        options.DatabaseSchemaName = ReadinessStore.Schema;
        options.AutoCreateSchemaObjects = JasperFx.AutoCreate.None;
        ReadinessStore.ConfigureEvents(options);
        TokenRevocations.Register(options);
        try
        {
            using var store = new DocumentStore(options);
            await using var session = store.LightweightSession();
            session.Store(new IssuedToken
            {
                Id = minted.TokenId, Subject = request.Subject, Scopes = [.. request.Scopes], Roles = [.. request.Roles.Distinct()],
                MintedBy = Minter, IssuedAt = minted.ExpiresAt.AddHours(-request.Hours), ExpiresAt = minted.ExpiresAt,
            });
            await session.SaveChangesAsync();
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"token: it could not be recorded, so none is given: {ex.Message} (has migrate been run?)");
            return 1;
        }
        Console.WriteLine(minted.Token);
        await Console.Error.WriteLineAsync(
            $"token id {minted.TokenId}, for '{request.Subject}', expires {minted.ExpiresAt:yyyy-MM-ddTHH:mm:ssZ}; revoke it with DELETE /api/admin/tokens/{minted.TokenId}");
        return 0;
    }

    private static TokenRequest? Parse(string[] args)
    {
        string? subject = null;
        List<string> scopes = [], roles = [];
        var hours = 8.0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--subject": subject = args[i + 1]; break;
                case "--scope": scopes.Add(args[i + 1]); break;
                case "--role": roles.Add(args[i + 1]); break;
                case "--hours" when double.TryParse(args[i + 1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var h): hours = h; break;
                default: return null;
            }
        }
        return args.Length % 2 == 0 && subject is not null ? new TokenRequest(subject, scopes, roles, hours) : null;
    }
}
