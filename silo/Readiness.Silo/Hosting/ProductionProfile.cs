using System.Net;
using Readiness.Silo.Audit;
using Readiness.Silo.Security;
using Readiness.Silo.Upward;

namespace Readiness.Silo.Hosting;

/// <summary>
/// What a silo outside Development must be given before it starts. Development fills the gaps with
/// local defaults (a made-up key, the local cluster's password, plain HTTP); anywhere else a gap is a
/// deployment mistake, and every one of them is named at once so that an operator fixes them in one go.
/// </summary>
public static class ProductionProfile
{
    /// <summary>Throws, naming each missing item, when a silo outside Development lacks what it needs.</summary>
    public static void EnsureComplete(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            return;
        }
        var problems = Problems(configuration);
        if (problems.Count > 0)
        {
            throw new IncompleteException(
                $"The silo does not start in the {environment.EnvironmentName} environment until these are fixed:"
                + string.Concat(problems.Select(p => "\n  - " + p))
                + "\nSee docs/operations.md, 'Deploying'. Only a Development silo makes up keys and passwords of its own.");
        }
    }

    /// <summary>A silo outside Development that lacks what it needs, with the list of what to fix as its message.</summary>
    public sealed class IncompleteException(string message) : InvalidOperationException(message);

    public static IReadOnlyList<string> Problems(IConfiguration configuration)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Readiness")))
        {
            problems.Add("ConnectionStrings:Readiness (environment: ConnectionStrings__Readiness), the application role's connection, is not set.");
        }
        var tokenKey = configuration[$"{AuthOptions.Section}:SigningKey"];
        if (string.IsNullOrWhiteSpace(tokenKey) || System.Text.Encoding.UTF8.GetByteCount(tokenKey) < 32)
        {
            problems.Add($"{AuthOptions.Section}:SigningKey (environment: Readiness__Auth__SigningKey), at least 32 bytes that sign bearer tokens, is not set.");
        }
        var heads = configuration.GetSection(LogOptions.Section);
        if (string.IsNullOrWhiteSpace(heads["SigningKeyFile"]) && string.IsNullOrWhiteSpace(heads["SigningKeyPem"]))
        {
            problems.Add($"{SigningKeyFiles.Named(LogOptions.Section)}, the PEM P-256 private key that signs the Merkle log's tree heads, "
                + "is not set: unsigned heads prove nothing to anyone outside.");
        }
        var reports = configuration.GetSection(UpwardReportOptions.Section);
        if (reports.GetSection("Endpoints").GetChildren().Any() && string.IsNullOrWhiteSpace(reports["SigningKeyFile"]) && string.IsNullOrWhiteSpace(reports["SigningKeyPem"]))
        {
            problems.Add($"{SigningKeyFiles.Named(UpwardReportOptions.Section)}, the PEM P-256 private key that signs the upward reports "
                + "(a key of its own, not the head key), is not set, and there are endpoints to report to.");
        }
        problems.AddRange(PlainListeners(configuration).Select(url =>
            $"{url} is plain HTTP on an address other than loopback: bearer tokens would cross the network in clear. "
            + "Listen with https:// and a certificate (Kestrel:Certificates:Default:Path), or on 127.0.0.1 behind a TLS proxy on the same machine."));
        if (!string.IsNullOrWhiteSpace(configuration.GetConnectionString("ReadinessOwner")))
        {
            problems.Add("ConnectionStrings:ReadinessOwner is set: the owner's credentials belong to the migrate step alone, never to a serving silo.");
        }
        foreach (var database in configuration.GetSection($"{ReadinessOptions.Section}:Databases").GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(database["OwnerConnection"]))
            {
                problems.Add($"{ReadinessOptions.Section}:Databases:{database.Key}:OwnerConnection is set: the owner's credentials belong to the migrate step alone, never to a serving silo.");
            }
        }
        return problems;
    }

    /// <summary>Every configured listener address that is plain HTTP and reachable from beyond this machine.</summary>
    private static IEnumerable<string> PlainListeners(IConfiguration configuration)
    {
        var urls = (configuration["urls"] ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(configuration.GetSection("Kestrel:Endpoints").GetChildren().Select(e => e["Url"]).OfType<string>());
        return urls.Where(url => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !OnLoopback(url));
    }

    /// <summary>Loopback by address or by the name localhost; a wildcard (*, +, 0.0.0.0, [::]) is every address.</summary>
    public static bool OnLoopback(string url)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var host = rest.StartsWith('[') ? rest[..(rest.IndexOf(']', StringComparison.Ordinal) + 1)] : rest.Split(':', '/')[0];
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
