namespace Readiness.Domain.Tests;

/// <summary>The checkout these tests were built from, for the tests that read its sources and docs.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Every C# source under the folders, outside build output, by its path from the root.</summary>
    public static IEnumerable<(string Path, string Full)> SourceFiles(IEnumerable<string> folders) =>
        folders
            .SelectMany(folder => Directory.EnumerateFiles(System.IO.Path.Combine(Root, folder), "*.cs", SearchOption.AllDirectories))
            .Select(full => (Path: System.IO.Path.GetRelativePath(Root, full).Replace('\\', '/'), Full: full))
            .Where(f => !f.Path.Split('/').Any(part => part is "bin" or "obj"));

    private static string FindRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(System.IO.Path.Combine(root.FullName, "Readiness.sln")))
        {
            root = root.Parent!;
        }
        return root.FullName;
    }
}
