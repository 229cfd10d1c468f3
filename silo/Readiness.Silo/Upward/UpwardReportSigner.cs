using System.Text;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Silo.Security;

namespace Readiness.Silo.Upward;

/// <summary>
/// Signs upward reports with a key of their own (ES256), so that the echelon above, which checks
/// them, holds only a public key: nothing it learns lets it sign a token or a report.
/// </summary>
public sealed class UpwardReportSigner(SigningKeyRing ring) : IPublishesKeys
{
    private readonly Es256Key? key = ring.Current;

    /// <summary>Where a Development silo keeps the report key it made: beside its token key.</summary>
    public const string DevelopmentKeyFileName = "dev-report-key.pem";

    /// <summary>The header a report's detached JWS travels in.</summary>
    public const string Header = "X-Readiness-Signature";

    public string? KeyId => key?.KeyId;

    public SigningKeyRing Ring => ring;

    public IEnumerable<PublicJwk> PublicKeys => ring.PublicKeys(DateTimeOffset.UtcNow);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <summary>
    /// The report as the body that is sent and a detached JWS over its exact UTF-8 bytes. Only a report the
    /// silo built is signed, never text from elsewhere, and its body names its purpose and log, so that
    /// nothing signed here passes for a tree head or anything else.
    /// </summary>
    public (string Body, string Signature) Sign(UpwardReport report)
    {
        var signing = key ?? throw new InvalidOperationException($"Upward reports cannot be signed: {UpwardReportOptions.Section}:SigningKeyFile is not configured.");
        var body = JsonSerializer.Serialize(report with { Purpose = UpwardReport.SignedPurpose }, Json);
        return (body, signing.SignDetached(Encoding.UTF8.GetBytes(body)));
    }

    /// <summary>Whether a stored body and signature are one this silo's current key made: what was signed and not changed since.</summary>
    public bool Holds(string body, string signature) =>
        key is not null && Es256Key.KeyIdOf(signature) == key.KeyId
        && DetachedJws.VerifyEs256(signature, Encoding.UTF8.GetBytes(body), key.PublicKey.X, key.PublicKey.Y);

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
        var ring = SigningKeyRing.Load(configuration, environment, section, UpwardReport.SignedPurpose, "upward reports", DevelopmentKeyFileName);
        if (ring.Current is null && options.Endpoints.Count > 0)
        {
            throw new InvalidOperationException(
                $"{section}:SigningKeyFile is not configured (environment: Readiness__UpwardReports__SigningKeyFile, a PEM P-256 private key; " +
                $"or {section}:SigningKeyPem inline), and reports to {string.Join(", ", options.Endpoints.Select(e => e.Name))} must be signed. " +
                "Only a Development silo makes its own report key.");
        }
        return new UpwardReportSigner(ring);
    }
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
        services.AddSingleton(signer.Ring);
        // Before anything signs: a key that signs must have been published before (as the next key), or be the first.
        services.AddHostedService<KeyPublications>();
        services.AddSingleton<UpwardReporter>();
        services.AddHostedService(provider => provider.GetRequiredService<UpwardReporter>());
        return builder;
    }
}
