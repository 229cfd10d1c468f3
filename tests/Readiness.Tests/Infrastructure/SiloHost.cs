using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Readiness.Tests.Infrastructure;

/// <summary>The real silo (Orleans, Marten, HTTP API) in this process, on a test database.</summary>
public sealed class SiloHost(TestDatabase database, bool loadDemo) : WebApplicationFactory<Program>
{
    private readonly int siloPort = FreePort();
    private readonly int gatewayPort = FreePort();

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // UseSetting, unlike ConfigureAppConfiguration, is visible while Program builds its services.
        builder.UseSetting("ConnectionStrings:Readiness", database.AppConnectionString);
        builder.UseSetting("ConnectionStrings:ReadinessOwner", database.OwnerConnectionString);
        builder.UseSetting("Readiness:Orleans:ClusterId", $"test-{database.Name}");
        builder.UseSetting("Readiness:Orleans:SiloPort", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Readiness:Orleans:GatewayPort", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Readiness:Demo:Enabled", loadDemo ? "true" : "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    /// <summary>Starts the host and waits until /health/ready answers 200.</summary>
    public async Task<HttpClient> StartAndWaitUntilReadyAsync(TimeSpan? patience = null)
    {
        var http = CreateClient();
        var deadline = DateTimeOffset.UtcNow + (patience ?? TimeSpan.FromMinutes(2));
        string last = "no answer";
        while (DateTimeOffset.UtcNow < deadline)
        {
            using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return http;
            }
            last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            await Task.Delay(200);
        }
        throw new TimeoutException($"The silo did not become ready; last answer {last}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
