using System.ComponentModel.DataAnnotations;

namespace Readiness.Silo.Upward;

/// <summary>Where and when a province reports upward (<c>Readiness:UpwardReports</c>).</summary>
public sealed class UpwardReportOptions
{
    public const string Section = "Readiness:UpwardReports";

    /// <summary>The higher-echelon endpoints; none means nothing is reported.</summary>
    public List<UpwardEndpoint> Endpoints { get; set; } = [];

    /// <summary>The day of the month (Vietnam time) from which that month's report is due.</summary>
    [Range(1, 28)]
    public int MonthlyDay { get; set; } = 1;

    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 30;

    /// <summary>The longest wait between two attempts at an endpoint that is down.</summary>
    [Range(1, 86_400)]
    public int MaxBackoffSeconds { get; set; } = 300;

    /// <summary>The HMAC-SHA256 key that signs reports; the token signing key when not set.</summary>
    public string? SigningKey { get; set; }
}

public sealed class UpwardEndpoint
{
    [Required]
    public string Name { get; set; } = string.Empty;

    [Required]
    public Uri? Url { get; set; }
}
