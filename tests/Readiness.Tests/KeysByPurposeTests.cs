using System.Net;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Readiness.Silo.Security;
using Readiness.Silo.Upward;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// Bearer tokens and upward reports are signed with keys of their own; what others check is signed
/// asymmetrically and only its public half is published; secrets on disk are the owner's alone.
/// </summary>
public class KeysByPurposeTests(SiloFixture silo)
{
    private static readonly string[] JwkMembers = ["alg", "crv", "kid", "kty", "purpose", "use", "x", "y"];

    [Fact]
    public async Task The_published_key_set_holds_the_public_head_and_report_keys_each_for_its_purpose_and_never_the_token_key()
    {
        using var anonymous = silo.Host.ClientWith(null);
        using var response = await anonymous.GetAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var keys = document.RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Equal(2, keys.Count);
        foreach (var each in keys)
        {
            Assert.Equal(JwkMembers, each.EnumerateObject().Select(m => m.Name).Order(StringComparer.Ordinal));
            Assert.False(each.TryGetProperty("d", out _));
            Assert.Equal(("EC", "P-256", "sig", "ES256"),
                (each.GetProperty("kty").GetString(), each.GetProperty("crv").GetString(), each.GetProperty("use").GetString(), each.GetProperty("alg").GetString()));
            Assert.Equal(EchelonAbove.Thumbprint(each), each.GetProperty("kid").GetString());
        }
        var key = keys.Single(k => k.GetProperty("purpose").GetString() == "readiness-upward-report/v1");
        var head = keys.Single(k => k.GetProperty("purpose").GetString() == "readiness-tree-head/v1");
        using var headKey = Es256Key.FromPem(SiloHost.HeadKeyPem, "the test head key");
        Assert.Equal(headKey.KeyId, head.GetProperty("kid").GetString());
        Assert.NotEqual(key.GetProperty("kid").GetString(), head.GetProperty("kid").GetString());

        // The token key is symmetric: published in any form, anyone could mint tokens with it.
        var tokenKey = Encoding.UTF8.GetBytes(SiloHost.SigningKey);
        Assert.DoesNotContain(SiloHost.SigningKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(System.Buffers.Text.Base64Url.EncodeToString(tokenKey), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(tokenKey), text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"oct\"", text, StringComparison.Ordinal);
        using var reportKey = Es256Key.FromPem(SiloHost.ReportKeyPem, "the test report key");
        Assert.Equal(reportKey.KeyId, key.GetProperty("kid").GetString());

        var openApi = await silo.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        Assert.Contains("\"/.well-known/jwks.json\"", openApi, StringComparison.Ordinal);
        Assert.Contains("\"GetPublicKeys\"", openApi, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_outside_Development_with_endpoints_and_no_report_key_refuses_to_start()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var database = await cluster.CreateDatabaseAsync("nokey");
        var settings = new Dictionary<string, string>
        {
            ["environment"] = Environments.Production,
            ["Readiness:UpwardReports:SigningKeyPem"] = "",
            ["Readiness:UpwardReports:Endpoints:0:Name"] = "military-region-1",
            ["Readiness:UpwardReports:Endpoints:0:Url"] = "http://127.0.0.1:9/reports",
        };
        await using var host = new SiloHost(database, loadDemo: false, settings: settings);

        var refusal = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAndWaitUntilReadyAsync(TimeSpan.FromSeconds(30)));

        Assert.IsNotType<TimeoutException>(refusal);
        Assert.Empty(host.ReadinessAnswers);
        var problems = ProfileProblems(settings);
        Assert.Contains("Readiness:UpwardReports:SigningKeyFile", problems, StringComparison.Ordinal);
        Assert.Contains("Readiness__UpwardReports__SigningKeyFile", problems, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_outside_Development_without_a_head_key_refuses_to_start_and_names_the_setting()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var database = await cluster.CreateDatabaseAsync("noheadkey");
        // No endpoints: the report key is not needed, and the head key is needed all the same.
        var settings = new Dictionary<string, string>
        {
            ["environment"] = Environments.Production,
            ["Readiness:Log:SigningKeyPem"] = "",
        };
        await using var host = new SiloHost(database, loadDemo: false, settings: settings);

        var refusal = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAndWaitUntilReadyAsync(TimeSpan.FromSeconds(30)));
        var load = Assert.Throws<InvalidOperationException>(() => Readiness.Silo.Audit.TreeHeadSigner.Load(Settings(), new Environment(Environments.Production)));

        Assert.IsNotType<TimeoutException>(refusal);
        Assert.Empty(host.ReadinessAnswers);
        var problems = ProfileProblems(settings);
        Assert.Contains("Readiness:Log:SigningKeyFile", problems, StringComparison.Ordinal);
        Assert.Contains("Readiness__Log__SigningKeyFile", problems, StringComparison.Ordinal);
        Assert.DoesNotContain("Readiness:UpwardReports:SigningKeyFile", problems, StringComparison.Ordinal);
        Assert.Contains("Readiness:Log:SigningKeyFile", load.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("thirty-one-bytes-is-one-too-few")]
    public async Task A_silo_outside_Development_without_a_token_signing_key_refuses_to_start_and_names_the_setting(string key)
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var database = await cluster.CreateDatabaseAsync("notokenkey");
        // Were it to make a key of its own here, as Development does, every silo of a cluster would sign with a different one.
        var settings = new Dictionary<string, string>
        {
            ["environment"] = Environments.Production,
            ["Readiness:Auth:SigningKey"] = key,
        };
        await using var host = new SiloHost(database, loadDemo: false, settings: settings);

        var refusal = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAndWaitUntilReadyAsync(TimeSpan.FromSeconds(30)));

        Assert.IsNotType<TimeoutException>(refusal);
        Assert.Empty(host.ReadinessAnswers);
        Assert.Contains("Readiness:Auth:SigningKey", ProfileProblems(settings), StringComparison.Ordinal);
    }

    [Fact]
    public void The_old_HMAC_setting_and_two_keys_at_once_are_refused_rather_than_guessed_at()
    {
        var production = new Environment(Environments.Production);
        var old = Assert.Throws<InvalidOperationException>(() => UpwardReportSigner.Load(Settings(("SigningKey", "a-shared-secret-of-thirty-two-bytes!")), production));
        var both = Assert.Throws<InvalidOperationException>(() => UpwardReportSigner.Load(
            Settings(("SigningKeyPem", SiloHost.ReportKeyPem), ("SigningKeyFile", "/nonexistent/report-key.pem")), production));
        var noEndpoints = UpwardReportSigner.Load(Settings(), production);

        Assert.Contains("SigningKeyFile", old.Message, StringComparison.Ordinal);
        Assert.Contains("Both", both.Message, StringComparison.Ordinal);
        Assert.Null(noEndpoints.KeyId);
        Assert.Empty(noEndpoints.PublicKeys);
    }

    [Theory]
    [UnsupportedOSPlatform("windows")]
    [InlineData(UnixFileMode.GroupRead, "0640")]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.OtherRead, "0644")]
    [InlineData(UnixFileMode.OtherRead, "0604")]
    public async Task A_report_key_file_others_may_read_stops_a_silo_outside_development_naming_the_file_its_mode_and_the_fix(UnixFileMode wider, string mode)
    {
        var directory = Directory.CreateTempSubdirectory("readiness-report-key-");
        try
        {
            var file = Path.Combine(directory.FullName, "report-key.pem");
            await PrivateFile.WriteAsync(file, Es256Key.NewPem(), TestContext.Current.CancellationToken);
            var settings = Settings(("SigningKeyFile", file));
            var kept = UpwardReportSigner.Load(settings, new Environment(Environments.Production));
            File.SetUnixFileMode(file, PrivateFile.Mode | wider);

            var refusal = Assert.Throws<InvalidOperationException>(() => UpwardReportSigner.Load(settings, new Environment(Environments.Production)));
            var development = UpwardReportSigner.Load(settings, new Environment(Environments.Development));

            Assert.NotNull(kept.KeyId);
            Assert.Contains($"Readiness:UpwardReports:SigningKeyFile names {file}, whose mode {mode}", refusal.Message, StringComparison.Ordinal);
            Assert.EndsWith($"chmod 600 {file}", refusal.Message, StringComparison.Ordinal);
            Assert.Equal(kept.KeyId, development.KeyId);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Development_keys_and_token_are_readable_by_their_owner_alone()
    {
        var directory = Directory.CreateTempSubdirectory("readiness-keys-");
        try
        {
            var keyFile = Path.Combine(directory.FullName, "dev-signing-key");
            var tokenFile = Path.Combine(directory.FullName, "dev-token");
            var reportKeyFile = Path.Combine(directory.FullName, UpwardReportSigner.DevelopmentKeyFileName);
            var headKeyFile = Path.Combine(directory.FullName, Readiness.Silo.Audit.TreeHeadSigner.DevelopmentKeyFileName);
            // A token left by an older silo, readable by all: it must be narrowed before the new token goes in.
            await File.WriteAllTextAsync(tokenFile, "stale\n", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(tokenFile, PrivateFile.Mode | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            var cluster = await PostgresCluster.EnsureStartedAsync();
            await using var database = await cluster.CreateDatabaseAsync("devkeys");
            string? kid;
            await using (var host = new SiloHost(database, loadDemo: false, settings: new Dictionary<string, string>
            {
                ["Readiness:Auth:SigningKey"] = "",
                ["Readiness:Auth:DevelopmentKeyFile"] = keyFile,
                ["Readiness:UpwardReports:SigningKeyPem"] = "",
                ["Readiness:Log:SigningKeyPem"] = "",
            }))
            {
                using var http = await host.StartAndWaitUntilReadyAsync();
                using var anonymous = host.ClientWith(null);
                using var jwks = JsonDocument.Parse(await anonymous.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative)));
                kid = jwks.RootElement.GetProperty("keys").EnumerateArray().Single(k => k.GetProperty("purpose").GetString() == "readiness-upward-report/v1").GetProperty("kid").GetString();
            }

            foreach (var file in new[] { keyFile, tokenFile, reportKeyFile, headKeyFile })
            {
                Assert.True(File.Exists(file), file);
                Assert.Equal(PrivateFile.Mode, File.GetUnixFileMode(file));
            }
            Assert.NotEqual("stale\n", await File.ReadAllTextAsync(tokenFile, TestContext.Current.CancellationToken));
            // Made once: the next start signs with the same key, so the echelon above need not learn a new one.
            using var again = Es256Key.FromPem(await File.ReadAllTextAsync(reportKeyFile, TestContext.Current.CancellationToken), reportKeyFile);
            Assert.Equal(kid, again.KeyId);
            var reloaded = UpwardReportSigner.Load(Settings(("Readiness:Auth:DevelopmentKeyFile", keyFile)), new Environment(Environments.Development));
            Assert.Equal(kid, reloaded.KeyId);
            // Two keys, one a purpose: the head key made beside it is another.
            var heads = Readiness.Silo.Audit.TreeHeadSigner.Load(Settings(("Readiness:Auth:DevelopmentKeyFile", keyFile)), new Environment(Environments.Development));
            Assert.NotEqual(kid, heads.KeyId);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Settings by their full names; a bare name is one of <c>Readiness:UpwardReports</c>.</summary>
    private static IConfiguration Settings(params (string Key, string Value)[] settings) => new ConfigurationBuilder()
        .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(
            s.Key.Contains(':', StringComparison.Ordinal) ? s.Key : $"{UpwardReportOptions.Section}:{s.Key}", s.Value)))
        .Build();

    /// <summary>
    /// What the production profile lists for these settings. The silo prints that list to standard error and
    /// exits, which an in-process host sees only as an entry point that ended; ProductionProfileTests reads it
    /// from a silo process.
    /// </summary>
    private static string ProfileProblems(IReadOnlyDictionary<string, string> settings) =>
        string.Join(" | ", Readiness.Silo.Hosting.ProductionProfile.Problems(new ConfigurationBuilder().AddInMemoryCollection(settings!).Build()));

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Readiness.Silo";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
