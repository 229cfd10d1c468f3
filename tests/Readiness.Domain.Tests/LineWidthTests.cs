namespace Readiness.Domain.Tests;

/// <summary>
/// No line of C# is wider than 200 characters, so that a newcomer reads the code without scrolling
/// sideways and a review shows the whole of a change. Reads the source, not the build.
/// </summary>
public class LineWidthTests
{
    private const int Widest = 200;
    private static readonly string[] Scanned = ["grains", "silo", "client", "tests"];

    [Fact]
    public void No_line_of_code_is_wider_than_200_characters()
    {
        var wide = SourceFiles()
            .SelectMany(f => File.ReadLines(f.Full).Select((line, index) => (f.Path, Line: index + 1, Width: line.Length)))
            .Where(l => l.Width > Widest)
            .Select(l => $"{l.Path}:{l.Line}: {l.Width} characters")
            .ToList();

        Assert.True(wide.Count == 0, $"Break these lines (long parameter lists, strings, conditions) to at most {Widest} characters:\n" + string.Join('\n', wide));
    }

    [Fact]
    public void The_scan_reads_each_folder_it_names()
    {
        // Guards the test above against passing because it found no source at all.
        var files = SourceFiles().ToList();
        Assert.All(Scanned, folder => Assert.Contains(files, f => f.Path.StartsWith(folder + "/", StringComparison.Ordinal)));
    }

    private static IEnumerable<(string Path, string Full)> SourceFiles() => Repository.SourceFiles(Scanned);
}
