using System.Diagnostics;
using System.Runtime;
using Readiness.Benchmarks;

if (args is ["--merkle", ..])
{
    // The log's in-memory costs need no silo or database; default a million leaves.
    return MerkleFigures.Run(args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
}

if (BenchOptions.Parse(args) is not { } options)
{
    return 2;
}

if (typeof(Benchmark).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
        .OfType<DebuggableAttribute>().Any(d => d.IsJITOptimizerDisabled))
{
    Console.Error.WriteLine("This is a Debug build; figures would mislead. Run with -c Release.");
    return 2;
}

var watch = Stopwatch.StartNew();
var report = new Report(options.Mode);
Console.WriteLine($"Readiness benchmark, {options.Mode} mode; server GC {GCSettings.IsServerGC}; {Environment.ProcessorCount} cores");
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
    report.Write(options.OutDirectory, watch.Elapsed);
    return 1;
}
report.Write(options.OutDirectory, watch.Elapsed);
return 0;
