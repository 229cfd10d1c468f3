using System.ComponentModel.DataAnnotations;
using Marten;
using Npgsql;

namespace Readiness.Store;

/// <summary>
/// A PostgreSQL database beside the main one, and the provinces whose events and documents it holds
/// (configuration <c>Readiness:Databases:N</c>). The main database (ConnectionStrings:Readiness) holds
/// every province no entry names, and the cluster's own tables: membership, reminders, tokens, the outbox.
/// </summary>
public sealed class ProvinceDatabaseSetting
{
    /// <summary>How operators and the admin routes name the database: lower-case letters, digits and '-'.</summary>
    [Required, RegularExpression("^[a-z0-9][a-z0-9-]{0,39}$")]
    public string Name { get; set; } = "";

    /// <summary>The application role's connection.</summary>
    [Required]
    public string Connection { get; set; } = "";

    /// <summary>The schema owner's connection, read by <c>migrate</c> alone; the silo never holds it.</summary>
    public string? OwnerConnection { get; set; }

    [Required, MinLength(1)]
    public string[] Provinces { get; set; } = [];
}

/// <summary>One database's share of the store: its appends, its SQL, its sessions.</summary>
/// <param name="name">How operators name it.</param>
/// <param name="dataSource">Its application-role connections.</param>
/// <param name="events">Its event tables.</param>
/// <param name="commits">Its group commit.</param>
/// <param name="sessions">Its Marten sessions.</param>
/// <param name="provinces">The provinces it holds; null for the main database.</param>
public sealed class ProvinceDatabase(
    string name, NpgsqlDataSource dataSource, EventStore events, GroupCommit commits, StoreSessions sessions, IReadOnlySet<string>? provinces)
{
    public string Name { get; } = name;
    public NpgsqlDataSource DataSource { get; } = dataSource;
    public EventStore Events { get; } = events;
    public GroupCommit Commits { get; } = commits;
    public StoreSessions Sessions { get; } = sessions;

    /// <summary>What the actor grains read and write of their own streams in this database.</summary>
    public ActorStreams Streams { get; } = new(sessions, dataSource);

    /// <summary>The provinces it holds; null for the main database, which holds every province no other names.</summary>
    public IReadOnlySet<string>? Provinces { get; } = provinces;

    public bool IsMain => Provinces is null;
}

/// <summary>
/// Which database each province's events and documents live in, and one <see cref="ProvinceDatabase"/>
/// per database. Marten holds the same map as its database-per-tenant tenancy: every database beside the
/// main one is a tenant database under its own name and its provinces' ids, the main one is the default,
/// and the daemon runs per database with a leader of its own (<see cref="ReadinessStore.Configure"/>).
/// Orleans stays one cluster: any silo serves any province, whichever database the province lives in.
/// </summary>
public sealed class ProvinceDatabases : IAsyncDisposable
{
    public const string MainName = "main";

    private readonly Dictionary<string, ProvinceDatabase> byProvince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProvinceDatabase> byName = new(StringComparer.Ordinal);

    /// <param name="store">The store, configured with the same <paramref name="others"/>.</param>
    /// <param name="main">The main database's connections.</param>
    /// <param name="mainCommits">The main database's group commit.</param>
    /// <param name="others">The databases beside the main one.</param>
    /// <param name="telemetry">Where commits are counted.</param>
    public ProvinceDatabases(IDocumentStore store, NpgsqlDataSource main, GroupCommit mainCommits, IEnumerable<ProvinceDatabaseSetting> others, ReadinessTelemetry? telemetry = null)
    {
        Main = new ProvinceDatabase(MainName, main, mainCommits.Events, mainCommits, new StoreSessions(store, null), null);
        byName[MainName] = Main;
        List<ProvinceDatabase> all = [Main];
        foreach (var setting in others)
        {
            if (setting.Name == MainName)
            {
                throw new InvalidOperationException($"'{MainName}' names the main database (ConnectionStrings:Readiness); give the database in Readiness:Databases another name.");
            }
            var source = NpgsqlDataSource.Create(setting.Connection);
            var events = new EventStore(source, store);
            var commits = new GroupCommit(events, telemetry);
            var sessions = new StoreSessions(store, setting.Name);
            var database = new ProvinceDatabase(setting.Name, source, events, commits, sessions, setting.Provinces.ToHashSet(StringComparer.Ordinal));
            if (!byName.TryAdd(setting.Name, database))
            {
                throw new InvalidOperationException($"Two databases are named '{setting.Name}' in Readiness:Databases.");
            }
            all.Add(database);
            foreach (var province in setting.Provinces)
            {
                if (!byProvince.TryAdd(province, database))
                {
                    throw new InvalidOperationException($"Province '{province}' is mapped to two databases in Readiness:Databases.");
                }
            }
        }
        All = all;
    }

    public ProvinceDatabase Main { get; }

    /// <summary>Every database, the main one first.</summary>
    public IReadOnlyList<ProvinceDatabase> All { get; }

    public bool Several => All.Count > 1;

    /// <summary>The database the province's streams and roster live in.</summary>
    public ProvinceDatabase Of(string provinceId) => byProvince.GetValueOrDefault(provinceId) ?? Main;

    public ProvinceDatabase? Named(string name) => byName.GetValueOrDefault(name);

    /// <summary>A read session on the database the province lives in.</summary>
    public IQuerySession QuerySession(string provinceId) => Of(provinceId).Sessions.QuerySession();

    /// <summary>Groups province ids by the database that holds them, in the order of <see cref="All"/>.</summary>
    public IEnumerable<(ProvinceDatabase Database, string[] Provinces)> Split(IEnumerable<string> provinceIds)
    {
        var groups = provinceIds.GroupBy(Of).ToDictionary(g => g.Key, g => g.ToArray());
        return All.Where(groups.ContainsKey).Select(d => (d, groups[d]));
    }

    public async ValueTask DisposeAsync()
    {
        // The main database's writer and connections belong to the container; the others were made here.
        foreach (var database in All.Where(d => !d.IsMain))
        {
            await database.Commits.DisposeAsync();
            await database.DataSource.DisposeAsync();
        }
    }
}
