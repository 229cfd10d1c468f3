using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Contracts;
using Readiness.Silo.Security;

namespace Readiness.Tests.Infrastructure;

/// <summary>The real silo (Orleans, Marten, Kestrel on a loopback port of its own) in this process, on a test database.</summary>
public sealed class SiloHost : WebApplicationFactory<Program>
{
    private readonly int siloPort = LoopbackPorts.Next();
    private readonly int gatewayPort = LoopbackPorts.Next();
    private readonly TestDatabase database;
    private readonly bool loadDemo;
    private readonly Action<IServiceCollection>? services;
    private readonly IReadOnlyDictionary<string, string> settings;

    // httpPort: a loopback port of the test's choosing, for a silo others reach at an address fixed before it starts; 0 for any free one.
    public SiloHost(TestDatabase database, bool loadDemo, Action<IServiceCollection>? services = null, IReadOnlyDictionary<string, string>? settings = null, int httpPort = 0)
    {
        this.database = database;
        this.loadDemo = loadDemo;
        this.services = services;
        this.settings = settings ?? new Dictionary<string, string>();
        // A real server, so that a browser and streaming clients reach it as they would in production.
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, httpPort));
    }

    /// <summary>Where the server listens, once started.</summary>
    public Uri BaseAddress => ClientOptions.BaseAddress;

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    /// <summary>The Orleans cluster this silo forms, and where its gateway listens on loopback, for tests that connect a client of their own.</summary>
    public string ClusterId => $"test-{database.Name}";

    public int GatewayPort => gatewayPort;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // UseSetting, unlike ConfigureAppConfiguration, is visible while Program builds its services.
        builder.UseSetting("ConnectionStrings:Readiness", database.AppConnectionString);
        builder.UseSetting("Readiness:Orleans:ClusterId", ClusterId);
        builder.UseSetting("Readiness:Orleans:SiloPort", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Readiness:Orleans:GatewayPort", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Readiness:Demo:Enabled", loadDemo ? "true" : "false");
        // The shared demo is Bắc Kạn's 2024 as the report has it; the reform after it has tests and a silo of its own.
        builder.UseSetting("Readiness:Demo:Reform", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Readiness:Auth:SigningKey", SigningKey);
        builder.UseSetting("Readiness:UpwardReports:SigningKeyPem", ReportKeyPem);
        builder.UseSetting("Readiness:Log:SigningKeyPem", HeadKeyPem);
        // Each test database keeps its heads apart, and heads come often enough to be waited on.
        builder.UseSetting("Readiness:Log:HeadDirectory", HeadDirectory);
        builder.UseSetting("Readiness:Log:HeadInterval", "00:00:01");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }

    /// <summary>Where this silo appends its signed tree heads, outside the database.</summary>
    public string HeadDirectory => Path.Combine(Path.GetTempPath(), "readiness-tests", database.Name, "tree-heads");

    /// <summary>What /health/ready answered while the host started, in order.</summary>
    public List<(HttpStatusCode Status, string Body)> ReadinessAnswers { get; } = [];

    /// <summary>The key test silos sign tokens with; a token signed with any other is forged.</summary>
    public const string SigningKey = "readiness-tests-signing-key-0123456789abcdef";

    /// <summary>The key test silos sign upward reports with, so that none writes a development key where the tests run.</summary>
    public static readonly string ReportKeyPem = Readiness.Silo.Security.Es256Key.NewPem();

    /// <summary>The key test silos sign tree heads with: a key of its own, as in production, not the report key.</summary>
    public static readonly string HeadKeyPem = Readiness.Silo.Security.Es256Key.NewPem();

    /// <summary>
    /// A token for the given scopes and roles, signed by this silo. It outlives the longest token the
    /// silo mints, so an administrator's test token may mint any of them (none may outlive its minter).
    /// </summary>
    public string Token(IReadOnlyList<string> scopes, IReadOnlyList<string> roles, double hours = 24 * 31, string subject = "test") =>
        Services.GetRequiredService<TokenIssuer>().Mint(new TokenRequest(subject, scopes, roles, hours)).Token;

    /// <summary>A client that sends the given token, or none.</summary>
    public HttpClient ClientWith(string? token)
    {
        var http = CreateClient();
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }

    /// <summary>A client whose token may do anything, anywhere.</summary>
    public HttpClient AdminClient() => ClientWith(Token([Access.Everywhere], Access.Roles));

    /// <summary>Starts the host and waits until /health/ready answers 200; the client may do anything, anywhere.</summary>
    public async Task<HttpClient> StartAndWaitUntilReadyAsync(TimeSpan? patience = null)
    {
        StartServer();
        var http = AdminClient();
        var deadline = DateTimeOffset.UtcNow + (patience ?? TimeSpan.FromMinutes(2));
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            ReadinessAnswers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return http;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The silo did not become ready; last answer {ReadinessAnswers[^1]}");
    }

}
