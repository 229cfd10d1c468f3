using Readiness.Client;

namespace Readiness.Cli;

/// <summary>
/// How every command reaches the silo: which token it sends (<c>--token</c>, else <c>READINESS_TOKEN</c>,
/// else a development silo's <c>.local/dev-token</c>), and what it tells the operator when the token is refused.
/// </summary>
internal static class Connection
{
    /// <summary>Where a Development silo started from the repository root (./run.sh) keeps the token it printed.</summary>
    public const string DevTokenFile = ".local/dev-token";

    public const string Usage = """
        Every command takes --url (default http://127.0.0.1:5080) and --token T. Without --token the
        token comes from READINESS_TOKEN, else from .local/dev-token in this directory or one above it
        (a Development silo on loopback writes it there at start-up).
        """;

    /// <summary>How an operator gets a token, said after a 401 or 403.</summary>
    public const string TokenHelp =
        "Pass --token T or set READINESS_TOKEN. On a development silo (./run.sh) the token is printed at start-up and kept in " + DevTokenFile
        + "; otherwise ask an administrator for one (readiness token --subject you --scope <unit> --role <role>).";

    /// <summary>The token to send: the option, else the environment, else the development file; null when none is found.</summary>
    public static string? Token(string? option) =>
        NonEmpty(option) ?? NonEmpty(Environment.GetEnvironmentVariable(TokenVariable)) ?? DevToken();

    /// <summary>The environment variable a token may come from, so that it stays out of the shell's history.</summary>
    public const string TokenVariable = "READINESS_TOKEN";

    /// <summary>
    /// The development token from the current directory or the nearest directory above it that has one;
    /// in each, also where a silo started from its project directory keeps it.
    /// </summary>
    public static string? DevToken()
    {
        for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
        {
            var file = new[] { DevTokenFile, Path.Combine("silo", "Readiness.Silo", DevTokenFile) }
                .Select(candidate => Path.Combine(directory.FullName, candidate))
                .FirstOrDefault(File.Exists);
            if (file is not null)
            {
                try
                {
                    return NonEmpty(File.ReadAllText(file));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return null;
                }
            }
        }
        return null;
    }

    /// <summary>A client for the silo that sends the token and retries as the library does.</summary>
    public static ReadinessClient Client(Uri url, string? token, TimeSpan timeout, Action<ReadinessRetry>? onRetry = null) =>
        ReadinessClient.Create(new ReadinessClientOptions { BaseAddress = url, Token = Token(token), Timeout = timeout, OnRetry = onRetry });

    /// <summary>What to print for a refusal: the server's detail, and for 401 and 403 how to get a token that works.</summary>
    public static string Explain(ReadinessApiException ex) => ex.StatusCode switch
    {
        401 => $"Not authenticated: {ex.Problem.Detail ?? ex.Problem.Title}\n{TokenHelp}",
        403 => $"Not allowed: {ex.Problem.Detail ?? ex.Problem.Title} Use a token whose scopes cover the unit and whose roles allow this "
            + "(viewer for views, reporter for reports, auditor for history, verify and export, admin for rebuild, import, tokens and reorganisation).\n" + TokenHelp,
        429 => $"{ex.Problem.Detail ?? ex.Problem.Title}" + (ex.RetryAfter is { } wait ? $" (retry after {wait.TotalSeconds:0} s)" : ""),
        _ => ex.Problem.Detail ?? ex.Message,
    };

    /// <summary>
    /// Runs a command's calls to the silo, so that a refusal or an unreachable silo reads the same from every
    /// command. <paramref name="failed"/> is the exit code for both; verify keeps 2, as "could not check".
    /// </summary>
    public static async Task<int> CallAsync(TextWriter error, Uri url, Func<Task<int>> body, int failed = 1)
    {
        try
        {
            return await body();
        }
        catch (ReadinessApiException ex)
        {
            await error.WriteLineAsync(Explain(ex));
            return failed;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync(Unreachable(url, ex));
            return failed;
        }
    }

    /// <summary>Said when the silo cannot be reached, also by the commands that handle refusals their own way.</summary>
    public static string Unreachable(Uri url, HttpRequestException ex) => $"Cannot reach the silo at {url}: {ex.Message}. Start it with ./run.sh.";

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
