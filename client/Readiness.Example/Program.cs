// The integration guide's example (docs/integration.md): what a military region's system does to
// pull a province's readiness into its own program and follow it as reports arrive.
//
//   dotnet run --project client/Readiness.Example -- [--url http://127.0.0.1:5080] [--province bac-kan] [--updates 3]
//
// The token comes from READINESS_TOKEN, else from a development silo's .local/dev-token.
using System.Globalization;
using Readiness.Client;

var url = new Uri(Option("--url") ?? "http://127.0.0.1:5080");
var provinceId = Option("--province") ?? "bac-kan";
var wanted = int.Parse(Option("--updates") ?? "3", CultureInfo.InvariantCulture);
var token = Environment.GetEnvironmentVariable("READINESS_TOKEN") ?? DevToken();
if (token is null)
{
    Console.Error.WriteLine("No token: set READINESS_TOKEN, or start a development silo (./run.sh), which writes .local/dev-token.");
    return 2;
}

using var client = ReadinessClient.Create(new ReadinessClientOptions
{
    BaseAddress = url,
    Token = token,
    Timeout = TimeSpan.FromSeconds(15),
    // Retries keep the same command id, so logging them is all a caller needs to do.
    OnRetry = retry => Console.Error.WriteLine($"retrying {retry.Method} {retry.Path} after attempt {retry.FailedAttempt}: {retry.Reason}"),
});

try
{
    // What the token may see, side by side; then one province in detail.
    foreach (var seen in await client.GetRegionProvincesAsync())
    {
        Console.WriteLine($"{seen.Name} ({seen.Id}): {seen.Level?.ToString() ?? "not rated"}, {seen.UnitsBelowR2} units below R2, {seen.OpenAlerts} open alerts");
    }

    var province = await client.GetProvinceReadinessAsync(provinceId);
    Console.WriteLine($"\n{province.Name}: level {province.Level}, as of event {province.Sequence} ({province.UpdatedAt:yyyy-MM-dd HH:mm} UTC)");
    foreach (var district in province.Districts)
    {
        Console.WriteLine($"  {district.Name,-22} {district.Level,-3} strength {district.ActualStrength,5}/{district.AuthorisedStrength,-5} {district.Communes.Count,3} communes");
    }

    Console.WriteLine($"\nFollowing {provinceId} for {wanted} updates (Ctrl+C stops)…");
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    var received = 0;
    await foreach (var update in client.WatchProvinceAsync(provinceId, cancellationToken: stop.Token))
    {
        var strength = update.View.Districts.Sum(d => d.ActualStrength);
        Console.WriteLine($"  event {update.Sequence}: level {update.View.Level}, strength {strength}, changed: {string.Join(", ", update.Changed)}");
        if (++received == wanted)
        {
            break;
        }
    }
    return 0;
}
catch (ReadinessApiException ex)
{
    // The problem document says what was refused and why; Retry-After comes with a 429.
    Console.Error.WriteLine($"Refused ({ex.StatusCode}): {ex.Problem.Title} {ex.Problem.Detail}");
    return 1;
}
catch (OperationCanceledException)
{
    return 130;
}

string? Option(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static string? DevToken()
{
    for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
    {
        var file = Path.Combine(directory.FullName, ".local", "dev-token");
        if (File.Exists(file))
        {
            return File.ReadAllText(file).Trim();
        }
    }
    return null;
}
