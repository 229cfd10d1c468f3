using System.Text.RegularExpressions;

namespace Readiness.Domain.Tests;

/// <summary>
/// Marten's tables are named in one project only, grains/Readiness.Store, so that a Marten
/// upgrade that reshapes them is answered there and nowhere else. Reads the source, not the build.
/// </summary>
public partial class StoreSeamTests
{
    private const string StoreFolder = "grains/Readiness.Store/";
    private static readonly string[] Scanned = ["silo", "grains", "client"];

    [GeneratedRegex(@"\bmt_[a-z_]+")]
    private static partial Regex MartenTable();

    [Fact]
    public void No_source_outside_the_store_names_a_Marten_table()
    {
        var offenders = SourceFiles()
            .Where(f => !f.Path.StartsWith(StoreFolder, StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f.Full).Select((line, index) => (f.Path, Line: index + 1, Text: line)))
            .Where(l => MartenTable().IsMatch(l.Text))
            .Select(l => $"{l.Path}:{l.Line}: {MartenTable().Match(l.Text).Value}")
            .ToList();

        Assert.True(offenders.Count == 0, "Marten's tables belong to the store (" + StoreFolder + "):\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_scan_sees_the_store_itself()
    {
        // Guards the test above against passing because it found no source at all.
        Assert.Contains(SourceFiles(), f => f.Path.StartsWith(StoreFolder, StringComparison.Ordinal) && MartenTable().IsMatch(File.ReadAllText(f.Full)));
    }

    private static IEnumerable<(string Path, string Full)> SourceFiles() => Repository.SourceFiles(Scanned);
}
