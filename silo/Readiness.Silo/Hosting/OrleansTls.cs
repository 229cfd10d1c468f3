using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Mutual TLS between silos and at the gateway (<c>Readiness:Orleans:Tls</c>): each end shows a
/// certificate and accepts the other's only if it chains to the cluster's CA or is pinned by thumbprint.
/// </summary>
public sealed class OrleansTlsOptions
{
    public const string Section = "Readiness:Orleans:Tls";

    /// <summary>This silo's certificate: a PFX/PKCS#12 file, or a PEM file with its key in <see cref="KeyPath"/> or in the same file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>, when it is a file of its own.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PFX's password, or the PEM key's if it is encrypted.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>The certificate(s), PEM or DER, of the CA that issues the cluster's certificates; a peer must chain to one.</summary>
    public string? CaPath { get; set; }

    /// <summary>Peer certificates accepted by their SHA-1 thumbprint or SHA-256 hash (hex), besides those the CA issued.</summary>
    public string[] AllowedThumbprints { get; set; } = [];

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(CaPath) || AllowedThumbprints.Length > 0;
}

internal static class OrleansTls
{
    /// <summary>
    /// Off the loopback interface the silo and gateway ports are open to the network, and Orleans
    /// messages are neither encrypted nor authenticated; so there the silo starts only with TLS.
    /// </summary>
    public static void Apply(ISiloBuilder silo, OrleansTlsOptions tls, string advertisedSetting, IPAddress advertised)
    {
        if (!tls.IsConfigured)
        {
            if (!IPAddress.IsLoopback(advertised))
            {
                throw new InvalidOperationException(
                    $"Readiness:Orleans:AdvertisedAddress is '{advertisedSetting}' ({advertised}), not loopback, so the silo and gateway ports listen on the network; "
                    + $"they need mutual TLS: set {OrleansTlsOptions.Section}:CertificatePath (with :KeyPath for a PEM key, :CertificatePassword for a PFX) "
                    + $"and {OrleansTlsOptions.Section}:CaPath or {OrleansTlsOptions.Section}:AllowedThumbprints "
                    + "(environment: Readiness__Orleans__Tls__CertificatePath, Readiness__Orleans__Tls__CaPath), or advertise 127.0.0.1.");
            }
            return;
        }

        var certificate = LoadCertificate(tls);
        var peers = ClusterPeers.From(tls);
        silo.UseTls(certificate, options =>
        {
            // Both directions insist on a certificate: a gateway client or a silo that shows none is
            // turned away during the handshake, before it can send a single message.
            options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            options.RemoteCertificateValidation = (peer, _, _) => peers.Accepts(peer);
        });
    }

    public static X509Certificate2 LoadCertificate(OrleansTlsOptions tls)
    {
        var path = Existing(tls.CertificatePath, "CertificatePath");
        X509Certificate2 certificate;
        try
        {
            if (Path.GetExtension(path).ToUpperInvariant() is ".PFX" or ".P12")
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(path, tls.CertificatePassword);
            }
            else
            {
                var keyPath = string.IsNullOrWhiteSpace(tls.KeyPath) ? null : Existing(tls.KeyPath, "KeyPath");
                certificate = tls.CertificatePassword is { Length: > 0 } password
                    ? X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath)
                    : X509Certificate2.CreateFromPemFile(path, keyPath);
            }
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"{OrleansTlsOptions.Section}:CertificatePath '{path}' could not be read as a certificate with its private key: {ex.Message}", ex);
        }
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"{OrleansTlsOptions.Section}:CertificatePath '{path}' has no private key; give it in {OrleansTlsOptions.Section}:KeyPath.");
        }
        return certificate;
    }

    internal static string Existing(string? path, string setting) =>
        string.IsNullOrWhiteSpace(path)
            ? throw new InvalidOperationException($"{OrleansTlsOptions.Section}:{setting} is required when TLS is configured.")
            : File.Exists(path) ? Path.GetFullPath(path)
            : throw new InvalidOperationException($"{OrleansTlsOptions.Section}:{setting} '{path}' does not exist (relative to {Environment.CurrentDirectory}).");
}

/// <summary>Who may connect: certificates issued by the cluster's CA, and any pinned by thumbprint.</summary>
public sealed class ClusterPeers
{
    private readonly X509Certificate2Collection authorities;
    private readonly HashSet<string> pinned;

    public ClusterPeers(X509Certificate2Collection authorities, IEnumerable<string> pinned)
    {
        this.authorities = authorities;
        this.pinned = new HashSet<string>(pinned.Select(Normalise), StringComparer.Ordinal);
        if (authorities.Count == 0 && this.pinned.Count == 0)
        {
            throw new InvalidOperationException(
                $"{OrleansTlsOptions.Section}:CaPath or {OrleansTlsOptions.Section}:AllowedThumbprints is required: without either, no peer could be trusted.");
        }
    }

    public static ClusterPeers From(OrleansTlsOptions tls)
    {
        var authorities = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(tls.CaPath))
        {
            var path = OrleansTls.Existing(tls.CaPath, "CaPath");
            authorities.ImportFromPemFile(path);
            if (authorities.Count == 0)
            {
                authorities.Add(X509CertificateLoader.LoadCertificateFromFile(path));
            }
        }
        return new ClusterPeers(authorities, tls.AllowedThumbprints);
    }

    /// <summary>
    /// Decided here alone, not from the platform's verdict: that one is against the machine's public
    /// roots and the host name dialled, while a silo is dialled by IP and its peers come from a private CA.
    /// </summary>
    public bool Accepts(X509Certificate2 peer)
    {
        if (pinned.Count > 0
            && (pinned.Contains(Normalise(peer.Thumbprint)) || pinned.Contains(Convert.ToHexString(peer.GetCertHash(HashAlgorithmName.SHA256)))))
        {
            return true;
        }
        if (authorities.Count == 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // A private cluster CA publishes no revocation list; a compromised certificate is dealt with by
        // replacing the CA (or pinning thumbprints instead).
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(peer);
    }

    private static string Normalise(string thumbprint) =>
        new string(thumbprint.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();
}
