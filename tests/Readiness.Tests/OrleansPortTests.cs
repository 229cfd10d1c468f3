using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Orleans.Runtime.Messaging;
using Orleans.Serialization;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Grains.Actors;
using Readiness.Silo.Hosting;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo of its own, so that nothing else appends while the store is watched for changes.</summary>
public sealed class GatewaySiloFixture() : OwnSilo("gateway");

public sealed class OrleansPortTests(GatewaySiloFixture fixture) : IClassFixture<GatewaySiloFixture>
{
    [Fact]
    public async Task A_client_connected_to_the_gateway_can_neither_run_a_command_nor_read_a_grain_whatever_it_claims()
    {
        var unit = $"t{Guid.NewGuid():N}"[..12];
        var registered = await fixture.Host.Grains.GetGrain<IUnitGrain>(unit)
            .Execute(new RegisterUnit(SiloFixture.NewId(), unit, "Test province", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));
        Assert.True(registered.Accepted, registered.Rejection?.Message);
        var events = await fixture.Database.CountAllEventsAsync();
        var sequence = await LastSequenceAsync();

        using var client = await GatewayClient.ConnectAsync(fixture.Host, TestContext.Current.CancellationToken);
        var grain = client.Services.GetRequiredService<IClusterClient>().GetGrain<IUnitGrain>(unit);
        var refusals = new List<Exception>();

        // What the HTTP layer puts in the request context for a caller that may do anything.
        CallerContext.Set("forged-commander", "forged-correlation");
        CallerContext.SetReporter([Access.Everywhere], mayReport: true);
        refusals.Add(await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.Execute(new RecordOutreachSession(SiloFixture.NewId(), unit, "Luật", 10))));
        refusals.Add(await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.GetProfile()));

        // A seal of the right shape (a nonce and a MAC), made without the cluster's key.
        RequestContext.Set("readiness.seal", $"{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}.{Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))}");
        refusals.Add(await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.Execute(new RecordOutreachSession(SiloFixture.NewId(), unit, "Luật", 10))));

        // Nothing in the context at all: how the system's own calls (demo, reminders) looked before they were sealed.
        RequestContext.Clear();
        refusals.Add(await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.Execute(new RecordOutreachSession(SiloFixture.NewId(), unit, "Luật", 10))));
        refusals.Add(await Assert.ThrowsAsync<UnauthorizedAccessException>(() => client.Services.GetRequiredService<IClusterClient>()
            .GetGrain<IDutyPostGrain>($"{unit}/sscd").CheckHandover()));

        Assert.All(refusals, refusal => Assert.Contains("this cluster's silos only", refusal.Message, StringComparison.Ordinal));
        Assert.Equal(events, await fixture.Database.CountAllEventsAsync());
        Assert.Equal(sequence, await LastSequenceAsync());
        // The silo's own callers are unaffected.
        Assert.Equal(1, (await fixture.Host.Grains.GetGrain<IUnitGrain>(unit).GetProfile())?.Version);
    }

    [Fact]
    public async Task A_call_whose_arguments_were_changed_after_it_was_sealed_is_refused_and_appends_nothing()
    {
        var unit = await RegisteredUnitAsync();
        var tamper = false;
        using var client = await SealingClientAsync(TimeProvider.System, call =>
        {
            if (tamper && call.Request.GetArgument(0) is RecordOutreachSession session)
            {
                call.Request.SetArgument(0, session with { Attendances = 5000 });
            }
        });
        var grain = client.Services.GetRequiredService<IClusterClient>().GetGrain<IUnitGrain>(unit);

        // Sealed as a silo seals, over the wire: the arguments read back on the silo are those sealed.
        var sealedCall = await grain.Execute(new RecordOutreachSession(SiloFixture.NewId(), unit, "Luật", 10));
        Assert.True(sealedCall.Accepted, sealedCall.Rejection?.Message);
        var events = await fixture.Database.CountAllEventsAsync();

        tamper = true;
        var refusal = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.Execute(new RecordOutreachSession(SiloFixture.NewId(), unit, "Luật", 10)));

        Assert.Contains("this cluster's silos only", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(events, await fixture.Database.CountAllEventsAsync());
        // Registered, and the one session sealed as sent.
        Assert.Equal(2, (await fixture.Host.Grains.GetGrain<IUnitGrain>(unit).GetProfile())?.Version);
    }

    [Fact]
    public async Task A_seal_that_arrives_a_second_time_is_refused_though_the_same_call_freshly_sealed_is_not()
    {
        var unit = await RegisteredUnitAsync();
        string? lastSeal = null;
        var replay = false;
        using var client = await SealingClientAsync(TimeProvider.System, _ =>
        {
            if (replay)
            {
                RequestContext.Set("readiness.seal", lastSeal!);
            }
            else
            {
                lastSeal = RequestContext.Get("readiness.seal") as string;
            }
        });
        var grain = client.Services.GetRequiredService<IClusterClient>().GetGrain<IUnitGrain>(unit);
        var command = new RecordOutreachSession(SiloFixture.NewId(), unit, "Luật", 10);

        Assert.True((await grain.Execute(command)).Accepted);
        // The same command with a seal of its own: a resend, answered as one.
        var resent = await grain.Execute(command);
        Assert.True(resent.AlreadyApplied);
        Assert.NotNull(await grain.GetProfile());

        // The very seal the profile was read with, on the very same call.
        replay = true;
        var refusals = new List<Exception>
        {
            await Assert.ThrowsAsync<UnauthorizedAccessException>(grain.GetProfile),
        };
        // And the resend's seal with the resend's arguments.
        replay = false;
        Assert.True((await grain.Execute(command)).AlreadyApplied);
        replay = true;
        refusals.Add(await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.Execute(command)));

        Assert.All(refusals, refusal => Assert.Contains("this cluster's silos only", refusal.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_seal_older_than_the_clock_skew_and_the_calls_timeout_or_ahead_by_more_than_the_skew_is_refused()
    {
        var unit = await RegisteredUnitAsync();
        var skew = fixture.Host.Services.GetRequiredService<IOptions<CallSealOptions>>().Value.ClockSkew;
        var timeout = fixture.Host.Services.GetRequiredService<IOptions<SiloMessagingOptions>>().Value.ResponseTimeout;
        var clock = new FakeTimeProvider();
        using var client = await SealingClientAsync(clock);
        var grain = client.Services.GetRequiredService<IClusterClient>().GetGrain<IUnitGrain>(unit);
        var margin = TimeSpan.FromSeconds(5);

        // From the oldest seal on, as the fake clock only moves forward.
        clock.SetUtcNow(DateTimeOffset.UtcNow - skew - timeout - margin);
        var tooOld = await Assert.ThrowsAsync<UnauthorizedAccessException>(grain.GetProfile);
        // Within the window either way: a sender whose clock is behind, or ahead, by less than the skew.
        clock.SetUtcNow(DateTimeOffset.UtcNow - skew - timeout + margin);
        Assert.NotNull(await grain.GetProfile());
        clock.SetUtcNow(DateTimeOffset.UtcNow + skew - margin);
        Assert.NotNull(await grain.GetProfile());
        clock.SetUtcNow(DateTimeOffset.UtcNow + skew + margin);
        var fromTheFuture = await Assert.ThrowsAsync<UnauthorizedAccessException>(grain.GetProfile);

        Assert.Equal(TimeSpan.FromSeconds(30), skew);
        Assert.Contains("this cluster's silos only", tooOld.Message, StringComparison.Ordinal);
        Assert.Contains("this cluster's silos only", fromTheFuture.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_advertised_off_loopback_without_tls_refuses_to_start_and_names_the_settings()
    {
        await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("offloopback");
        await using var host = new SiloHost(database, loadDemo: false, settings: new Dictionary<string, string>
        {
            // TEST-NET-1: never routed, and no DNS involved.
            ["Readiness:Orleans:AdvertisedAddress"] = "192.0.2.10",
        });

        var refusal = Assert.ThrowsAny<Exception>(host.StartServer);

        var message = string.Join(" | ", Chain(refusal).Select(e => e.Message));
        Assert.Contains("Readiness:Orleans:AdvertisedAddress", message, StringComparison.Ordinal);
        Assert.Contains("Readiness:Orleans:Tls:CertificatePath", message, StringComparison.Ordinal);
        Assert.Contains("Readiness:Orleans:Tls:CaPath", message, StringComparison.Ordinal);
        Assert.Equal(0, await database.ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_name = 'orleansmembershiptable'"));
    }

    [Fact]
    public async Task A_silo_whose_own_certificate_its_peers_would_refuse_does_not_start_and_says_why()
    {
        var folder = Directory.CreateTempSubdirectory("readiness-tls-own-").FullName;
        try
        {
            using var authority = TestCertificates.Authority("Readiness test cluster CA");
            // From the cluster's CA with both usages, under a name no silo of the cluster carries.
            using var own = TestCertificates.Issue(authority, "web-1");
            var settings = await TestCertificates.WriteAsync(folder, own, authority);
            await using var database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("owncert");
            await using var host = new SiloHost(database, loadDemo: false, settings: settings);

            var refusal = Assert.ThrowsAny<Exception>(host.StartServer);

            var message = string.Join(" | ", Chain(refusal).Select(e => e.Message));
            Assert.Contains("Readiness:Orleans:Tls:CertificatePath", message, StringComparison.Ordinal);
            Assert.Contains("names web-1, none of which Readiness:Orleans:Tls:PeerNames (silo-*) matches", message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<string> RegisteredUnitAsync()
    {
        var unit = $"t{Guid.NewGuid():N}"[..12];
        var registered = await fixture.Host.Grains.GetGrain<IUnitGrain>(unit)
            .Execute(new RegisterUnit(SiloFixture.NewId(), unit, "Test province", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));
        Assert.True(registered.Accepted, registered.Rejection?.Message);
        return unit;
    }

    /// <summary>
    /// A client outside the silo that holds the cluster's call key and seals its calls with the silo's
    /// own filter, by <paramref name="clock"/>; <paramref name="afterSealing"/> sees each call once it is
    /// sealed, before it is sent, as someone who captured or altered it on the way would.
    /// </summary>
    private async Task<IHost> SealingClientAsync(TimeProvider clock, Action<IOutgoingGrainCallContext>? afterSealing = null)
    {
        var key = new ClusterCallKey();
        key.Set(Convert.FromHexString(await fixture.Database.ScalarTextAsync("SELECT encode(callkey, 'hex') FROM readiness_call_keys") ?? ""));
        return await GatewayClient.ConnectAsync(fixture.Host, TestContext.Current.CancellationToken, client =>
        {
            // In this order: Orleans runs outgoing filters as they were added.
            client.Services.AddSingleton<IOutgoingGrainCallFilter>(services => new SealOutgoingCalls(key, services.GetRequiredService<Serializer>(), clock));
            if (afterSealing is not null)
            {
                client.Services.AddSingleton<IOutgoingGrainCallFilter>(new AfterSealing(afterSealing));
            }
        });
    }

    private sealed class AfterSealing(Action<IOutgoingGrainCallContext> look) : IOutgoingGrainCallFilter
    {
        public Task Invoke(IOutgoingGrainCallContext context)
        {
            look(context);
            return context.Invoke();
        }
    }

    private Task<long> LastSequenceAsync() => fixture.Database.ScalarAsync("SELECT coalesce(max(seq_id), 0) FROM readiness.mt_events");

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}

/// <summary>A silo with mutual TLS on its silo and gateway ports, on loopback, with certificates made for the test.</summary>
public sealed class TlsSiloFixture : IAsyncLifetime
{
    private readonly string folder = Directory.CreateTempSubdirectory("readiness-tls-").FullName;

    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public X509Certificate2 Authority { get; } = TestCertificates.Authority("Readiness test cluster CA");
    public X509Certificate2 Stranger { get; } = TestCertificates.Authority("Someone else's CA");

    public async ValueTask InitializeAsync()
    {
        using var silo = TestCertificates.Issue(Authority, "silo-test");
        var settings = await TestCertificates.WriteAsync(folder, silo, Authority);
        Database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("tls");
        Host = new SiloHost(Database, loadDemo: false, settings: settings);
        (await Host.StartAndWaitUntilReadyAsync()).Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Database.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }
}

public sealed class OrleansTlsTests(TlsSiloFixture fixture) : IClassFixture<TlsSiloFixture>
{
    [Fact]
    public async Task A_client_with_a_certificate_from_the_cluster_ca_gets_through_tls_and_one_from_another_ca_does_not()
    {
        using var member = await GatewayClient.ConnectAsync(fixture.Host, TestContext.Current.CancellationToken,
            client => WithTls(client, TestCertificates.Issue(fixture.Authority, "silo-member")));
        // Through the handshake, the grains still answer only the cluster's own calls.
        var refusal = await Assert.ThrowsAsync<UnauthorizedAccessException>(() =>
            member.Services.GetRequiredService<IClusterClient>().GetGrain<IUnitGrain>("nowhere").GetProfile());
        Assert.Contains("this cluster's silos only", refusal.Message, StringComparison.Ordinal);

        // A name the cluster expects and both usages, from another CA.
        var failure = await ConnectWithAsync(TestCertificates.Issue(fixture.Stranger, "silo-stranger"));

        AssertRefusedAtTheConnection(failure.Exception, failure.TimedOut);
    }

    [Fact]
    public async Task A_client_certificate_from_the_cluster_ca_under_a_name_the_cluster_does_not_expect_is_refused_at_the_handshake()
    {
        // Both usages, the right CA: only the name is wrong, as on a certificate the CA issued to another host.
        var failure = await ConnectWithAsync(TestCertificates.Issue(fixture.Authority, "intranet-web"));

        AssertRefusedAtTheConnection(failure.Exception, failure.TimedOut);
    }

    [Fact]
    public async Task A_client_certificate_from_the_cluster_ca_without_client_authentication_is_refused_at_the_handshake()
    {
        // A name the cluster expects, the right CA: only the usage is wrong, as on a certificate issued to serve alone.
        var failure = await ConnectWithAsync(TestCertificates.Issue(fixture.Authority, "silo-9", TestCertificates.ServerAuthentication));

        AssertRefusedAtTheConnection(failure.Exception, failure.TimedOut);
    }

    [Fact]
    public async Task A_client_without_tls_cannot_reach_a_tls_gateway()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var plain = await GatewayClient.ConnectAsync(fixture.Host, timeout.Token, GiveUpOnTheFirstFailure);
            await plain.Services.GetRequiredService<IClusterClient>().GetGrain<IUnitGrain>("nowhere").GetProfile();
        });

        AssertRefusedAtTheConnection(failure, timeout.IsCancellationRequested);
    }

    /// <summary>A client with this certificate connects and calls a grain; what failed, and whether the test ran out of time first.</summary>
    private async Task<(Exception? Exception, bool TimedOut)> ConnectWithAsync(X509Certificate2 certificate)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var failure = await Record.ExceptionAsync(async () =>
        {
            using var client = await GatewayClient.ConnectAsync(fixture.Host, timeout.Token,
                client =>
                {
                    WithTls(client, certificate);
                    GiveUpOnTheFirstFailure(client);
                });
            await client.Services.GetRequiredService<IClusterClient>().GetGrain<IUnitGrain>("nowhere").GetProfile();
        });
        return (failure, timeout.IsCancellationRequested);
    }

    // Orleans' client tries the gateway again until it is cancelled: then the failure seen would be the cancellation.
    private static void GiveUpOnTheFirstFailure(IClientBuilder client) => client.UseConnectionRetryFilter((_, _) => Task.FromResult(false));

    /// <summary>
    /// The gateway dropped the connection before the client could send a call over it: not the grain
    /// filter's refusal after a handshake that succeeded, nor a client that ran out of time.
    /// </summary>
    private void AssertRefusedAtTheConnection(Exception? failure, bool timedOut)
    {
        Assert.NotNull(failure);
        var chain = Chain(failure).ToList();
        var described = string.Join(" <- ", chain.Select(e => $"{e.GetType().FullName}: {e.Message}"));
        Assert.False(timedOut, "The client was still trying when the test gave up: " + described);
        Assert.False(chain.Any(e => e is UnauthorizedAccessException), "The call got through the handshake to the grain filter: " + described);
        Assert.True(failure is ConnectionFailedException, described);
        Assert.True(chain.Any(e => e is ConnectionFailedException && e.Message.Contains($"127.0.0.1:{fixture.Host.GatewayPort}", StringComparison.Ordinal)), described);
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    /// <summary>
    /// The client shows <paramref name="certificate"/> whatever usages it carries. Orleans' client refuses
    /// one without client authentication, and .NET's would quietly leave it out, so that the silo would
    /// refuse no certificate instead; another TLS stack, as whoever attacks the gateway may use, sends
    /// what it is given. So Orleans is handed a certificate it takes, and the handshake this one.
    /// </summary>
    private void WithTls(IClientBuilder client, X509Certificate2 certificate)
    {
        var peers = new ClusterPeers([fixture.Authority], []);
        client.UseTls(TestCertificates.Issue(fixture.Stranger, "placeholder"), tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (peer, _, _) => peers.Accepts(peer, PeerRole.Server);
            tls.OnAuthenticateAsClient = (_, options) =>
            {
                var ssl = (SslClientAuthenticationOptions)options.SslClientAuthenticationOptions;
                ssl.ClientCertificates = null;
                ssl.ClientCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
            };
        });
    }
}

/// <summary>A plain Orleans client, as anyone who reaches the gateway could run, outside the silo.</summary>
internal static class GatewayClient
{
    public static async Task<IHost> ConnectAsync(SiloHost silo, CancellationToken cancellationToken, Action<IClientBuilder>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(new IPEndPoint(IPAddress.Loopback, silo.GatewayPort));
            client.Services.AddSerializer(serializer => serializer.AddReadinessContracts());
            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = silo.ClusterId;
                cluster.ServiceId = new OrleansEndpointOptions().ServiceId;
            });
            configure?.Invoke(client);
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}

internal static class TestCertificates
{
    public static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>Writes a silo's certificate, its key and the CA as PEM files into <paramref name="folder"/>; the settings that give them to a silo.</summary>
    public static async Task<Dictionary<string, string>> WriteAsync(string folder, X509Certificate2 certificate, X509Certificate2 authority)
    {
        var certificatePath = Path.Combine(folder, "silo.pem");
        var keyPath = Path.Combine(folder, "silo.key");
        var caPath = Path.Combine(folder, "ca.pem");
        await File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(caPath, authority.ExportCertificatePem());
        return new Dictionary<string, string>
        {
            ["Readiness:Orleans:Tls:CertificatePath"] = certificatePath,
            ["Readiness:Orleans:Tls:KeyPath"] = keyPath,
            ["Readiness:Orleans:Tls:CaPath"] = caPath,
        };
    }

    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>
    /// A certificate named <paramref name="name"/> (its common name and its one DNS name), by default for
    /// both ends of a connection, as a silo's must be: it serves, and it dials other silos.
    /// </summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, string name, params Oid[] usages)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages.Length > 0 ? usages : [ServerAuthentication, ClientAuthentication]], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, true, false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }
}
