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

    /// <summary>
    /// How often the outbox is worked: reports due queued, deliveries due retried. A batch that changes a province's level,
    /// or brings a new province, wakes it sooner (the level is rated at most once a second), on the silo that works the outbox.
    /// </summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 30;

    /// <summary>
    /// A routine report every this many seconds besides the monthly one and level changes (0: none), so that a
    /// region that expects one per interval sees the province alive and witnesses its log that often.
    /// </summary>
    [Range(0, 31 * 86_400)]
    public int IntervalSeconds { get; set; }

    /// <summary>The longest wait between two attempts at an endpoint that is down.</summary>
    [Range(1, 86_400)]
    public int MaxBackoffSeconds { get; set; } = 300;

    /// <summary>
    /// A file holding the PEM private key (P-256, unencrypted PKCS#8 or SEC 1) that signs reports
    /// with ES256. A key of its own: the echelon above holds its public half, and no one who can check
    /// a report can sign a token. Required outside Development when there are endpoints; a Development
    /// silo makes one beside its token key.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The same key inline, for secret stores that hand over values rather than files; set this or <see cref="SigningKeyFile"/>, not both.</summary>
    public string? SigningKeyPem { get; set; }
}

public sealed class UpwardEndpoint
{
    [Required]
    public string Name { get; set; } = string.Empty;

    [Required]
    public Uri? Url { get; set; }

    /// <summary>The provinces whose reports go to this endpoint; none listed, every province's.</summary>
    public List<string> Provinces { get; set; } = [];

    /// <summary>
    /// The region's JWK Set (a copy of its <c>/.well-known/jwks.json</c>), pinned: a head it cosigns is kept only when
    /// a key there for <c>readiness-cosigned-head/v1</c> verifies it. Read at each answer, so it may be pinned after
    /// this silo starts; none pinned, no cosigned head is kept.
    /// </summary>
    public string? WitnessKeysFile { get; set; }

    public bool Takes(string provinceId) => Provinces.Count == 0 || Provinces.Contains(provinceId, StringComparer.Ordinal);
}
