using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// What an integrator's feed receives from <c>dotnet pack</c>: the client and the contracts it stands
/// on, and nothing of the server. Packed from the build this test run already has (--no-build), so
/// the check costs seconds.
/// </summary>
public class ClientPackageTests
{
    /// <summary>Assemblies of the server side: a client that references one would drag the silo's world into every integrator's program.</summary>
    private static readonly string[] ServerAssemblies = ["Orleans", "Microsoft.Orleans", "Marten", "JasperFx", "Npgsql"];

    [Fact]
    public async Task The_client_package_depends_on_the_contracts_package_alone_and_carries_its_readme_and_licence()
    {
        var output = Directory.CreateTempSubdirectory("readiness-pack-");
        try
        {
            var client = await PackAsync("client/Readiness.Client", output.FullName);
            var contracts = await PackAsync("client/Readiness.Contracts", output.FullName);

            Assert.Equal(client.Version, contracts.Version);
            Assert.Equal([("Readiness.Contracts", client.Version)], client.Dependencies);
            Assert.Empty(contracts.Dependencies);
            foreach (var package in new[] { client, contracts })
            {
                Assert.Equal("MIT", package.License);
                Assert.Empty(package.ServerReferences);
            }
            Assert.Equal("README.md", client.Readme);
            Assert.Contains("ReadinessClient.Create", client.ReadmeText, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(output.FullName, $"Readiness.Client.{client.Version}.snupkg")), "the client's symbols are packed beside it");
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private sealed record Packed(string Version, List<(string Id, string Version)> Dependencies, string? License, string? Readme, string ReadmeText, List<string> ServerReferences);

    private static async Task<Packed> PackAsync(string project, string output)
    {
        // The configuration the tests were built in, which --no-build packs from.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var run = await ProcessRun.RunAsync("dotnet", ["pack", project, "-c", configuration, "--no-build", "-o", output, "-nologo"],
            PostgresCluster.RepositoryRoot, null, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"dotnet pack {project} failed ({run.ExitCode}):\n{run.Stdout}\n{run.Stderr}");

        var id = Path.GetFileName(project);
        var path = Directory.GetFiles(output, $"{id}.*.nupkg").Single(p => !p.EndsWith(".symbols.nupkg", StringComparison.Ordinal));
        using var package = ZipFile.OpenRead(path);
        var nuspec = XDocument.Load(package.GetEntry($"{id}.nuspec")!.Open());
        var ns = nuspec.Root!.GetDefaultNamespace();
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        var dependencies = metadata.Descendants(ns + "dependency")
            .Select(d => ((string)d.Attribute("id")!, (string)d.Attribute("version")!))
            .ToList();
        var readme = (string?)metadata.Element(ns + "readme");
        var readmeText = readme is null ? string.Empty : await new StreamReader(package.GetEntry(readme)!.Open()).ReadToEndAsync();
        var license = metadata.Element(ns + "license");
        Assert.Equal("expression", (string?)license?.Attribute("type"));

        using var memory = new MemoryStream();
        await package.GetEntry($"lib/net10.0/{id}.dll")!.Open().CopyToAsync(memory);
        memory.Position = 0;
        using var pe = new PEReader(memory);
        var reader = pe.GetMetadataReader();
        var server = reader.AssemblyReferences
            .Select(r => reader.GetString(reader.GetAssemblyReference(r).Name))
            .Where(name => ServerAssemblies.Any(s => name == s || name.StartsWith(s + ".", StringComparison.Ordinal)))
            .ToList();
        return new Packed((string)metadata.Element(ns + "version")!, dependencies, (string?)license, readme, readmeText, server);
    }
}
