using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Readiness.Silo.Api;
using Readiness.Silo.Hosting;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Silo.Security;

namespace Readiness.Benchmarks;

/// <summary>The real silo, built the way Program.cs builds it, in this process on the benchmark's database and loopback ports.</summary>
public sealed class SiloRunner : IAsyncDisposable
{
    public static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private readonly WebApplication app;

    private SiloRunner(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(10) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public IServiceProvider Services => app.Services;
    public IGrainFactory Grains => app.Services.GetRequiredService<IGrainFactory>();

    /// <param name="database">The main database.</param>
    /// <param name="extra">Settings beyond the run's own (the databases beside the main one, say).</param>
    public static async Task<SiloRunner> StartAsync(BenchDatabase database, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var httpPort = FreePort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = Environments.Production,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Readiness"] = database.AppConnectionString,
            ["Readiness:Orleans:ClusterId"] = $"bench-{database.Name}",
            ["Readiness:Orleans:AdvertisedAddress"] = "127.0.0.1",
            ["Readiness:Orleans:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Readiness:Orleans:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Readiness:Demo:Enabled"] = "false",
            // The dashboard samples every grain call; the figures are of Readiness alone.
            ["Readiness:Orleans:Dashboard"] = "false",
            // Where authentication exists, a key of this run's own; the benchmark is one caller and must not be rate limited.
            ["Readiness:Auth:SigningKey"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
            ["Readiness:UpwardReports:SigningKeyPem"] = Readiness.Silo.Security.Es256Key.NewPem(),
            ["Readiness:Log:SigningKeyPem"] = Readiness.Silo.Security.Es256Key.NewPem(),
            ["Readiness:RateLimit:PermitsPerSecond"] = "1000000",
            ["Readiness:RateLimit:Burst"] = "1000000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            // The rebuilder logs how long each of its steps took: evidence for the rebuild figure.
            ["Logging:LogLevel:Readiness.Silo.Admin"] = "Information",
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(settings);
        
        builder.WebHost.UseUrls($"http://127.0.0.1:{httpPort}");
        builder.AddReadinessSilo();
        var app = builder.Build();
        app.MapReadinessApi();
        await app.StartAsync();

        var runner = new SiloRunner(app, new Uri($"http://127.0.0.1:{httpPort}"));
        runner.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MintToken(app.Services));
        await runner.WaitUntilReadyAsync();
        return runner;
    }

    /// <summary>
    /// Starts a rebuild over HTTP (<paramref name="query"/> such as <c>?database=second</c>, or empty) and
    /// follows it to its end; the status it ended with, or why it did not start.
    /// </summary>
    public async Task<(RebuildStatus? Status, string? Problem)> RebuildAsync(string query)
    {
        using var started = await Http.PostAsync(new Uri($"/api/admin/projections/rebuild{query}", UriKind.Relative), null);
        if (started.StatusCode != HttpStatusCode.Accepted)
        {
            return (null, $"{(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
        }
        var status = await started.Content.ReadFromJsonAsync<RebuildStatus>(Web) ?? throw new InvalidOperationException("The rebuild route answered no status.");
        var deadline = DateTimeOffset.UtcNow.AddMinutes(30);
        while (status.State == RebuildState.Running && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
            status = await Http.GetFromJsonAsync<RebuildStatus>(new Uri($"/api/admin/rebuilds/{status.Id}", UriKind.Relative), Web)
                ?? throw new InvalidOperationException("The rebuild status route answered nothing.");
        }
        return (status, null);
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        var last = string.Empty;
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var response = await Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return;
            }
            last = await response.Content.ReadAsStringAsync();
            await Task.Delay(100);
        }
        throw new TimeoutException($"The silo did not become ready: {last}");
    }

    /// <summary>A token that may do everything, minted with the silo's own issuer.</summary>
    private static string MintToken(IServiceProvider services) =>
        services.GetRequiredService<TokenIssuer>().Mint(new TokenRequest("benchmark", [Access.Everywhere], Access.Roles, 8)).Token;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
