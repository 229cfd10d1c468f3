using System.Text.Json;
using System.Text.Json.Serialization;

namespace Readiness.Contracts;

/// <summary>
/// The one JSON form of every contract: camelCase names, enums by name, and a number is a number
/// ("5" is refused). The routes, the client and the cluster's own wire all use it, so a command
/// reads the same wherever it travels.
/// </summary>
public static class ContractJson
{
    /// <summary>Options to read and write contracts with; do not change them, copy them.</summary>
    public static JsonSerializerOptions Options { get; } = Apply(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Makes <paramref name="options"/> read and write the contracts' form (ASP.NET Core's options, for one).</summary>
    /// <param name="options">The options to change.</param>
    /// <returns>The same options.</returns>
    public static JsonSerializerOptions Apply(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Converters.Add(new JsonStringEnumConverter());
        options.NumberHandling = JsonNumberHandling.Strict;
        return options;
    }
}
