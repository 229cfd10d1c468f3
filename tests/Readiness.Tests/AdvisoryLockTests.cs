using System.Globalization;
using System.Text.RegularExpressions;
using Readiness.Silo.Hosting;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The advisory lock keys are one list (AdvisoryLockKey), and a key is a promise to every silo still
/// running the previous version: two purposes sharing a number would block each other, and a
/// renumbered key would let this version work beside an older silo that holds the old number.
/// </summary>
public partial class AdvisoryLockTests
{
    [Fact]
    public void Each_lock_key_has_a_number_of_its_own()
    {
        var numbers = Enum.GetNames<AdvisoryLockKey>().ToDictionary(name => name, name => (long)Enum.Parse<AdvisoryLockKey>(name));

        var shared = numbers.GroupBy(n => n.Value).Where(g => g.Count() > 1).Select(g => string.Join(" = ", g.Select(n => n.Key))).ToList();

        Assert.True(shared.Count == 0, $"Lock keys share a number: {string.Join("; ", shared)}");
    }

    [Fact]
    public void No_lock_key_is_renumbered()
    {
        // Adding a key adds a row here; changing a row's number is what a running older silo cannot survive.
        var pinned = new Dictionary<string, long>
        {
            ["Migration"] = 0x5265616479_01,
            ["Outbox"] = 0x5265616479_02,
            ["MerkleLog"] = 0x5265616479_04,
            ["Rebuild"] = 0x5245_4255_494C_44,
            ["ClusterScripts"] = 4242010001,
        };

        var numbers = Enum.GetNames<AdvisoryLockKey>().ToDictionary(name => name, name => (long)Enum.Parse<AdvisoryLockKey>(name));

        Assert.Equal(pinned.OrderBy(p => p.Key, StringComparer.Ordinal), numbers.OrderBy(n => n.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void No_lock_key_is_one_marten_takes_for_its_daemon_or_its_schema_changes()
    {
        var options = new Marten.StoreOptions();
        var marten = DaemonLeadership.LockIds().Append(options.ApplyChangesLockId).ToHashSet();

        var clashes = Enum.GetValues<AdvisoryLockKey>().Where(key => marten.Contains((long)key)).ToList();

        Assert.Empty(clashes);
    }

    [Fact]
    public void Every_advisory_lock_the_sql_scripts_take_is_a_listed_key()
    {
        var scripts = Directory.EnumerateFiles(Path.Combine(PostgresCluster.RepositoryRoot, "infra", "sql"), "*.sql", SearchOption.AllDirectories).ToList();
        var taken = scripts.SelectMany(file => AdvisoryLockCall().Matches(File.ReadAllText(file))
            .Select(m => (File: Path.GetFileName(file), Key: long.Parse(m.Groups["key"].Value, CultureInfo.InvariantCulture)))).ToList();

        var unlisted = taken.Where(t => !Enum.IsDefined((AdvisoryLockKey)t.Key)).Select(t => $"{t.File}: {t.Key}").ToList();

        Assert.NotEmpty(taken);
        Assert.True(unlisted.Count == 0, $"Scripts take locks AdvisoryLockKey does not list: {string.Join(", ", unlisted)}");
    }

    [GeneratedRegex(@"pg_(?:try_)?advisory_(?:xact_)?lock(?:_shared)?\((?<key>-?\d+)\)")]
    private static partial Regex AdvisoryLockCall();
}
