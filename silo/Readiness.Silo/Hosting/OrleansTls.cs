using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace Readiness.Silo.Hosting;

/// <summary>
/// Mutual TLS between silos and at the gateway (<c>Readiness:Orleans:Tls</c>): each end shows a
/// certificate and accepts the other's only if it is pinned by thumbprint, or chains to the cluster's
/// CA and carries both the usage its end of the connection needs and a name the cluster expects.
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

    /// <summary>
    /// The names a certificate the CA issued must carry (a DNS name in its subject alternative names, or
    /// its common name when it has none) to be a peer: exact, or with <c>*</c> for any run of characters
    /// within one label, such as <c>silo-*</c> or <c>*.silos.example.org</c>. Empty means
    /// <see cref="DefaultPeerNames"/>, what <c>infra/dev-certs.sh</c> issues by default.
    /// </summary>
    /// <remarks>Empty rather than holding the default: the configuration binder adds to an array it finds filled.</remarks>
    public string[] PeerNames { get; set; } = [];

    public static readonly string[] DefaultPeerNames = ["silo-*"];

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(CertificatePath) || !string.IsNullOrWhiteSpace(CaPath) || AllowedThumbprints.Length > 0;
}

internal static partial class OrleansTls
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
        // Checked here rather than met as a cluster that never forms: the peers apply the same rule to this
        // certificate. Not with thumbprints alone: each silo may pin the others' and not its own.
        if (!string.IsNullOrWhiteSpace(tls.CaPath)
            && (peers.Refusal(certificate, PeerRole.Server) ?? peers.Refusal(certificate, PeerRole.Client)) is { } refusal)
        {
            throw new InvalidOperationException(
                $"{OrleansTlsOptions.Section}:CertificatePath's certificate ({certificate.Subject}) would be refused by the other silos: {refusal}. "
                + $"Issue it from the CA in {OrleansTlsOptions.Section}:CaPath with extendedKeyUsage serverAuth and clientAuth and a name that "
                + $"{OrleansTlsOptions.Section}:PeerNames matches (as infra/dev-certs.sh does), or pin it in {OrleansTlsOptions.Section}:AllowedThumbprints.");
        }
        // Orleans' UseTls gives both directions one validation, which cannot tell a connection accepted
        // (the peer is a client and must carry client authentication) from one dialled (a server).
        silo.Configure<SiloConnectionOptions>(connections =>
        {
            connections.ConfigureSiloInboundConnection(connection => connection.UseServerTls(Options(connection, certificate, peers, PeerRole.Client)));
            connections.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(Options(connection, certificate, peers, PeerRole.Client)));
            connections.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(Options(connection, certificate, peers, PeerRole.Server)));
        });
    }

    private static TlsOptions Options(IConnectionBuilder connection, X509Certificate2 certificate, ClusterPeers peers, PeerRole peerIs)
    {
        var logger = connection.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OrleansTls));
        return new TlsOptions
        {
            LocalCertificate = certificate,
            // Both directions insist on a certificate: a gateway client or a silo that shows none is
            // turned away during the handshake, before it can send a single message.
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            RemoteCertificateValidation = (peer, _, _) =>
            {
                if (peers.Refusal(peer, peerIs) is not { } refusal)
                {
                    return true;
                }
                LogRefusedPeer(logger, peerIs == PeerRole.Client ? "client" : "server", peer.Subject, refusal);
                return false;
            },
        };
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS handshake refused: the {Peer}'s certificate {Subject} {Refusal}")]
    private static partial void LogRefusedPeer(ILogger logger, string peer, string subject, string refusal);

    internal static string Existing(string? path, string setting) =>
        string.IsNullOrWhiteSpace(path)
            ? throw new InvalidOperationException($"{OrleansTlsOptions.Section}:{setting} is required when TLS is configured.")
            : File.Exists(path) ? Path.GetFullPath(path)
            : throw new InvalidOperationException($"{OrleansTlsOptions.Section}:{setting} '{path}' does not exist (relative to {Environment.CurrentDirectory}).");
}

/// <summary>What the other end of a connection is: it dialled this silo (a client), or this silo dialled it (a server).</summary>
public enum PeerRole
{
    Client,
    Server,
}

/// <summary>
/// Who may connect: certificates pinned by thumbprint, and those the cluster's CA issued for the
/// peer's end of the connection (extended key usage client authentication for one that dials,
/// server authentication for one dialled) under a name the cluster expects.
/// </summary>
/// <remarks>
/// Why more than the chain: a CA seldom issues for one purpose only. Without the usage, a certificate
/// it issued to sign code or to serve a web site would open the gateway; without the name, one issued
/// to any other host of the organisation would. A certificate with no extended key usage at all is
/// refused too, although X.509 reads that as "any use": the cluster's are issued with theirs.
/// </remarks>
public sealed class ClusterPeers
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly X509Certificate2Collection authorities;
    private readonly HashSet<string> pinned;
    private readonly Regex[] names;

    public ClusterPeers(X509Certificate2Collection authorities, IEnumerable<string> pinned, IEnumerable<string>? names = null)
    {
        this.authorities = authorities;
        this.pinned = new HashSet<string>(pinned.Select(Normalise), StringComparer.Ordinal);
        if (authorities.Count == 0 && this.pinned.Count == 0)
        {
            throw new InvalidOperationException(
                $"{OrleansTlsOptions.Section}:CaPath or {OrleansTlsOptions.Section}:AllowedThumbprints is required: without either, no peer could be trusted.");
        }
        var patterns = names?.Where(n => !string.IsNullOrWhiteSpace(n)).ToArray() is { Length: > 0 } given ? given : OrleansTlsOptions.DefaultPeerNames;
        this.names = [.. patterns.Select(NamePattern)];
        PeerNames = patterns;
    }

    /// <summary>The name patterns in force, as configured or by default.</summary>
    public IReadOnlyList<string> PeerNames { get; }

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
        return new ClusterPeers(authorities, tls.AllowedThumbprints, tls.PeerNames);
    }

    public bool Accepts(X509Certificate2 peer, PeerRole role) => Refusal(peer, role) is null;

    /// <summary>
    /// Null when the certificate is accepted, else why not. Decided here alone, not from the platform's
    /// verdict: that one is against the machine's public roots and the host name dialled, while a silo
    /// is dialled by IP and its peers come from a private CA.
    /// </summary>
    public string? Refusal(X509Certificate2 peer, PeerRole role)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (pinned.Count > 0
            && (pinned.Contains(Normalise(peer.Thumbprint)) || pinned.Contains(Convert.ToHexString(peer.GetCertHash(HashAlgorithmName.SHA256)))))
        {
            return null;
        }
        if (authorities.Count == 0)
        {
            return "is not pinned, and no CA is configured";
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        // A private cluster CA publishes no revocation list; a compromised certificate is dealt with by
        // replacing the CA (or pinning thumbprints instead).
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!chain.Build(peer))
        {
            return "does not chain to the cluster's CA";
        }
        var usage = role == PeerRole.Client ? ClientAuthentication : ServerAuthentication;
        if (!peer.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == usage.Value)))
        {
            return $"lacks the extended key usage {(role == PeerRole.Client ? "clientAuth" : "serverAuth")} ({usage.Value})";
        }
        var carried = Names(peer);
        if (!carried.Any(name => names.Any(pattern => pattern.IsMatch(name))))
        {
            return $"names {(carried.Count == 0 ? "nothing" : string.Join(", ", carried))}, none of which {OrleansTlsOptions.Section}:PeerNames ({string.Join(", ", PeerNames)}) matches";
        }
        return null;
    }

    /// <summary>Its DNS names, or its common name when it has no subject alternative names (RFC 6125).</summary>
    private static List<string> Names(X509Certificate2 peer)
    {
        if (peer.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault() is { } alternatives)
        {
            return [.. alternatives.EnumerateDnsNames()];
        }
        return peer.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } common ? [common] : [];
    }

    private static Regex NamePattern(string pattern) =>
        new("^" + string.Join("[^.]*", pattern.Trim().Split('*').Select(Regex.Escape)) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));

    private static string Normalise(string thumbprint) =>
        new string(thumbprint.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();
}
