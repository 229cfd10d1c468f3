namespace Readiness.Silo.Hosting;

/// <summary>
/// Secrets as files, one per setting, named as its environment variable would be
/// (<c>ConnectionStrings__Readiness</c>, <c>Readiness__Auth__SigningKey</c>): what Docker and
/// Kubernetes mount from their secret stores, so that no password stands in an environment listing,
/// a compose file or a process table.
/// </summary>
public static class SecretFiles
{
    /// <summary>The setting (environment: <c>Readiness__SecretsDirectory</c>) naming the directory, such as <c>/run/secrets</c>.</summary>
    public const string Setting = "Readiness:SecretsDirectory";

    public static IConfigurationManager AddSecretFiles(this IConfigurationManager configuration)
    {
        if (configuration[Setting] is { Length: > 0 } directory)
        {
            if (!Directory.Exists(directory))
            {
                throw new InvalidOperationException($"{Setting} names {directory}, which is not a directory.");
            }
            // Read last, so a mounted secret wins over an environment variable left behind by mistake.
            configuration.AddKeyPerFile(directory, optional: false);
        }
        return configuration;
    }
}
