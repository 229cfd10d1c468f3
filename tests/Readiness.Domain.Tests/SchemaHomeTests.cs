using System.Text.RegularExpressions;

namespace Readiness.Domain.Tests;

/// <summary>
/// The schema has one home: every table, function, index and grant of ours is written in infra/sql
/// (Marten's own tables in Marten's configuration) and applied by migrate; the code that uses them only
/// names them. A second definition would drift from the first, and one of them would then be wrong.
/// Reads the source, not the build.
/// </summary>
public partial class SchemaHomeTests
{
    private static readonly string[] Scanned = ["silo", "grains", "client"];

    // DDL as this repository writes it (upper case), so that prose such as "you can only grant roles you
    // hold" or SchemaCheck's hint "REVOKE <privilege> ON <table>" is not taken for a definition.
    [GeneratedRegex(@"\bCREATE\s+(OR\s+REPLACE\s+)?(UNIQUE\s+)?(TABLE|FUNCTION|PROCEDURE|INDEX|VIEW|TRIGGER|SEQUENCE|SCHEMA|TYPE)\b" +
        @"|\bALTER\s+(TABLE|FUNCTION|INDEX|SEQUENCE)\b|\b(GRANT|REVOKE)\s+[A-Z, ]+\s+ON\b")]
    private static partial Regex Definition();

    [Fact]
    public void No_code_defines_a_table_a_function_an_index_or_a_grant_outside_infra_sql()
    {
        var definitions = Repository.SourceFiles(Scanned)
            .SelectMany(f => File.ReadLines(f.Full).Select((line, index) => (f.Path, Line: index + 1, Text: line)))
            .Where(l => Definition().IsMatch(l.Text))
            .Select(l => $"{l.Path}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(definitions.Count == 0, "The schema belongs to infra/sql, applied by migrate:\n" + string.Join('\n', definitions));
    }

    [Fact]
    public void The_scan_knows_a_definition_when_it_sees_one()
    {
        // Guards the test above against passing because its pattern matches nothing: each script of the home does.
        var scripts = Directory.EnumerateFiles(Path.Combine(Repository.Root, "infra", "sql"), "*.sql", SearchOption.AllDirectories).ToList();

        Assert.NotEmpty(scripts);
        Assert.All(scripts, script => Assert.Matches(Definition(), File.ReadAllText(script)));
    }
}
