using System.Globalization;
using System.Text.Json;
using Readiness.Client;
using Readiness.Contracts;

namespace Readiness.Cli;

/// <summary><c>readiness view</c>: the province or a district now, as of a moment, or as known at a moment.</summary>
internal static class ViewCommand
{
    public const string Usage = """
        readiness view [--province bac-kan] [--district d] [--as-of T] [--known-at K] [--json] [--url http://127.0.0.1:5080] [--token T]
          Prints the province's (or one district's) readiness: its level, units per level, districts
          or communes, and posts not manned. --as-of T shows it as things were at T, by when they
          happened; --known-at K from only the events recorded by K; both may be combined (T, K such
          as 2024-06-30 or 2024-06-30T08:00:00+07:00; UTC without an offset). --json prints the whole view.
          --token (else READINESS_TOKEN, else .local/dev-token) is sent as the bearer token.
        """;

    // A summary stays a screenful even for a moment when most units were below R2.
    private const int Listed = 10;

    private sealed record Settings(Uri Url, string Province, string? District, PointInTime At, bool Json, string? Token);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("view", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var json = Options.Json("Print the whole view as JSON.");
        var province = Options.Text("--province", "id", "The province.", "bac-kan");
        var district = Options.Text("--district", "id", "One district of the province, such as ba-be.");
        var asOf = Options.Moment("--as-of", "As things were at this moment, by when they happened");
        var knownAt = Options.Moment("--known-at", "From only the events recorded by this moment");
        var command = new UsageCommand("view",
            "Prints the province's, or one district's, readiness: its level, units per level, districts or communes, and posts not manned; "
            + "now, as of a moment, as known at a moment, or both.", Usage)
        {
            province, district, asOf, knownAt, json, url, token,
        };
        return command.Runs(parsed => RunAsync(new Settings(parsed.GetValue(url)!, parsed.GetValue(province)!, parsed.GetValue(district),
            PointInTime.Now with { AsOf = parsed.GetValue(asOf), KnownAt = parsed.GetValue(knownAt) }, parsed.GetValue(json), parsed.GetValue(token)), output, error));
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        using var client = Connection.Client(options.Url, options.Token, AuditOptions.QueryTimeout);
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            if (options.District is { } district)
            {
                var view = await client.GetDistrictReadinessAsync(options.Province, district, options.At);
                await (options.Json ? output.WriteLineAsync(JsonSerializer.Serialize(view, AuditOptions.Indented)) : WriteDistrict(output, view, options.At));
            }
            else
            {
                var view = await client.GetProvinceReadinessAsync(options.Province, options.At);
                await (options.Json ? output.WriteLineAsync(JsonSerializer.Serialize(view, AuditOptions.Indented)) : WriteProvince(output, view, options.At));
            }
            return 0;
        });
    }

    private static async Task WriteProvince(TextWriter output, ProvinceReadinessView view, PointInTime at)
    {
        await output.WriteLineAsync($"{view.Name} ({view.Id}) {When(at)}: {Level(view.Level)}");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"rated at {AuditOptions.Format(view.RatedAt)}, from the events up to sequence {view.Sequence}"));
        await output.WriteLineAsync($"units: {Counts(view.Units)}");
        await output.WriteLineAsync("districts:");
        foreach (var district in view.Districts)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {Last(district.Id),-18} {Level(district.Level),-3} {district.ActualStrength,6}/{district.AuthorisedStrength,-6} {Counts(district.Units)}  {district.Name}"));
        }
        await Concerns(output, view.BelowR2);
        await Posts(output, view.PostsNotManned);
        if (view.ExercisesUnderWay.Count > 0)
        {
            await output.WriteLineAsync($"exercises under way: {view.ExercisesUnderWay.Count}");
        }
    }

    private static async Task WriteDistrict(TextWriter output, DistrictReadinessView view, PointInTime at)
    {
        await output.WriteLineAsync($"{view.Name} ({view.Id}) {When(at)}: {Level(view.Level)}");
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"strength {view.ActualStrength}/{view.AuthorisedStrength}, from the events up to sequence {view.Sequence}"));
        await output.WriteLineAsync($"units: {Counts(view.Units)}");
        await output.WriteLineAsync("communes:");
        foreach (var commune in view.Communes)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {Last(commune.Id),-18} {Level(commune.Level),-3} {commune.ActualStrength,5}/{commune.AuthorisedStrength,-5} {Counts(commune.Units)}  {commune.Name}"));
        }
        await Concerns(output, view.BelowR2);
        await Posts(output, view.PostsNotManned);
    }

    private static async Task Concerns(TextWriter output, IReadOnlyList<UnitConcern> below)
    {
        await output.WriteLineAsync($"units below R2: {below.Count}");
        foreach (var unit in below.Take(Listed))
        {
            await output.WriteLineAsync($"  {unit.UnitId} {unit.Level} ({unit.SetBy}): {unit.Explanation}");
        }
        await More(output, below.Count);
    }

    private static async Task Posts(TextWriter output, IReadOnlyList<PostStatus> posts)
    {
        await output.WriteLineAsync($"posts not manned: {posts.Count}");
        foreach (var post in posts.Take(Listed))
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"  {post.PostId} ({post.Name}): {(post.OnDuty ? "on duty" : "no shift on")}, {post.StaffPresent}/{post.StaffRequired} staff"));
        }
        await More(output, posts.Count);
    }

    private static async Task More(TextWriter output, int count)
    {
        if (count > Listed)
        {
            await output.WriteLineAsync($"  … and {count - Listed} more (--json shows them all)");
        }
    }

    private static string When(PointInTime at) => at.IsNow ? "now"
        : string.Join(", ", new[]
            {
                at.AsOf is { } asOf ? $"as of {AuditOptions.Format(asOf)}" : null,
                at.KnownAt is { } knownAt ? $"known at {AuditOptions.Format(knownAt)}" : null,
            }.OfType<string>());

    private static string Level(ReadinessLevel? level) => level?.ToString() ?? "—";

    private static string Counts(LevelCounts units) =>
        string.Create(CultureInfo.InvariantCulture, $"R1 {units.R1,3}  R2 {units.R2,3}  R3 {units.R3,3}  R4 {units.R4,3}  (total {units.Total})");

    private static string Last(string id) => id[(id.LastIndexOf('/') + 1)..];
}
