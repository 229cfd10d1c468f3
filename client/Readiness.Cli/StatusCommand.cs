using System.Globalization;
using System.Text.Json;
using Readiness.Client;

namespace Readiness.Cli;

/// <summary><c>readiness status</c>: is the silo ready, how far behind are the views, and which provinces does this token see.</summary>
internal static class StatusCommand
{
    public const string Usage = """
        readiness status [--json] [--url http://127.0.0.1:5080] [--token T]
          The silo's health (each readiness check), each projection's lag behind the newest event,
          and the provinces the token sees with their level. Exits 1 when the silo is not ready or
          refuses the token.
        """;

    private sealed record Settings(Uri Url, bool Json, string? Token);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("status", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var json = Options.Json("Print the health, the projections and the provinces as one JSON document.");
        var command = new UsageCommand("status",
            "The silo's health (each readiness check), each projection's lag behind the newest event, and the provinces the token sees with "
            + "their level. Exits 1 when the silo is not ready or refuses the token.", Usage)
        {
            json, url, token,
        };
        return command.Runs(parsed => RunAsync(new Settings(parsed.GetValue(url)!, parsed.GetValue(json), parsed.GetValue(token)), output, error));
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromSeconds(15));
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            var health = await client.GetHealthAsync();
            IReadOnlyList<ProjectionLag>? lag;
            try
            {
                lag = await client.GetProjectionLagAsync();
            }
            catch (ReadinessApiException ex) when (ex.StatusCode == 403)
            {
                // The positions are the whole store's: a token over part of it is shown its provinces alone.
                lag = null;
            }
            var provinces = await client.GetRegionProvincesAsync();

            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { url = options.Url, health, projections = lag, provinces }, AuditOptions.Indented));
                return health.IsHealthy ? 0 : 1;
            }
            await output.WriteLineAsync($"Silo {options.Url}: {health.Status}");
            foreach (var (name, check) in health.Checks.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                await output.WriteLineAsync($"  {name,-20} {check.Status}{(check.Description is { Length: > 0 } why ? "  " + why : "")}");
            }
            await output.WriteLineAsync(lag is null ? "Projections: the whole store's positions need a token over '*'." : "Projections:");
            foreach (var projection in lag ?? [])
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {projection.Projection,-28} at {projection.Position,10:N0} of {projection.NewestSequence:N0}  lag {projection.LagEvents:N0} events, {projection.LagSeconds:0.0} s"));
            }
            await output.WriteLineAsync(provinces.Count == 0 ? "This token sees no whole province." : "Provinces this token sees:");
            foreach (var province in provinces)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {province.Id,-12} {province.Name,-22} {(province.Level?.ToString() ?? "—"),-4} {province.Districts} districts, " +
                        $"{province.UnitsBelowR2} units below R2, {province.PostsNotManned} posts not manned, {province.OpenAlerts} open alerts (sequence {province.Sequence:N0})"));
            }
            return health.IsHealthy ? 0 : 1;
        });
    }
}
