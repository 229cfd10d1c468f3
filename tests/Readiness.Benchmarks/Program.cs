using System.Diagnostics;
using System.Runtime;
using Readiness.Benchmarks;

if (typeof(Benchmark).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
        .OfType<DebuggableAttribute>().Any(d => d.IsJITOptimizerDisabled))
{
    Console.Error.WriteLine("This is a Debug build; figures would mislead. Run with -c Release.");
    return 2;
}

if (args is ["--merkle", ..])
{
    // The log's in-memory costs need no silo or database; default a million leaves.
    return MerkleFigures.Run(args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
}

if (args is ["--region", ..])
{
    // The region's instance alone: its own database and silo, provinces simulated with keys of their own.
    return await RegionFigures.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40);
}

if (BenchOptions.Parse(args) is not { } options)
{
    return 2;
}

var watch = Stopwatch.StartNew();
Console.WriteLine($"Readiness benchmark, {options.Mode} mode, {options.Runs} run(s); server GC {GCSettings.IsServerGC}; {Environment.ProcessorCount} cores");
var runs = new List<Report>();
var failed = false;
for (var run = 1; run <= options.Runs && !failed; run++)
{
    Console.WriteLine($"Run {run} of {options.Runs}");
    var report = new Report(options.Mode);
    runs.Add(report);
    try
    {
        if (options.Databases == 2)
        {
            await new TwoDatabaseBenchmark(options, report).RunAsync();
        }
        else
        {
            await new Benchmark(options, report).RunAsync();
        }
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        report.Problems.Add($"{e.GetType().Name}: {e.Message}");
        Console.Error.WriteLine(e);
        failed = true;
    }
}
Report.Combine(options.Mode, runs).Write(options.OutDirectory, watch.Elapsed);
return failed ? 1 : 0;
