using System.Text.RegularExpressions;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The silo's feature folders may lean on each other only one way: a newcomer reading a folder
/// then finds what it needs below it, never a path that leads back to where they started.
/// </summary>
public sealed partial class FolderCycleTests
{
    // Hosting is the composition root: it wires every feature, and only Program.cs stands above it.
    private static readonly string[] Features = ["Api", "Audit", "Admin", "Live", "Security", "Upward", "Http"];

    [Fact]
    public void No_feature_folder_of_the_silo_depends_on_itself_through_others()
    {
        var silo = Path.Combine(PostgresCluster.RepositoryRoot, "silo", "Readiness.Silo");
        var uses = Features.ToDictionary(f => f, f => Directory.EnumerateFiles(Path.Combine(silo, f), "*.cs", SearchOption.AllDirectories)
            .SelectMany(File.ReadLines)
            .Select(line => SiloUsing().Match(line))
            .Where(m => m.Success && m.Groups[1].Value != f && Features.Contains(m.Groups[1].Value))
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal));
        Assert.True(uses["Api"].Count > 0, "no folder dependencies were read: the test would pass on anything");

        var cycles = Features.Select(start => Cycle(start, uses)).OfType<string>().Distinct().ToList();

        Assert.True(cycles.Count == 0, $"folders that lead back to themselves: {string.Join("; ", cycles)}");
    }

    /// <summary>The shortest path from <paramref name="start"/> back to itself, as "A → B → A", or null.</summary>
    private static string? Cycle(string start, Dictionary<string, HashSet<string>> uses)
    {
        var cameFrom = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var folder))
        {
            foreach (var next in uses[folder].Order(StringComparer.Ordinal))
            {
                if (next == start)
                {
                    var path = new List<string>();
                    for (var at = folder; at != start; at = cameFrom[at])
                    {
                        path.Add(at);
                    }
                    path.Add(start);
                    path.Reverse();
                    path.Add(start);
                    return string.Join(" → ", path);
                }
                if (cameFrom.TryAdd(next, folder))
                {
                    queue.Enqueue(next);
                }
            }
        }
        return null;
    }

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?Readiness\.Silo\.(\w+)")]
    private static partial Regex SiloUsing();
}
