namespace Readiness.Benchmarks;

/// <summary>How big and how long: quick for a developer (under three minutes on two cores), full for the record.</summary>
public sealed record BenchOptions(
    string Mode,
    string OutDirectory,
    CountryShape Shape,
    int[] CallerLevels,
    TimeSpan Warmup,
    TimeSpan LevelDuration,
    TimeSpan BaselineDuration,
    int LiveQueries,
    int PastQueries,
    int ColdStreams,
    int ColdStreamLength,
    int MemoryGrains,
    long RebuildEvents,
    TimeSpan ProfileDuration,
    TimeSpan CatchUpWindow,
    bool Trace = false)
{
    public static BenchOptions Quick(string outDirectory) => new("quick", outDirectory,
        new CountryShape(Provinces: 6, DistrictsPerProvince: 4, CommunesPerDistrict: 6, UnitsPerCommune: 2),
        [1, 8, 64, 256], TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(4),
        LiveQueries: 200, PastQueries: 40, ColdStreams: 6, ColdStreamLength: 1_000, MemoryGrains: 2_000, RebuildEvents: 100_000,
        ProfileDuration: TimeSpan.FromSeconds(5), CatchUpWindow: TimeSpan.FromSeconds(5));

    public static BenchOptions Full(string outDirectory) => new("full", outDirectory,
        new CountryShape(Provinces: 24, DistrictsPerProvince: 8, CommunesPerDistrict: 10, UnitsPerCommune: 2),
        [1, 8, 64, 256], TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15),
        LiveQueries: 2_000, PastQueries: 300, ColdStreams: 12, ColdStreamLength: 1_000, MemoryGrains: 10_000, RebuildEvents: 1_050_000,
        ProfileDuration: TimeSpan.FromSeconds(10), CatchUpWindow: TimeSpan.FromSeconds(10));

    public static BenchOptions? Parse(string[] args)
    {
        var full = false;
        var trace = false;
        var output = Path.Combine(BenchDatabase.RepositoryRoot, "TestResults", "benchmarks");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    full = false;
                    break;
                case "--full":
                    full = true;
                    break;
                case "--trace":
                    trace = true;
                    break;
                case "--out" when i + 1 < args.Length:
                    output = Path.GetFullPath(args[++i]);
                    break;
                default:
                    Console.Error.WriteLine(
                        "usage: dotnet run -c Release --project tests/Readiness.Benchmarks -- [--quick|--full] [--out dir]\n" +
                        "  --quick  (default) under three minutes on two cores\n" +
                        "  --full   longer runs, a larger country, a rebuild over more than a million events\n" +
                        "  --out    where the JSON and Markdown go (default TestResults/benchmarks)\n" +
                        "  --trace  also sample this process's threads with dotnet-trace (if installed) during the profile pass");
                    return null;
            }
        }
        return (full ? Full(output) : Quick(output)) with { Trace = trace };
    }
}
