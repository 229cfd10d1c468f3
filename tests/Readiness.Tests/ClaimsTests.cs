using System.Text.RegularExpressions;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// docs/claims.md maps every promise the README and the docs make to the tests that prove it. A row
/// that names no test, or a test that no longer exists, fails here, so the table cannot drift into
/// promises nothing checks.
/// </summary>
public partial class ClaimsTests
{
    [Fact]
    public void Every_claim_in_the_table_names_tests_that_exist()
    {
        var tests = TestMethods();
        var rows = ClaimRows();

        Assert.True(rows.Count >= 40, $"docs/claims.md holds {rows.Count} claims; the table is read from its rows starting with '| C'.");
        var problems = new List<string>();
        foreach (var (id, named) in rows)
        {
            if (named.Count == 0)
            {
                problems.Add($"{id} names no test");
            }
            problems.AddRange(named.Where(t => !tests.Contains(t)).Select(t => $"{id} names {t}, which is not a [Fact] or [Theory] in tests/"));
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(rows.Count, rows.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>Each row's id and the <c>Class.Method</c> names in backticks in its last column.</summary>
    private static List<(string Id, List<string> Tests)> ClaimRows() =>
        [.. File.ReadLines(Path.Combine(PostgresCluster.RepositoryRoot, "docs", "claims.md"))
            .Where(line => ClaimRow().IsMatch(line))
            .Select(line =>
            {
                var cells = line.Split('|', StringSplitOptions.TrimEntries);
                var testCell = cells[^2];
                return (cells[1], TestName().Matches(testCell).Select(m => m.Groups[1].Value).ToList());
            })];

    /// <summary>"Class.Method" for every test method in the repository's test projects, read from their sources.</summary>
    private static HashSet<string> TestMethods()
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(PostgresCluster.RepositoryRoot, "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            string? currentClass = null;
            var attributed = false;
            foreach (var line in File.ReadLines(file))
            {
                if (ClassDeclaration().Match(line) is { Success: true } declared)
                {
                    currentClass = declared.Groups[1].Value;
                }
                else if (TestAttribute().IsMatch(line))
                {
                    attributed = true;
                }
                else if (attributed && MethodDeclaration().Match(line) is { Success: true } method && currentClass is not null)
                {
                    found.Add($"{currentClass}.{method.Groups[1].Value}");
                    attributed = false;
                }
            }
        }
        return found;
    }

    [GeneratedRegex(@"^\| C\d+ \|")]
    private static partial Regex ClaimRow();

    [GeneratedRegex(@"`([A-Z][A-Za-z0-9]*\.[A-Za-z0-9_]+)`")]
    private static partial Regex TestName();

    // Top-level classes only (file-scoped namespaces put them at the first column): a fixture nested in a test class is not the class its tests belong to.
    [GeneratedRegex(@"^public\s+(?:sealed\s+|partial\s+|abstract\s+)*class\s+([A-Za-z0-9_]+)")]
    private static partial Regex ClassDeclaration();

    [GeneratedRegex(@"^\s*\[(Fact|Theory)\b")]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"^\s*public\s+(?:async\s+)?(?:Task|void|ValueTask)\s+([A-Za-z0-9_]+)\s*\(")]
    private static partial Regex MethodDeclaration();
}
