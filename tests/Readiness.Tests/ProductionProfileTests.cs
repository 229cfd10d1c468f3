using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The silo as an operator deploys it: the built silo and the appsettings.json it ships with, in the
/// Production environment, given only what docs/operations.md says production requires. What
/// Development allows (a demo, made-up keys, plain HTTP, a printed token) must not happen here.
/// </summary>
public sealed class ProductionProfileTests(ProductionProfileTests.ProductionSilo silo) : IClassFixture<ProductionProfileTests.ProductionSilo>
{
    [Fact]
    public async Task A_production_silo_from_the_shipped_files_loads_no_demo_and_prints_no_token()
    {
        // The startup check is healthy only once the demo, if any, was loaded; other tests here register provinces of their own.
        Assert.Equal(0, await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE stream_id LIKE '%bac-kan%'"));
        using var http = silo.Client(ProductionSilo.RootToken());
        using var demo = await http.GetAsync(new Uri("/api/provinces/bac-kan/readiness", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, demo.StatusCode);
        Assert.DoesNotContain("token=", silo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Development token", silo.Output, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> MissingItems => new()
    {
        { "ConnectionStrings__Readiness", "", "ConnectionStrings:Readiness" },
        { "Readiness__Auth__SigningKey", "", "Readiness:Auth:SigningKey" },
        { "Readiness__Auth__SigningKey", "thirty-one-bytes-is-one-too-few", "Readiness:Auth:SigningKey" },
        { "Readiness__Log__SigningKeyFile", "", "Readiness:Log:SigningKeyFile" },
        { "Urls", "http://0.0.0.0:5099", "http://0.0.0.0:5099 is plain HTTP" },
        { "ConnectionStrings__ReadinessOwner", "Host=127.0.0.1;Username=readiness_owner", "ConnectionStrings:ReadinessOwner is set" },
    };

    [Theory]
    [MemberData(nameof(MissingItems))]
    public async Task A_production_silo_refuses_to_start_without_each_item_and_names_it(string variable, string value, string named)
    {
        var changes = new Dictionary<string, string> { [variable] = value };
        if (variable == "Urls")
        {
            // A silo that wrongly accepted the address would listen beyond loopback; without its database it cannot get that far.
            changes["ConnectionStrings__Readiness"] = "";
        }
        var run = await silo.StartAnotherAsync(changes);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(named, run.Output, StringComparison.Ordinal);
        Assert.Contains("does not start in the Production environment", run.Output, StringComparison.Ordinal);
        // The list of what to fix, not a crash: no stack trace for an operator to read past.
        Assert.DoesNotContain("Unhandled exception", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_mints_the_first_token_on_the_host_and_revoking_it_takes_what_it_minted_along()
    {
        var run = await silo.RunCommandAsync("token", "--subject", "first-admin", "--scope", "*", "--role", "admin", "--role", "viewer", "--hours", "1");
        Assert.True(run.ExitCode == 0, run.Output);
        // Standard output is the token alone, so that $(…) takes it whole.
        var first = Assert.Single(run.Standard.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        var firstId = System.Text.RegularExpressions.Regex.Match(run.Output, "token id ([0-9a-f]{32})").Groups[1].Value;

        // It is an administrator's token: it mints, and the API knows it by its id.
        using var firstAdmin = silo.Client(first);
        var viewer = await ProductionSilo.MintAsync(firstAdmin, new TokenRequest("watch-officer", ["*"], [Access.Viewer], 0.5));
        using var root = silo.Client(ProductionSilo.RootToken());
        using var revoke = await root.DeleteAsync(new Uri($"/api/admin/tokens/{firstId}", UriKind.Relative));
        Assert.True(revoke.StatusCode == HttpStatusCode.OK, await revoke.Content.ReadAsStringAsync());
        Assert.Contains(viewer.TokenId, (await revoke.Content.ReadFromJsonAsync<RevokedToken>())!.AlsoRevoked);
        using var refused = await firstAdmin.GetAsync(new Uri("/api/region/provinces", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task The_operator_token_command_refuses_a_reserved_subject_and_records_nothing()
    {
        var before = await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_doc_issuedtoken");

        var run = await silo.RunCommandAsync("token", "--subject", "system", "--scope", "*", "--role", "admin");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("reserved", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Output.Split('\n'), line => line.Trim().StartsWith("ey", StringComparison.Ordinal));
        Assert.Equal(before, await silo.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_doc_issuedtoken"));
    }

    [Fact]
    public async Task Secrets_mounted_as_files_start_a_production_silo_with_none_in_its_environment()
    {
        var directory = Directory.CreateTempSubdirectory("readiness-secrets-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "ConnectionStrings__Readiness"), silo.Database.AppConnectionString);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "Readiness__Auth__SigningKey"), ProductionSilo.Secret);

            var (ready, output) = await silo.StartUntilReadyAsync(new Dictionary<string, string>
            {
                ["ConnectionStrings__Readiness"] = "",
                ["Readiness__Auth__SigningKey"] = "",
                ["Readiness__SecretsDirectory"] = directory.FullName,
            });

            Assert.True(ready, output);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_production_silo_whose_report_key_others_may_read_refuses_to_start_and_says_how_to_fix_it()
    {
        var shared = Path.Combine(Path.GetDirectoryName(silo.ReportKeyFile)!, "shared-report-key.pem");
        File.Copy(silo.ReportKeyFile, shared);
        File.SetUnixFileMode(shared, PrivateFile.Mode | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var run = await silo.StartAnotherAsync(new Dictionary<string, string> { ["Readiness__UpwardReports__SigningKeyFile"] = shared });

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"{shared}, whose mode 0644", run.Output, StringComparison.Ordinal);
        Assert.Contains($"chmod 600 {shared}", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_production_silo_answers_over_HTTPS_and_tells_browsers_to_stay_there()
    {
        using var http = silo.Client(token: null);
        using var response = await http.GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal("https", silo.BaseAddress.Scheme);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_live_stream_ends_within_2_s_of_its_tokens_revocation()
    {
        var province = await silo.NewProvinceAsync();
        using var root = silo.Client(ProductionSilo.RootToken());
        var viewer = await ProductionSilo.MintAsync(root, new TokenRequest("viewer-of-" + province, [province], [Access.Viewer], 0.5));
        using var watcher = silo.Client(viewer.Token);
        using var response = await watcher.GetAsync(new Uri($"/api/provinces/{province}/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(patience.Token) is { } line && !line.StartsWith("data: ", StringComparison.Ordinal))
        {
            // The current view comes first; the stream is open once it has.
        }

        using var revoke = await root.DeleteAsync(new Uri($"/api/admin/tokens/{viewer.TokenId}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        var clock = Stopwatch.StartNew();
        var ended = false;
        try
        {
            while (await reader.ReadLineAsync(patience.Token) is not null)
            {
                // Heartbeats and changes, until the silo closes the stream.
            }
            ended = true;
        }
        catch (IOException)
        {
            ended = true;
        }
        catch (HttpRequestException)
        {
            ended = true;
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            // Out of patience: the stream stayed open.
        }

        Assert.True(ended, "The stream was still open 30 s after its token was revoked.");
        Assert.True(clock.Elapsed <= TimeSpan.FromSeconds(2), $"The stream ended {clock.Elapsed.TotalSeconds:F1} s after its token was revoked; at most 2 s.");
    }

    [Fact]
    public async Task A_minted_token_expires_no_later_than_its_minter_and_is_revoked_with_it()
    {
        using var root = silo.Client(ProductionSilo.RootToken());
        var admin = await ProductionSilo.MintAsync(root, new TokenRequest("officer-admin", [Access.Everywhere], [Access.Admin, Access.Viewer], 0.5));
        using var asAdmin = silo.Client(admin.Token);

        using var tooLong = await asAdmin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("officer-viewer", ["bac-kan"], [Access.Viewer], 2));
        var refusal = await tooLong.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("may not outlive the token that mints it", refusal, StringComparison.Ordinal);

        var viewer = await ProductionSilo.MintAsync(asAdmin, new TokenRequest("officer-viewer", ["bac-kan"], [Access.Viewer], 0.25));
        Assert.True(viewer.ExpiresAt <= admin.ExpiresAt, $"The minted token expires at {viewer.ExpiresAt:O}, after its minter's {admin.ExpiresAt:O}.");
        using var asViewer = silo.Client(viewer.Token);
        using (var before = await asViewer.GetAsync(new Uri("/api/region/provinces", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using var revoke = await root.DeleteAsync(new Uri($"/api/admin/tokens/{admin.TokenId}", UriKind.Relative));
        var revoked = await revoke.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(viewer.TokenId, Assert.Single(revoked.GetProperty("alsoRevoked").EnumerateArray()).GetString());
        using var after = await asViewer.GetAsync(new Uri("/api/region/provinces", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Theory]
    [InlineData("system")]
    [InlineData("system:demo")]
    [InlineData("SYSTEM:reminders")]
    public async Task A_token_for_the_silos_own_name_is_refused(string subject)
    {
        using var root = silo.Client(ProductionSilo.RootToken());
        using var response = await root.PostAsJsonAsync("/api/admin/tokens", new TokenRequest(subject, ["bac-kan"], [Access.Reporter], 1));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is reserved", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_shows_why_a_check_says_what_it_says_to_an_administrator_over_the_whole_store_alone()
    {
        var province = await silo.NewProvinceAsync();
        using var anonymous = silo.Client(token: null);
        using var districtAdmin = silo.Client(ProductionSilo.RootToken([province], Access.Roles));
        using var root = silo.Client(ProductionSilo.RootToken());

        var anonymousBody = await anonymous.GetStringAsync(new Uri("/health/ready", UriKind.Relative));
        var districtBody = await districtAdmin.GetStringAsync(new Uri("/health/ready", UriKind.Relative));
        var rootBody = await root.GetStringAsync(new Uri("/health/ready", UriKind.Relative));

        foreach (var body in new[] { anonymousBody, districtBody })
        {
            using var document = JsonDocument.Parse(body);
            Assert.Equal("Healthy", document.RootElement.GetProperty("status").GetString());
            var checks = document.RootElement.GetProperty("checks").EnumerateObject().ToList();
            Assert.Contains(checks, c => c.Name == "orleans");
            Assert.All(checks, c => Assert.Equal(JsonValueKind.Null, c.Value.GetProperty("description").ValueKind));
            Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        }
        using var full = JsonDocument.Parse(rootBody);
        Assert.Contains("is active", full.RootElement.GetProperty("checks").GetProperty("orleans").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_with_a_right_to_left_override_is_refused_with_400_and_nothing_is_stored()
    {
        var province = await silo.NewProvinceAsync();
        var before = await silo.Database.CountAllEventsAsync();
        using var root = silo.Client(ProductionSilo.RootToken());

        using var response = await root.PostAsJsonAsync("/api/commands/register-unit", new RegisterUnit(
            Guid.NewGuid().ToString(), province + "/spoofed", "Ban CHQS \u202Eeuqsid", Echelon.District, null, 10, DateTimeOffset.UtcNow.AddDays(-1)), ContractJson.Options);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("U+202E", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await silo.Database.CountAllEventsAsync());
    }

    [Theory]
    [InlineData("asOf", "9999-12-31")]
    [InlineData("knownAt", "9999-12-31T23:59:59Z")]
    [InlineData("asOf", "2999-01-01")]
    public async Task A_moment_past_now_is_a_400_that_says_so_and_never_a_500(string parameter, string moment)
    {
        var province = await silo.NewProvinceAsync();
        using var root = silo.Client(ProductionSilo.RootToken());

        foreach (var path in new[] { $"/api/provinces/{province}/readiness", $"/api/units/{province}", $"/api/provinces/{province}/districts/d" })
        {
            using var response = await root.GetAsync(new Uri($"{path}?{parameter}={moment}", UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}?{parameter}={moment}: {(int)response.StatusCode} {body}");
            Assert.Contains("is after now", body, StringComparison.Ordinal);
        }
    }

    /// <summary>One production silo as a process of its own, over HTTPS on loopback, with a certificate made for the run.</summary>
    public sealed class ProductionSilo : IAsyncLifetime
    {
        public const string Secret = "production-profile-test-key-0123456789abcdef";
        private readonly StringBuilder output = new();
        private readonly int httpsPort = LoopbackPorts.Next();
        private readonly DirectoryInfo secrets = Directory.CreateTempSubdirectory("readiness-production-");
        private Process? process;
        private X509Certificate2 certificate = null!;

        public TestDatabase Database { get; private set; } = null!;
        /// <summary>The report key the silo is given, readable by its owner alone; the head key is another beside it.</summary>
        public string ReportKeyFile => Path.Combine(secrets.FullName, "report-key.pem");

        public Uri BaseAddress => new($"https://127.0.0.1:{httpsPort}");

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        public async ValueTask InitializeAsync()
        {
            Database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("production");
            certificate = await WriteCertificateAsync();
            await PrivateFile.WriteAsync(Path.Combine(secrets.FullName, "report-key.pem"), SiloHost.ReportKeyPem);
            await PrivateFile.WriteAsync(Path.Combine(secrets.FullName, "head-key.pem"), SiloHost.HeadKeyPem);
            process = Start(Environment(new Dictionary<string, string>()), output);
            await WaitUntilReadyAsync(TimeSpan.FromMinutes(2));
        }

        public async ValueTask DisposeAsync()
        {
            if (process is { HasExited: false } running)
            {
                running.Kill(entireProcessTree: true);
                await running.WaitForExitAsync();
            }
            process?.Dispose();
            certificate.Dispose();
            await Database.DisposeAsync();
            secrets.Delete(recursive: true);
        }

        /// <summary>Another silo with the same files and some settings changed, run until it exits (at most a minute).</summary>
        public async Task<(int ExitCode, string Output)> StartAnotherAsync(IReadOnlyDictionary<string, string> changes)
        {
            var log = new StringBuilder();
            var environment = Environment(changes);
            // Its own ports, so that one that does start by mistake fails the test instead of colliding.
            environment["Urls"] = changes.TryGetValue("Urls", out var urls) ? urls : $"https://127.0.0.1:{LoopbackPorts.Next()}";
            environment["Readiness__Orleans__SiloPort"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture);
            environment["Readiness__Orleans__GatewayPort"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture);
            using var other = Start(environment, log);
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await other.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                other.Kill(entireProcessTree: true);
                await other.WaitForExitAsync(CancellationToken.None);
                return (0, "still running after a minute:\n" + log);
            }
            lock (log)
            {
                return (other.ExitCode, log.ToString());
            }
        }

        /// <summary>The silo's assembly run as a command (<c>token</c>, <c>migrate</c>) with the same files, until it exits (at most a minute).</summary>
        public async Task<(int ExitCode, string Output, string Standard)> RunCommandAsync(params string[] arguments)
        {
            var log = new StringBuilder();
            var standard = new StringBuilder();
            using var command = Start(Environment(new Dictionary<string, string>()), log, arguments, standard);
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await command.WaitForExitAsync(patience.Token);
            lock (log)
            {
                return (command.ExitCode, log.ToString(), standard.ToString());
            }
        }

        /// <summary>Another silo with the same files and some settings changed, until it is ready (true) or a minute has passed; then it is stopped.</summary>
        public async Task<(bool Ready, string Output)> StartUntilReadyAsync(IReadOnlyDictionary<string, string> changes)
        {
            var log = new StringBuilder();
            var environment = Environment(changes);
            var port = LoopbackPorts.Next();
            environment["Urls"] = $"https://127.0.0.1:{port}";
            environment["Readiness__Orleans__SiloPort"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture);
            environment["Readiness__Orleans__GatewayPort"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture);
            environment["Readiness__Orleans__ClusterId"] = $"production-other-{port}";
            using var other = Start(environment, log);
            using var http = Client(token: null);
            var clock = Stopwatch.StartNew();
            var ready = false;
            while (!ready && !other.HasExited && clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"https://127.0.0.1:{port}/health/ready"));
                    ready = response.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.Delay(200);
            }
            if (!other.HasExited)
            {
                other.Kill(entireProcessTree: true);
            }
            await other.WaitForExitAsync(CancellationToken.None);
            lock (log)
            {
                return (ready, log.ToString());
            }
        }

        /// <summary>A token signed with the production key, as the first administrator's would be (not minted through the API).</summary>
        public static string RootToken(IReadOnlyList<string>? scopes = null, IReadOnlyList<string>? roles = null) =>
            new TokenIssuer(TokenIssuer.KeyFrom(Secret), new AuthOptions(), TimeProvider.System)
                .Mint(new TokenRequest("first-administrator", scopes ?? [Access.Everywhere], roles ?? Access.Roles, 1)).Token;

        public HttpClient Client(string? token)
        {
            var handler = new HttpClientHandler
            {
                // The run's own certificate and no other: the test proves TLS is there, not a public chain.
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented is not null && presented.Thumbprint == certificate.Thumbprint,
            };
            var http = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            if (token is not null)
            {
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }
            return http;
        }

        public static async Task<MintedToken> MintAsync(HttpClient admin, TokenRequest request)
        {
            using var response = await admin.PostAsJsonAsync("/api/admin/tokens", request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<MintedToken>())!;
        }

        /// <summary>A province of its own, registered over the API, once its view exists.</summary>
        public async Task<string> NewProvinceAsync()
        {
            var province = $"p{Guid.NewGuid():N}"[..12];
            using var root = Client(RootToken());
            using var response = await root.PostAsJsonAsync("/api/commands/register-unit",
                new RegisterUnit(Guid.NewGuid().ToString(), province, "Tỉnh thử", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)), ContractJson.Options);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                using var view = await root.GetAsync(new Uri($"/api/provinces/{province}/readiness", UriKind.Relative));
                if (view.IsSuccessStatusCode)
                {
                    return province;
                }
                await Task.Delay(100);
            }
            throw new TimeoutException($"Province {province} was not projected within 30 s.");
        }

        /// <summary>What the operations guide lists as required in production, and nothing more.</summary>
        private Dictionary<string, string> Environment(IReadOnlyDictionary<string, string> changes)
        {
            var environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Readiness"] = Database.AppConnectionString,
                ["Readiness__Auth__SigningKey"] = Secret,
                ["Readiness__UpwardReports__SigningKeyFile"] = Path.Combine(secrets.FullName, "report-key.pem"),
                ["Readiness__Log__SigningKeyFile"] = Path.Combine(secrets.FullName, "head-key.pem"),
                ["Urls"] = BaseAddress.ToString().TrimEnd('/'),
                ["Kestrel__Certificates__Default__Path"] = Path.Combine(secrets.FullName, "silo.pem"),
                ["Kestrel__Certificates__Default__KeyPath"] = Path.Combine(secrets.FullName, "silo.key"),
                // Not secrets: a cluster of its own, on ports of its own, beside every other silo the tests run.
                ["Readiness__Orleans__ClusterId"] = $"production-{Database.Name}",
                ["Readiness__Orleans__SiloPort"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture),
                ["Readiness__Orleans__GatewayPort"] = LoopbackPorts.Next().ToString(CultureInfo.InvariantCulture),
                ["Readiness__Log__HeadDirectory"] = Path.Combine(secrets.FullName, "tree-heads"),
            };
            foreach (var (key, value) in changes)
            {
                environment[key] = value;
            }
            return environment;
        }

        /// <param name="environment">The silo's whole configuration from the environment.</param>
        /// <param name="log">Where standard output and standard error go, line by line.</param>
        /// <param name="arguments">A command (<c>token</c>, <c>migrate</c>) and its arguments; none starts the silo.</param>
        /// <param name="standard">Where standard output alone goes as well, when it matters apart from the log.</param>
        private static Process Start(IReadOnlyDictionary<string, string> environment, StringBuilder log, IEnumerable<string>? arguments = null, StringBuilder? standard = null)
        {
            var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Readiness.Silo.dll"), .. arguments ?? []])
            {
                // The content root: where the shipped appsettings.json lies beside the silo's assembly.
                WorkingDirectory = AppContext.BaseDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // Nothing of the test run's own environment reaches the silo's configuration.
            foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("Readiness__", StringComparison.Ordinal)
                || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
                || k.StartsWith("Kestrel__", StringComparison.Ordinal) || k.Equals("Urls", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(inherited);
            }
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
            var started = Process.Start(start) ?? throw new InvalidOperationException("Could not start the silo.");
            void Append(string? line)
            {
                if (line is not null)
                {
                    lock (log)
                    {
                        log.AppendLine(line);
                    }
                }
            }
            started.OutputDataReceived += (_, e) =>
            {
                Append(e.Data);
                if (standard is not null && e.Data is not null)
                {
                    lock (log)
                    {
                        standard.AppendLine(e.Data);
                    }
                }
            };
            started.ErrorDataReceived += (_, e) => Append(e.Data);
            started.BeginOutputReadLine();
            started.BeginErrorReadLine();
            return started;
        }

        private async Task WaitUntilReadyAsync(TimeSpan patience)
        {
            using var http = Client(token: null);
            var clock = Stopwatch.StartNew();
            var last = "";
            while (clock.Elapsed < patience)
            {
                if (process is null || process.HasExited)
                {
                    throw new InvalidOperationException($"The production silo exited:\n{Output}");
                }
                try
                {
                    using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                    last = await response.Content.ReadAsStringAsync();
                }
                catch (HttpRequestException e)
                {
                    last = e.Message;
                }
                await Task.Delay(200);
            }
            throw new TimeoutException($"The production silo was not ready within {patience}; last answer {last}\n{Output}");
        }

        private async Task<X509Certificate2> WriteCertificateAsync()
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
            var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            await File.WriteAllTextAsync(Path.Combine(secrets.FullName, "silo.pem"), made.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(secrets.FullName, "silo.key"), key.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(secrets.FullName, "silo.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            return made;
        }
    }
}
