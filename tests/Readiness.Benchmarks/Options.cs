namespace Readiness.Benchmarks;

/// <summary>
/// How big and how long: quick for a developer (a few minutes on two cores), full for the record. Each
/// mode runs twice by default, and a target is met only when both runs meet it: one run's luck is not a result.
/// </summary>
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
    TimeSpan? MartenRebuildBudget = null,
    bool Trace = false,
    bool GrainsOnly = false,
    bool IdleOnly = false,
    int Databases = 1,
    int Runs = 2)
{
    public static BenchOptions Quick(string outDirectory) => new("quick", outDirectory,
        new CountryShape(Provinces: 6, DistrictsPerProvince: 4, CommunesPerDistrict: 6, UnitsPerCommune: 2),
        [1, 8, 64, 256], TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(4),
        LiveQueries: 200, PastQueries: 100, ColdStreams: 4, ColdStreamLength: 10_000, MemoryGrains: 10_000, RebuildEvents: 250_000,
        ProfileDuration: TimeSpan.FromSeconds(5), CatchUpWindow: TimeSpan.FromSeconds(5));

    public static BenchOptions Full(string outDirectory) => new("full", outDirectory,
        new CountryShape(Provinces: 24, DistrictsPerProvince: 8, CommunesPerDistrict: 10, UnitsPerCommune: 2),
        [1, 8, 64, 256], TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15),
        LiveQueries: 2_000, PastQueries: 300, ColdStreams: 8, ColdStreamLength: 10_000, MemoryGrains: 20_000, RebuildEvents: 1_050_000,
        ProfileDuration: TimeSpan.FromSeconds(10), CatchUpWindow: TimeSpan.FromSeconds(10));

    /// <summary>
    /// The whole country's size: 34 provinces of 10 districts of 10 communes (3,400), about 10,600
    /// units, and a store of more than five million events for the rebuild and the views. On demand only.
    /// </summary>
    public static BenchOptions National(string outDirectory) => Full(outDirectory) with
    {
        Mode = "national",
        Shape = new CountryShape(Provinces: 34, DistrictsPerProvince: 10, CommunesPerDistrict: 10, UnitsPerCommune: 2),
        RebuildEvents = 5_000_000,
        // Marten's own rebuild of five million events ran past six minutes unfinished; past its budget it is
        // stopped and bounded from above (events over the budget), which is all the comparison needs.
        MartenRebuildBudget = TimeSpan.FromMinutes(4),
    };

    public static BenchOptions? Parse(string[] args)
    {
        var mode = "quick";
        var trace = false;
        var grainsOnly = false;
        var idleOnly = false;
        var databases = 1;
        var runs = 2;
        var output = Path.Combine(BenchDatabase.RepositoryRoot, "TestResults", "benchmarks");
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick" or "--full" or "--national":
                    mode = args[i][2..];
                    break;
                case "--trace":
                    trace = true;
                    break;
                case "--grains-only":
                    grainsOnly = true;
                    break;
                case "--idle-only":
                    idleOnly = true;
                    break;
                case "--databases" when i + 1 < args.Length && args[i + 1] is "1" or "2":
                    databases = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "--runs" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n is >= 1 and <= 5:
                    runs = n;
                    i++;
                    break;
                case "--out" when i + 1 < args.Length:
                    output = Path.GetFullPath(args[++i]);
                    break;
                default:
                    Console.Error.WriteLine(
                        "usage: dotnet run -c Release --project tests/Readiness.Benchmarks -- [--quick|--full|--national] [--runs N] [--out dir]\n" +
                        "  --quick     (default) about three minutes a run on two cores\n" +
                        "  --full      longer runs, a larger country, a rebuild over more than a million events\n" +
                        "  --national  the whole country: 34 provinces, 3,400 communes, about 10,600 units, over five million events\n" +
                        "  --runs N    how many runs (1–5, default 2); a target is met only when every run meets it\n" +
                        "  --out    where the JSON and Markdown go (default TestResults/benchmarks)\n" +
                        "  --grains-only  the seed and the grain levels alone (rate, allocation, lag): a minute, for profiling\n" +
                        "  --idle-only    cold activation and the memory of idle grains alone, without the seed or any load\n" +
                        "  --trace  also sample this process's threads with dotnet-trace (if installed) during the profile pass\n" +
                        "  --databases 2  every other province in a database on a second PostgreSQL cluster: the grains' rate and lag per\n" +
                        "                 database, raw appends into one cluster and both, each database's daemon and rebuild (for the sizing note)");
                    return null;
            }
        }
        if (grainsOnly && idleOnly)
        {
            Console.Error.WriteLine("--grains-only and --idle-only leave out each other's phases: choose one");
            return null;
        }
        var options = mode switch
        {
            "full" => Full(output),
            "national" => National(output),
            _ => Quick(output),
        };
        return databases == 2
            ? options with { Trace = trace, Databases = 2, Mode = options.Mode + "-2db", Runs = runs }
            : options with
            {
                Trace = trace, Runs = runs, GrainsOnly = grainsOnly, IdleOnly = idleOnly,
                Mode = options.Mode + (grainsOnly ? "-grains" : "") + (idleOnly ? "-idle" : ""),
            };
    }
}
