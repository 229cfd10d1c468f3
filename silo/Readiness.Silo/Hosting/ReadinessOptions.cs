using System.ComponentModel.DataAnnotations;

namespace Readiness.Silo.Hosting;

/// <summary>The <c>Readiness</c> configuration section.</summary>
public sealed class ReadinessOptions
{
    public const string Section = "Readiness";

    public OrleansEndpointOptions Orleans { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
}

public sealed class OrleansEndpointOptions
{
    [Required] public string ClusterId { get; set; } = "readiness-local";
    [Required] public string ServiceId { get; set; } = "readiness";
    /// <summary>The address other silos and clients reach this silo on; loopback for one machine.</summary>
    [Required] public string AdvertisedAddress { get; set; } = "127.0.0.1";
    [Range(1, 65535)] public int SiloPort { get; set; } = 11111;
    [Range(1, 65535)] public int GatewayPort { get; set; } = 30000;
}

public sealed class DemoOptions
{
    /// <summary>Load the Bắc Kạn demo province on first start.</summary>
    public bool Enabled { get; set; } = true;
}
