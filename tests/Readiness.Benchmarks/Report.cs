using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Readiness.Benchmarks;

/// <summary>One measured figure: a rate or a latency distribution, with what it cost.</summary>
public sealed record Figure(string Key, string Label, string Unit, double Value, double? P50 = null, double? P99 = null, long Samples = 0, string? Notes = null);

/// <summary>A design target beside the measured figure, its same-run baselines and the ratios.</summary>
public sealed record TargetRow(string What, string Target, string Measured, bool? Met, string Baselines, string Ratios);

public sealed record Machine(int Processors, string Cpu, string Memory, string PostgreSql, string Runtime, string Os)
{
    public static async Task<Machine> DescribeAsync(BenchDatabase database)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal)) is { } line
                ? $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024 / 1024.0:F1} GiB"
                : "unknown"
            : "unknown";
        var version = await database.TextAsync("SELECT version()");
        return new Machine(Environment.ProcessorCount, cpu, memory, version.Split(" on ")[0], RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription);
    }
}

public sealed class Report(string mode)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string Mode { get; } = mode;
    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;
    public Machine? Machine { get; set; }
    public List<Figure> Figures { get; } = [];
    public List<TargetRow> Targets { get; } = [];
    public Dictionary<string, object> Evidence { get; } = new(StringComparer.Ordinal);
    public List<string> Problems { get; } = [];

    public Figure? this[string key] => Figures.FirstOrDefault(f => f.Key == key);

    public void Add(Figure figure)
    {
        Figures.Add(figure);
        Console.WriteLine($"  {figure.Label,-58} {Describe(figure)}");
    }

    public static string Describe(Figure f) =>
        f.P50 is { } p50
            ? $"p50 {Ms(p50)}  p99 {Ms(f.P99 ?? double.NaN)}{(f.Unit == "ms" ? string.Empty : $"  ({Num(f.Value)} {f.Unit})")}"
            : $"{Num(f.Value)} {f.Unit}";

    public static string Num(double value) =>
        double.IsNaN(value) ? "n/a"
        : Math.Abs(value) >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Ms(double value) => double.IsNaN(value) ? "n/a" : $"{value.ToString(value >= 10 ? "F0" : "F1", CultureInfo.InvariantCulture)} ms";

    public static string Ratio(double measured, double baseline) =>
        baseline <= 0 || double.IsNaN(baseline) || double.IsNaN(measured) ? "n/a" : (measured / baseline).ToString("0.00", CultureInfo.InvariantCulture) + "×";

    /// <summary>
    /// Several runs as one report: each target's measured values side by side, met only when every run
    /// met it (not met when any did not; not judged when a run could not judge it), and every run's
    /// figures and problems, each marked with its run.
    /// </summary>
    public static Report Combine(string mode, IReadOnlyList<Report> runs)
    {
        if (runs.Count == 1)
        {
            return runs[0];
        }
        var combined = new Report(mode) { Machine = runs[0].Machine };
        var rows = runs.Min(r => r.Targets.Count);
        for (var i = 0; i < rows; i++)
        {
            var each = runs.Select(r => r.Targets[i]).ToList();
            var met = each.Any(t => t.Met == false) ? false : each.All(t => t.Met == true) ? true : (bool?)null;
            combined.Targets.Add(each[0] with
            {
                Measured = string.Join("; ", each.Select((t, run) => $"run {run + 1}: {t.Measured}")),
                Baselines = string.Join("; ", each.Select((t, run) => $"run {run + 1}: {t.Baselines}")),
                Ratios = string.Join("; ", each.Select((t, run) => $"run {run + 1}: {t.Ratios}")),
                Met = met,
            });
        }
        for (var run = 0; run < runs.Count; run++)
        {
            combined.Figures.AddRange(runs[run].Figures.Select(f => f with { Key = $"run{run + 1}.{f.Key}", Label = $"run {run + 1}: {f.Label}" }));
            combined.Problems.AddRange(runs[run].Problems.Select(p => $"run {run + 1}: {p}"));
            foreach (var (key, value) in runs[run].Evidence)
            {
                combined.Evidence[$"run{run + 1}.{key}"] = value;
            }
        }
        if (runs.Any(r => r.Targets.Count != rows))
        {
            combined.Problems.Add("the runs judged different numbers of targets; only those every run judged are combined");
        }
        return combined;
    }

    public void Write(string directory, TimeSpan elapsed)
    {
        Directory.CreateDirectory(directory);
        var stamp = StartedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var document = new
        {
            mode = Mode,
            startedAt = StartedAt,
            elapsedSeconds = Math.Round(elapsed.TotalSeconds, 1),
            machine = Machine,
            targets = Targets,
            figures = Figures,
            evidence = Evidence,
            problems = Problems,
        };
        var json = JsonSerializer.Serialize(document, Json);
        var markdown = Markdown(elapsed);
        foreach (var name in new[] { $"benchmark-{Mode}-{stamp}", $"latest-{Mode}" })
        {
            File.WriteAllText(Path.Combine(directory, name + ".json"), json);
            File.WriteAllText(Path.Combine(directory, name + ".md"), markdown);
        }
        Console.WriteLine();
        Console.WriteLine(markdown);
        Console.WriteLine($"Written to {Path.GetFullPath(directory)}/latest-{Mode}.json and .md");
    }

    public string Markdown(TimeSpan elapsed)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### Benchmark, {Mode} mode, {StartedAt:yyyy-MM-dd HH:mm} UTC ({elapsed.TotalSeconds:F0} s)");
        md.AppendLine();
        if (Machine is { } m)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {m.Processors} cores ({m.Cpu}), {m.Memory} RAM, {m.PostgreSql}, {m.Runtime}, {m.Os}.");
            md.AppendLine();
        }
        md.AppendLine("| what | target | measured | same-run baselines | ratio | met |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var t in Targets)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {t.What} | {t.Target} | {t.Measured} | {t.Baselines} | {t.Ratios} | {(t.Met is { } met ? met ? "yes" : "**no**" : "—")} |");
        }
        md.AppendLine();
        md.AppendLine("| figure | value | p50 | p99 | samples | notes |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var f in Figures)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {f.Label} | {(f.Unit == "ms" && f.P50 is not null ? "" : $"{Num(f.Value)} {f.Unit}")} | {(f.P50 is { } a ? Ms(a) : "")} | {(f.P99 is { } b ? Ms(b) : "")} | " +
                    $"{(f.Samples > 0 ? f.Samples.ToString("N0", CultureInfo.InvariantCulture) : "")} | {f.Notes} |");
        }
        if (Problems.Count > 0)
        {
            md.AppendLine();
            foreach (var p in Problems)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- problem: {p}");
            }
        }
        return md.ToString();
    }
}
