using System.Runtime.Versioning;
using System.Security.Cryptography.X509Certificates;
using Readiness.Silo.Hosting;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary><c>infra/dev-certs.sh</c>: the cluster's development certificates, which the silos accept as peers, with keys nobody else on the machine can read.</summary>
[UnsupportedOSPlatform("windows")]
public class DevCertificatesTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode Public = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public async Task The_script_writes_private_keys_for_the_owner_alone_and_narrows_a_key_an_older_version_left_readable()
    {
        var directory = Directory.CreateTempSubdirectory("readiness-certs-");
        try
        {
            var environment = new Dictionary<string, string?> { ["READINESS_CERTS_DIR"] = directory.FullName };

            var first = await ProcessRun.RunAsync("bash", ["infra/dev-certs.sh", "silo-a"], PostgresCluster.RepositoryRoot, environment, TimeSpan.FromMinutes(1));
            var firstModes = Modes(directory);
            File.SetUnixFileMode(Path.Combine(directory.FullName, "silo-a.key"), Public);
            var again = await ProcessRun.RunAsync("bash", ["infra/dev-certs.sh", "silo-a", "silo-b"], PostgresCluster.RepositoryRoot, environment, TimeSpan.FromMinutes(1));

            Assert.Equal(0, first.ExitCode);
            Assert.Equal(new Dictionary<string, UnixFileMode> { ["ca.key"] = OwnerOnly, ["ca.pem"] = Public, ["silo-a.key"] = OwnerOnly, ["silo-a.pem"] = Public }, firstModes);
            Assert.Equal(0, again.ExitCode);
            Assert.Equal(
                new Dictionary<string, UnixFileMode> { ["ca.key"] = OwnerOnly, ["ca.pem"] = Public, ["silo-a.key"] = OwnerOnly,
                    ["silo-a.pem"] = Public, ["silo-b.key"] = OwnerOnly, ["silo-b.pem"] = Public },
                Modes(directory));
            // Still what a silo loads: the certificate with its key, issued by the CA beside it.
            using var silo = X509Certificate2.CreateFromPemFile(Path.Combine(directory.FullName, "silo-b.pem"), Path.Combine(directory.FullName, "silo-b.key"));
            using var authority = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory.FullName, "ca.pem"));
            Assert.True(silo.HasPrivateKey);
            Assert.Equal(authority.Subject, silo.Issuer);
            // And one the other silos accept by default, on either end of a connection: its name and both usages.
            var peers = new ClusterPeers([authority], []);
            Assert.Null(peers.Refusal(silo, PeerRole.Client));
            Assert.Null(peers.Refusal(silo, PeerRole.Server));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static Dictionary<string, UnixFileMode> Modes(DirectoryInfo directory) =>
        directory.GetFiles().ToDictionary(f => f.Name, f => File.GetUnixFileMode(f.FullName));
}
