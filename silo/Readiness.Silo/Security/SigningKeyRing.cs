using System.Globalization;
using Readiness.Domain.Integrity;

namespace Readiness.Silo.Security;

/// <summary>
/// The keys of one purpose (tree heads, upward reports), so that each can rotate without a moment when a checker
/// lacks the key it needs: the key that signs, the next key (published, never signing, until an operator promotes
/// it), and retired keys (public halves, published for checking until their date). See docs/operations.md,
/// "Rotating a signing key".
/// </summary>
public sealed class SigningKeyRing
{
    private readonly IReadOnlyList<(PublicJwk Key, DateTimeOffset Until)> retired;

    public SigningKeyRing(string section, string purpose, Es256Key? current, Es256Key? next = null, IReadOnlyList<(PublicJwk Key, DateTimeOffset Until)>? retired = null)
    {
        Section = section;
        Purpose = purpose;
        Current = current;
        Next = next;
        this.retired = retired ?? [];
        if (next is not null && current is not null && next.KeyId == current.KeyId)
        {
            throw new InvalidOperationException($"{section}:NextSigningKeyFile is the key that signs now ({current.KeyId}); the next key must be a new one.");
        }
    }

    /// <summary>The settings section the keys are configured in, for refusals.</summary>
    public string Section { get; }

    public string Purpose { get; }

    /// <summary>The key that signs; null when none is configured (a silo with nothing to sign for this purpose).</summary>
    public Es256Key? Current { get; }

    public Es256Key? Next { get; }

    /// <summary>Every key published for this purpose at <paramref name="now"/>: the current, the next, and the retired ones not yet past their date.</summary>
    public IEnumerable<PublicJwk> PublicKeys(DateTimeOffset now) =>
        [
            .. Current is null ? [] : new[] { Current.PublicKey with { Purpose = Purpose } },
            .. Next is null ? [] : new[] { Next.PublicKey with { Purpose = Purpose, Status = "next" } },
            .. retired.Where(r => now < r.Until).Select(r => r.Key with { Purpose = Purpose, Status = "retired" }),
        ];

    /// <summary>Whether <paramref name="signature"/> over <paramref name="payload"/> holds with the current key or a retired one still published.</summary>
    public bool Verifies(string signature, ReadOnlySpan<byte> payload, DateTimeOffset now)
    {
        var kid = DetachedJws.KeyIdOf(signature);
        var key = PublicKeys(now).FirstOrDefault(k => k.Kid == kid && k.Status != "next");
        return key is not null && DetachedJws.VerifyEs256(signature, payload, key.X, key.Y);
    }

    /// <summary>
    /// The ring of <paramref name="section"/>: its <c>SigningKeyFile</c>/<c>SigningKeyPem</c> (or the Development key),
    /// <c>NextSigningKeyFile</c>/<c>NextSigningKeyPem</c>, and <c>RetiredKeys:N:PublicKeyFile</c> with <c>RetiredKeys:N:Until</c>.
    /// </summary>
    public static SigningKeyRing Load(IConfiguration configuration, IHostEnvironment environment, string section, string purpose, string signs, string developmentFileName)
    {
        var current = SigningKeyFiles.Load(configuration, environment, section, signs, developmentFileName);
        var next = SigningKeyFiles.Load(configuration, environment, section, signs, null, prefix: "Next");
        var retired = configuration.GetSection($"{section}:RetiredKeys").GetChildren().Select(entry =>
        {
            var setting = $"{section}:RetiredKeys:{entry.Key}";
            var file = entry["PublicKeyFile"] is { Length: > 0 } named ? Path.GetFullPath(named)
                : throw new InvalidOperationException($"{setting}:PublicKeyFile is not set: name the retired key's PEM file (its public half is enough).");
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"{setting}:PublicKeyFile names {file}, which does not exist.");
            }
            // A retired key is published for a stated time, never for ever: checkers have had that long to take what it signed.
            if (!DateTimeOffset.TryParse(entry["Until"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var until))
            {
                throw new InvalidOperationException($"{setting}:Until is not a date and time (such as 2026-09-01T00:00:00+07:00): say until when the retired key stays published.");
            }
            return (Es256Key.PublicOf(File.ReadAllText(file), $"{setting}:PublicKeyFile ({file})"), until);
        }).ToList();
        return new SigningKeyRing(section, purpose, current, next, retired);
    }
}
