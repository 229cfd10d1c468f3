using System.Text;
using Readiness.Silo.Security;

namespace Readiness.Silo.Upward;

/// <summary>
/// Signs upward reports with a key of their own (ES256), so that the echelon above, which checks
/// them, holds only a public key: nothing it learns lets it sign a token or a report.
/// </summary>
public sealed class UpwardReportSigner(Es256Key? key) : IPublishesKeys
{
    /// <summary>Where a Development silo keeps the report key it made: beside its token key.</summary>
    public const string DevelopmentKeyFileName = "dev-report-key.pem";

    /// <summary>The header a report's detached JWS travels in.</summary>
    public const string Header = "X-Readiness-Signature";

    public string? KeyId => key?.KeyId;

    public IEnumerable<PublicJwk> PublicKeys => key is null ? [] : [key.PublicKey];

    /// <summary>A detached JWS over the exact UTF-8 bytes of the body that is sent.</summary>
    public string Sign(string body) =>
        (key ?? throw new InvalidOperationException($"Upward reports cannot be signed: {UpwardReportOptions.Section}:SigningKeyFile is not configured."))
            .SignDetached(Encoding.UTF8.GetBytes(body));

    /// <summary>Whether a stored signature is by today's key; one by an earlier key (or an older kind of signature) is made again before sending.</summary>
    public bool IsCurrent(string signature) => key is not null && Es256Key.KeyIdOf(signature) == key.KeyId;

    /// <summary>
    /// The key from <c>SigningKeyFile</c> or <c>SigningKeyPem</c>; in Development without either, one made
    /// once and kept beside the token key. Outside Development a silo with endpoints and no key does not start.
    /// </summary>
    public static UpwardReportSigner Load(IConfiguration configuration, IHostEnvironment environment)
    {
        const string section = UpwardReportOptions.Section;
        var settings = configuration.GetSection(section);
        var options = settings.Get<UpwardReportOptions>() ?? new UpwardReportOptions();
        if (!string.IsNullOrWhiteSpace(settings["SigningKey"]))
        {
            throw new InvalidOperationException(
                $"{section}:SigningKey (an HMAC key) is no longer used: reports are signed with ES256 by a key of their own. " +
                $"Remove it and set {section}:SigningKeyFile (environment: Readiness__UpwardReports__SigningKeyFile) to a PEM P-256 private key, or {section}:SigningKeyPem.");
        }
        var hasFile = !string.IsNullOrWhiteSpace(options.SigningKeyFile);
        var hasPem = !string.IsNullOrWhiteSpace(options.SigningKeyPem);
        if (hasFile && hasPem)
        {
            throw new InvalidOperationException($"Both {section}:SigningKeyFile and {section}:SigningKeyPem are set; set one, so that there is no doubt which key signs reports.");
        }
        if (hasFile)
        {
            var file = Path.GetFullPath(options.SigningKeyFile!);
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"{section}:SigningKeyFile names {file}, which does not exist.");
            }
            if (!environment.IsDevelopment() && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & ~PrivateFile.Mode) != 0)
            {
                // Whoever can read the key can sign heads and reports the echelon above will believe.
                throw new InvalidOperationException(
                    $"{section}:SigningKeyFile names {file}, whose mode {Octal(File.GetUnixFileMode(file))} lets its group or others use it; " +
                    $"the key that signs tree heads and upward reports must be its owner's alone. Fix it with: chmod 600 {file}");
            }
            return new UpwardReportSigner(Es256Key.FromPem(File.ReadAllText(file), $"{section}:SigningKeyFile ({file})"));
        }
        if (hasPem)
        {
            return new UpwardReportSigner(Es256Key.FromPem(options.SigningKeyPem!, $"{section}:SigningKeyPem"));
        }
        if (environment.IsDevelopment())
        {
            var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
            var file = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(auth.DevelopmentKeyFile))!, DevelopmentKeyFileName);
            return new UpwardReportSigner(Es256Key.FromPem(PrivateFile.ReadOrCreate(file, Es256Key.NewPem), file));
        }
        if (options.Endpoints.Count > 0)
        {
            throw new InvalidOperationException(
                $"{section}:SigningKeyFile is not configured (environment: Readiness__UpwardReports__SigningKeyFile, a PEM P-256 private key; " +
                $"or {section}:SigningKeyPem inline), and reports to {string.Join(", ", options.Endpoints.Select(e => e.Name))} must be signed. " +
                "Only a Development silo makes its own report key.");
        }
        return new UpwardReportSigner(null);
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}

public static class UpwardReportExtensions
{
    /// <summary>The report key is read while the silo is configured, so that a missing or unusable one stops it before it serves.</summary>
    public static WebApplicationBuilder AddUpwardReports(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var signer = UpwardReportSigner.Load(builder.Configuration, builder.Environment);
        services.AddOptions<UpwardReportOptions>().Bind(builder.Configuration.GetSection(UpwardReportOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(signer);
        services.AddSingleton<IPublishesKeys>(signer);
        services.AddSingleton<UpwardReporter>();
        services.AddHostedService(provider => provider.GetRequiredService<UpwardReporter>());
        return builder;
    }
}
