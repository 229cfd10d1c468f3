using System.Text;
using Readiness.Contracts;
using Readiness.Silo.Security;

namespace Readiness.Silo.Audit;

/// <summary>
/// Signs the Merkle log's tree heads with a key of their own (ES256), not the report key: a head names
/// its purpose and its log in what is signed, and only this key signs heads, so nothing signed for an
/// upward report, or for another database's log, ever verifies as a head of this one.
/// </summary>
public sealed class TreeHeadSigner : IPublishesKeys
{
    /// <summary>Where a Development silo keeps the head key it made: beside its token key.</summary>
    public const string DevelopmentKeyFileName = "dev-head-key.pem";

    private readonly Es256Key key;

    public TreeHeadSigner(SigningKeyRing ring)
    {
        Ring = ring;
        key = ring.Current ?? throw new ArgumentException("A head signer needs the key that signs.", nameof(ring));
    }

    public SigningKeyRing Ring { get; }

    public string KeyId => key.KeyId;

    // Retired keys are read at their date's wall-clock time: the period is the operator's, not the silo's clock for the data.
    public IEnumerable<PublicJwk> PublicKeys => Ring.PublicKeys(DateTimeOffset.UtcNow);

    /// <summary>The detached JWS over a head of <paramref name="log"/>: its purpose, log, size, root and time.</summary>
    public string Sign(long size, byte[] root, DateTimeOffset madeAt, string log) =>
        key.SignDetached(Encoding.UTF8.GetBytes(TreeHeadText.Payload(size, Convert.ToBase64String(root), madeAt, log)));

    /// <summary>Whether a head's signature is this key's, or a retired head key's still published, over the head as given, for <paramref name="log"/>.</summary>
    public bool Holds(TreeHead head, string log) =>
        head.Signature is { } signature && Ring.Verifies(signature, Encoding.UTF8.GetBytes(TreeHeadText.Payload(head with { Log = log })), DateTimeOffset.UtcNow);

    /// <summary>
    /// The key from <c>Readiness:Log:SigningKeyFile</c> or <c>Readiness:Log:SigningKeyPem</c>; in Development
    /// without either, one made once beside the token key. Outside Development a silo without one does not
    /// start: an unsigned head proves nothing to anyone outside the database.
    /// </summary>
    public static TreeHeadSigner Load(IConfiguration configuration, IHostEnvironment environment)
    {
        var ring = SigningKeyRing.Load(configuration, environment, LogOptions.Section, TreeHeadText.Purpose, "the Merkle log's tree heads", DevelopmentKeyFileName);
        return ring.Current is not null ? new(ring) : throw new InvalidOperationException(
                $"{SigningKeyFiles.Named(LogOptions.Section)}, the PEM P-256 private key that signs the Merkle log's tree heads (or {LogOptions.Section}:SigningKeyPem inline), "
                + "is not configured: unsigned heads prove nothing to anyone outside the database. Only a Development silo makes its own head key.");
    }
}
