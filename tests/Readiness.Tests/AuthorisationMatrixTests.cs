using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Npgsql;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo of its own for the matrix: its rebuilds and refused requests disturb no other test, and its store's tables are the matrix's alone.</summary>
public sealed class MatrixSilo() : OwnSilo("matrix", new Dictionary<string, string>
{
    ["Readiness:RateLimit:PermitsPerSecond"] = "100000",
    ["Readiness:RateLimit:Burst"] = "100000",
});

/// <summary>
/// Every route the silo maps (its endpoints, whether the OpenAPI document describes them or not) and
/// every file of its web root, asked by tokens scoped to the route's resource, its parent, its child,
/// a sibling whose id shares its prefix, another province, and '*'; by each role alone; with no
/// token, an expired one, one for another audience, one signed with another key and a revoked one;
/// and by a district's token with each parameter that names a part of the command tree set, alone, to
/// a sibling district, the province and another province. The table below says what each route
/// must answer; a route the table does not name fails the test, and so does a parameter nobody has
/// said whether it names an area, so no new route or parameter escapes it. No refusal (no 4xx)
/// changes the row count of any table the silo's database role may write.
/// </summary>
public partial class AuthorisationMatrixTests(MatrixSilo matrix) : IClassFixture<MatrixSilo>
{
    private const char Pass = 'P';

    /// <summary>The scope cases, in the order of a row's <see cref="Row.Scopes"/> code.</summary>
    private enum ScopeCase
    {
        Itself,
        Parent,
        Child,
        Sibling,
        OtherProvince,
    }

    /// <summary>What a district's token names through one parameter: each must be refused with 403.</summary>
    private enum Beyond
    {
        SiblingDistrict,
        Province,
        OtherProvince,
    }

    private static readonly string[] View = [Access.Viewer, Access.Reporter, Access.Auditor, Access.Admin];
    private static readonly string[] Report = [Access.Reporter];
    private static readonly string[] Audit = [Access.Auditor];
    private static readonly string[] Administer = [Access.Admin];

    /// <summary>
    /// One row a route. Roles: the roles that may use it (null: no token needed). Scopes: one letter per
    /// <see cref="ScopeCase"/>, for a token with every role sending the plain request (P passes with
    /// the answer '*' gets, 3 is 403). Star: the status a token with every role over '*' gets for the
    /// plain request (0: an answer of the domain, 2xx, 404 or 409, where earlier cases make it vary).
    /// Query: what the plain request sends, {R} being the route's resource.
    /// </summary>
    private sealed record Row(string Method, string Path, string[]? Roles, string Scopes, int Star, string Query = "");

    private static readonly Row[] Table =
    [
        new("GET", "/health/live", null, "PPPPP", 200),
        new("GET", "/health/ready", null, "PPPPP", 200),
        new("GET", "/openapi/{documentName}.json", null, "PPPPP", 200),
        new("GET", "/.well-known/jwks.json", null, "PPPPP", 200),
        new("GET", "/api/commands", Report, "PPPPP", 200),
        new("GET", "/metrics", View, "3P333", 200),

        new("GET", "/api/provinces/{provinceId}/readiness", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/districts/{district}", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/summary/{year}", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/missions", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/districts/{district}/missions", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/units", View, "PP333", 200),
        new("GET", "/api/units/{unitId}", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/trend", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/districts/{district}/trend", View, "PP333", 200),
        new("GET", "/api/trends/{unitId}", View, "PP333", 200),
        new("GET", "/api/exercises/{exerciseId}", View, "PP333", 404),
        new("GET", "/api/duty-posts/{postId}", View, "PP333", 404),
        new("GET", "/api/region/provinces", View, "PPPPP", 200),
        // Anonymous: a pinned key's signature admits a report; a silo not in the region role takes none (404).
        new("POST", "/api/region/reports", null, "PPPPP", 404),
        // The region's trend, from the reports it received: a silo not in the region role has none (404).
        new("GET", "/api/region/trend", View, "PPPPP", 404),
        // Registering a province with the region, pinning its keys again and removing it: the region's administrator over '*' alone;
        // a silo not in the region role registers none (404).
        new("POST", "/api/region/provinces", Administer, "3P333", 404),
        new("GET", "/api/region/provinces/{provinceId}/registration", Administer, "3P333", 404),
        new("PUT", "/api/region/provinces/{provinceId}/keys", Administer, "3P333", 404),
        new("DELETE", "/api/region/provinces/{provinceId}", Administer, "3P333", 404),
        new("GET", "/api/provinces/{provinceId}/tree", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/live", View, "PP333", 200),
        // Store-wide positions: how much every province records.
        new("GET", "/api/projections", View, "3P333", 200),
        new("GET", "/api/provinces/{provinceId}/reports/{year}", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/reports/{year}/events", View, "PP333", 200, "figure=outreach.sessions"),

        new("GET", "/api/history", Audit, "PP333", 200, "unit={R}"),
        new("GET", "/api/provinces/{provinceId}/history", Audit, "PP333", 200),
        new("GET", "/api/audit/verify", Audit, "PP333", 200, "area={R}"),
        new("GET", "/api/provinces/{provinceId}/chain-heads", Audit, "PP333", 200),
        new("GET", "/api/audit/tree-heads", Audit, "3P333", 200),
        new("GET", "/api/audit/proof/inclusion", Audit, "3P333", 400),
        new("GET", "/api/audit/proof/consistency", Audit, "3P333", 400),
        // The matrix's store imported nothing.
        new("GET", "/api/audit/imported-log", Audit, "3P333", 404),
        new("GET", "/api/audit/imported-log/proof/inclusion", Audit, "3P333", 400),
        new("GET", "/api/provinces/{provinceId}/upward-reports", Audit, "PP333", 200),
        new("GET", "/api/export", Audit, "PP333", 200, "area={R}"),
        new("POST", "/api/import", Administer, "3P333", 400),

        new("GET", "/api/admin/projections", Administer, "3P333", 200),
        new("POST", "/api/admin/projections/rebuild", Administer, "3P333", 0),
        new("POST", "/api/admin/projections/{name}/rebuild", Administer, "3P333", 0),
        new("GET", "/api/admin/rebuilds", Administer, "3P333", 200),
        new("GET", "/api/admin/rebuilds/{jobId}", Administer, "3P333", 404),
        // Minting within the caller's own scopes: the body asks for the route's resource, which a child or sibling does not hold.
        new("POST", "/api/admin/tokens", Administer, "PP333", 200),
        new("DELETE", "/api/admin/tokens/{tokenId}", Administer, "PP333", 200),
        // Orleans' dashboard shows every grain of every province: its page (the address without the slash redirects to it), its files and the routes its page reads.
        new("GET", "/admin/orleans/", Administer, "3P333", 200),
        new("GET", "/admin/orleans/DashboardCounters", Administer, "3P333", 200),
        new("GET", "/admin/orleans/ClusterStats", Administer, "3P333", 200),
        new("GET", "/admin/orleans/GrainState", Administer, "3P333", 200),
        new("GET", "/admin/orleans/GrainStats/{grainName}", Administer, "3P333", 200),
        new("GET", "/admin/orleans/GrainTypes", Administer, "3P333", 200),
        new("GET", "/admin/orleans/HistoricalStats/{path}", Administer, "3P333", 200),
        new("GET", "/admin/orleans/LifecycleStages", Administer, "3P333", 200),
        new("GET", "/admin/orleans/Reminders", Administer, "3P333", 200),
        new("GET", "/admin/orleans/Reminders/{page}", Administer, "3P333", 200),
        new("GET", "/admin/orleans/SiloCounters/{address}", Administer, "3P333", 200),
        new("GET", "/admin/orleans/SiloMetadata/{address}", Administer, "3P333", 200),
        new("GET", "/admin/orleans/SiloProperties/{address}", Administer, "3P333", 200),
        new("GET", "/admin/orleans/SiloStats/{address}", Administer, "3P333", 200),
        new("GET", "/admin/orleans/TopGrainMethods", Administer, "3P333", 200),
        new("GET", "/admin/orleans/Trace", Administer, "3P333", 200),
        new("GET", "/admin/orleans/favicon.ico", Administer, "3P333", 200),
        // Asked for a file they do not hold: the refusals are what matters.
        new("GET", "/admin/orleans/fonts/{path}", Administer, "3P333", 404),
        new("GET", "/admin/orleans/img/{path}", Administer, "3P333", 404),
        new("GET", "/admin/orleans/index.css", Administer, "3P333", 200),
        new("GET", "/admin/orleans/index.html", Administer, "3P333", 200),
        new("GET", "/admin/orleans/index.min.js", Administer, "3P333", 200),
        new("GET", "/admin/orleans/version", Administer, "3P333", 200),
    ];

    /// <summary>Every command route: the body names the actor, which must be within the token's scopes.</summary>
    private static IEnumerable<Row> CommandRows() =>
        CommandBodies.Types.Select(t => new Row("POST", CommandBodies.RouteOf(t), typeof(IReorganisationCommand).IsAssignableFrom(t) ? Administer : Report, "PP333", 0));

    /// <summary>Route and query parameters that name a part of the command tree (or a database or a token that reaches one).</summary>
    private static readonly HashSet<string> NamingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "provinceId", "district", "unitId", "exerciseId", "postId", "tokenId", "unit", "exercise", "post", "area", "stream", "parent", "database",
    };

    /// <summary>Parameters that name no part of the command tree: times, pages, formats, figures, projections, jobs, the OpenAPI document.</summary>
    private static readonly HashSet<string> OtherParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "year", "documentName", "name", "jobId", "lang", "format", "figure", "kind", "from", "to", "step", "recordedFrom", "recordedTo",
        "after", "limit", "before", "treeSize", "event", "asOf", "knownAt",
        // Orleans' dashboard: a grain type, a silo's address, a page of reminders, a file of its own.
        "grainName", "address", "page", "path",
    };

    [Fact]
    public async Task Every_route_answers_every_token_as_the_table_says_and_refusals_write_nothing()
    {
        var world = await World.CreateAsync(matrix.Host);
        var rows = Table.Concat(CommandRows()).Concat(StaticFileRows()).ToDictionary(r => $"{r.Method} {r.Path}", StringComparer.Ordinal);
        var documented = await DocumentedOperations();
        var mapped = MappedEndpoints(documented);

        var missing = mapped.Keys.Concat(documented.Keys).Distinct().Where(k => !rows.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var stale = rows.Keys.Where(k => !mapped.ContainsKey(k) && !documented.ContainsKey(k) && !IsStaticFile(k)).ToList();
        Assert.True(missing.Count == 0, "Routes the matrix has no row for: " + string.Join(", ", missing));
        Assert.True(stale.Count == 0, "Rows for routes the silo no longer maps: " + string.Join(", ", stale));

        var parameters = rows.Keys.ToDictionary(k => k, k =>
            (Route: mapped.TryGetValue(k, out var route) ? route : [], Query: documented.TryGetValue(k, out var query) ? query : []), StringComparer.Ordinal);
        var unclassified = parameters
            .SelectMany(p => p.Value.Route.Concat(p.Value.Query).Where(n => !NamingParameters.Contains(n) && !OtherParameters.Contains(n)).Select(n => $"{p.Key} ({n})"))
            .ToList();
        Assert.True(unclassified.Count == 0,
            "Parameters the matrix does not know whether they name an area (add each to NamingParameters or OtherParameters): " + string.Join(", ", unclassified));

        var cases = new List<Case>();
        foreach (var (key, row) in rows)
        {
            cases.AddRange(TokenCases(world, row, parameters[key].Query));
            cases.AddRange(DistrictCases(world, row, parameters[key].Route.Concat(parameters[key].Query).Where(NamingParameters.Contains).Distinct(StringComparer.OrdinalIgnoreCase).ToList()));
        }

        await using var store = await Store.OpenAsync(matrix.Database.AppConnectionString);
        var unexpected = new List<string>();

        // Cases that may write run first; their 4xx answers are asked again once the store is quiet, where a write shows.
        var again = new List<Case>();
        foreach (var each in cases.Where(c => c.MayWrite))
        {
            if (await AskAsync(world, each, unexpected) is >= 400 and < 500)
            {
                again.Add(each);
            }
        }
        await store.QuietAsync();
        var counts = await store.CountAsync();
        foreach (var (each, judge) in cases.Where(c => !c.MayWrite).Select(c => (c, true)).Concat(again.Select(c => (c, false))))
        {
            var status = await AskAsync(world, each, judge ? unexpected : null);
            var after = await store.CountAsync();
            if (status is >= 400 and < 500 && Store.Changed(counts, after) is { } changed)
            {
                // A background job may have written meanwhile: a refusal that writes writes again on a quiet store.
                await store.QuietAsync();
                var before = await store.CountAsync();
                var second = await AskAsync(world, each, null);
                after = await store.CountAsync();
                if (second is >= 400 and < 500 && Store.Changed(before, after) is { } changedAgain)
                {
                    unexpected.Add($"{each.Label}: {each.Describe()} was refused with {second} but changed the row count of {changedAgain} (first seen: {changed})");
                }
            }
            counts = after;
        }

        var district = cases.Count(c => c.Label.StartsWith("district", StringComparison.Ordinal));
        var size = $"Authorisation matrix: {rows.Count} routes and files, {cases.Count} cases ({district} by a district's token naming beyond it), "
            + $"{again.Count} writes' refusals asked again, {unexpected.Count} unexpected; {counts.Count} tables counted.";
        TestContext.Current.SendDiagnosticMessage(size);
        Directory.CreateDirectory(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults"));
        await File.WriteAllTextAsync(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "authorisation-matrix.txt"), size + "\n");
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} of {cases.Count} answers differ from the table:\n" + string.Join("\n", unexpected));
    }

    /// <summary>The cases of one route by the token's scope, by each role alone, and by tokens that are no good.</summary>
    private static IEnumerable<Case> TokenCases(World world, Row row, List<string> takes)
    {
        var resource = world.ResourceOf(row);
        var passes = Expect.Passes(row.Star);
        yield return new Case(row, "'*' with every role", world.Token([Access.Everywhere], Access.Roles), passes, () => world.Request(row, resource, fillWith: null));

        for (var i = 0; i < 5; i++)
        {
            var scope = world.ScopeFor((ScopeCase)i, resource);
            var expected = row.Roles is null || row.Scopes[i] == Pass ? passes : Expect.Refusal;
            yield return new Case(row, $"{(ScopeCase)i} ({scope})", world.Token([scope], Access.Roles), expected, () => world.Request(row, resource, fillWith: (scope, takes)));
        }

        var roleScope = row.Scopes[0] == Pass ? resource : Access.Everywhere;
        foreach (var role in Access.Roles)
        {
            var allowed = row.Roles is null || row.Roles.Contains(role);
            yield return new Case(row, $"only {role}", world.Token([roleScope], [role]), allowed ? passes : Expect.Refusal, () => world.Request(row, resource, fillWith: null));
        }

        foreach (var (label, token) in world.BadTokens)
        {
            yield return new Case(row, label, token, row.Roles is null ? passes : Expect.NoToken, () => world.Request(row, resource, fillWith: null));
        }
    }

    /// <summary>
    /// For each parameter of the route that names an area, a district's token (every role) asks with
    /// that parameter alone naming a sibling district, the province, and another province: 403 each
    /// time. The same request with a '*' token must not be malformed, so the 403 is the scope's answer.
    /// </summary>
    private static IEnumerable<Case> DistrictCases(World world, Row row, List<string> naming)
    {
        if (row.Roles is null)
        {
            yield break;
        }
        var district = world.Token([world.District], Access.Roles);
        var everything = world.Token([Access.Everywhere], Access.Roles);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var parameter in naming)
        {
            foreach (var beyond in Enum.GetValues<Beyond>())
            {
                if (world.Naming(row, parameter, beyond) is not { } request)
                {
                    continue;
                }
                using (var message = request())
                {
                    if (!seen.Add(message.Describe()))
                    {
                        continue;
                    }
                }
                yield return new Case(row, $"'*' asking as the district does ({parameter}: {beyond})", everything, Expect.WellFormed(row.Star), request);
                yield return new Case(row, $"district {world.District} ({parameter}: {beyond})", district, Expect.Refusal, request);
            }
        }
    }

    private static async Task<int> AskAsync(World world, Case each, List<string>? unexpected)
    {
        using var message = each.Request();
        message.WithToken(each.Token);
        var description = $"{each.Label}: {message.Describe()}";
        using var response = await world.SendAsync(message);
        var status = (int)response.StatusCode;
        if (unexpected is not null && !each.Expect.Accepts(status))
        {
            unexpected.Add($"{description} → {status}, the table says {each.Expect.Says}: {Truncate(await response.Content.ReadAsStringAsync())}");
        }
        return status;
    }

    /// <summary>
    /// The rule for the past (docs/security.md): a viewer sees levels over time, as the dashboard draws
    /// them (a trend's points carry levels and counts, no unit's figures); a view as it was
    /// (<c>asOf</c>) or as it was known (<c>knownAt</c>), in full, is an auditor's, on a trend route too.
    /// </summary>
    [Fact]
    public async Task A_viewer_sees_past_levels_in_a_trend_and_only_an_auditor_sees_a_past_view_in_full()
    {
        var province = $"p{Guid.NewGuid():N}"[..10];
        var district = $"{province}/district-a";
        foreach (var (id, echelon) in new[] { (province, Echelon.Province), (district, Echelon.District) })
        {
            var registered = await matrix.Host.Grains.GetGrain<IUnitGrain>(id)
                .Execute(new RegisterUnit(SiloFixture.NewId(), id, id, echelon, null, 10, DateTimeOffset.UtcNow.AddYears(-1)));
            Assert.True(registered.Accepted, registered.Rejection?.Message);
        }
        using (var admin = matrix.Host.AdminClient())
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
            while ((await admin.GetAsync(new Uri($"/api/units/{district}", UriKind.Relative))).StatusCode != HttpStatusCode.OK && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
        var past = DateTimeOffset.UtcNow.AddDays(-30).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        // What had been recorded by now, the units included.
        var known = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        using var viewer = matrix.Host.ClientWith(matrix.Host.Token([province], [Access.Viewer]));
        using var auditor = matrix.Host.ClientWith(matrix.Host.Token([province], [Access.Auditor]));
        (HttpClient Client, string Who, string Path, HttpStatusCode Status)[] cases =
        [
            (viewer, "viewer", $"/api/provinces/{province}/trend?from={past}", HttpStatusCode.OK),
            (viewer, "viewer", $"/api/provinces/{district.Replace("/", "/districts/", StringComparison.Ordinal)}/trend?step=day", HttpStatusCode.OK),
            (viewer, "viewer", $"/api/trends/{district}?step=month", HttpStatusCode.OK),
            (viewer, "viewer", $"/api/provinces/{province}/readiness?asOf={past}", HttpStatusCode.Forbidden),
            (viewer, "viewer", $"/api/units/{district}?knownAt={known}", HttpStatusCode.Forbidden),
            (viewer, "viewer", $"/api/provinces/{province}/trend?asOf={past}", HttpStatusCode.Forbidden),
            (viewer, "viewer", $"/api/trends/{district}?knownAt={known}", HttpStatusCode.Forbidden),
            (auditor, "auditor", $"/api/provinces/{province}/readiness?asOf={past}", HttpStatusCode.OK),
            (auditor, "auditor", $"/api/units/{district}?knownAt={known}", HttpStatusCode.OK),
        ];

        var unexpected = new List<string>();
        foreach (var (client, who, path, status) in cases)
        {
            using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != status)
            {
                unexpected.Add($"{who} {path} → {(int)response.StatusCode}, expected {(int)status}: {Truncate(body)}");
            }
            else if (status == HttpStatusCode.OK && path.Contains("trend", StringComparison.Ordinal))
            {
                // Levels alone: what a point may carry is the rule's bound.
                var fields = JsonDocument.Parse(body).RootElement.GetProperty("points").EnumerateArray()
                    .SelectMany(p => p.EnumerateObject().Select(f => f.Name)).Distinct().Order(StringComparer.Ordinal);
                if (!fields.SequenceEqual(["areas", "at", "level", "units"]))
                {
                    unexpected.Add($"{who} {path}: a trend point carries {string.Join(", ", fields)}, more than levels");
                }
            }
        }
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
    }

    /// <summary>"METHOD /path" → the names of its query parameters, from the silo's own OpenAPI document.</summary>
    private async Task<Dictionary<string, List<string>>> DocumentedOperations()
    {
        using var http = matrix.Host.ClientWith(null);
        var document = JsonNode.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;
        var operations = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                operations[$"{method.ToUpperInvariant()} {path}"] = [.. (operation!["parameters"]?.AsArray() ?? [])
                    .Where(p => (string?)p!["in"] == "query")
                    .Select(p => (string)p!["name"]!)];
            }
        }
        return operations;
    }

    /// <summary>
    /// "METHOD /path" → its route parameters, for every endpoint the silo maps, described or not
    /// (health, metrics, Orleans' dashboard); an endpoint for any method is asked with GET.
    /// </summary>
    private Dictionary<string, List<string>> MappedEndpoints(Dictionary<string, List<string>> documented)
    {
        var endpoints = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var endpoint in matrix.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + RouteParameter().Replace(endpoint.RoutePattern.RawText!.TrimStart('/'), m => "{" + m.Groups["name"].Value + "}");
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } some ? some : ["GET"];
            foreach (var method in methods)
            {
                // A group's route for its own prefix ends in a slash the OpenAPI document leaves out.
                var key = $"{method} {path}";
                var trimmed = key.TrimEnd('/');
                endpoints[documented.ContainsKey(trimmed) ? trimmed : key] = [.. endpoint.RoutePattern.Parameters.Select(p => p.Name)];
            }
        }
        return endpoints;
    }

    [GeneratedRegex(@"\{\*{0,2}(?<name>[^:}=?]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    /// <summary>
    /// A row for every file of the silo's web root (the dashboard), served by the static-file middleware
    /// before any token is read, and for each folder its default file answers: anyone may fetch them.
    /// </summary>
    private IEnumerable<Row> StaticFileRows()
    {
        var files = new List<string>();
        void Walk(IFileProvider provider, string folder)
        {
            foreach (var entry in provider.GetDirectoryContents(folder))
            {
                var path = folder.Length == 0 ? entry.Name : $"{folder}/{entry.Name}";
                if (entry.IsDirectory)
                {
                    Walk(provider, path);
                }
                else
                {
                    files.Add("/" + path);
                }
            }
        }
        Walk(matrix.Host.Services.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider, string.Empty);
        Assert.Contains("/index.html", files);
        foreach (var file in files)
        {
            yield return new Row("GET", StaticPrefix + file, null, "PPPPP", 200);
            if (file.EndsWith("/index.html", StringComparison.Ordinal))
            {
                yield return new Row("GET", StaticPrefix + file[..^"index.html".Length], null, "PPPPP", 200);
            }
        }
    }

    /// <summary>Marks a static file's row: "GET static:/app.js" is fetched as /app.js.</summary>
    private const string StaticPrefix = "static:";

    private static bool IsStaticFile(string key) => key.StartsWith("GET " + StaticPrefix, StringComparison.Ordinal);

    /// <summary>Names that could carry an area, sent with the token's own area to every route that does not take them: a scope check that reads the raw query would be fooled by them.</summary>
    private static readonly string[] AreaNames = ["district", "parent", "unit", "exercise", "post", "area", "stream", "provinceId", "unitId"];

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>What a case accepts: a status or a kind of status, in words for the failure.</summary>
    private sealed record Expect(string Says, Func<int, bool> Accepts, bool Refuses = false)
    {
        public static readonly Expect Refusal = new("403", s => s == 403, Refuses: true);
        public static readonly Expect NoToken = new("401", s => s == 401, Refuses: true);

        public static Expect Passes(int star) => star != 0
            ? new($"{star}", s => s == star)
            : new("an answer of the domain (2xx, 404 or 409)", s => s is >= 200 and < 300 or 404 or 409);

        /// <summary>For the '*' token asking what a district's token asks: anything but a refusal or a malformed request (unless the plain request is one too).</summary>
        public static Expect WellFormed(int star) =>
            new("neither 400, 401, 403 nor 5xx", s => s < 500 && s is not (401 or 403) && (s != 400 || star == 400));
    }

    private sealed record Case(Row Row, string Label, string? Token, Expect Expect, Func<HttpRequestMessage> Request)
    {
        /// <summary>A request that is not a GET and is meant to pass may change the store: it is asked before the store is watched.</summary>
        public bool MayWrite => Row.Method != "GET" && !Expect.Refuses;

        public string Describe()
        {
            using var message = Request();
            return message.Describe();
        }
    }

    /// <summary>The row count of every table the silo's database role may write, enumerated afresh each time so a new table is counted too.</summary>
    private sealed class Store(NpgsqlConnection connection) : IAsyncDisposable
    {
        private const string CountEveryWritableTable = """
            SELECT n.nspname || '.' || c.relname,
                   (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
            ORDER BY 1
            """;

        public static async Task<Store> OpenAsync(string connectionString)
        {
            var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            return new Store(connection);
        }

        public async Task<Dictionary<string, long>> CountAsync()
        {
            await using var command = new NpgsqlCommand(CountEveryWritableTable, connection);
            await using var reader = await command.ExecuteReaderAsync();
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            while (await reader.ReadAsync())
            {
                counts[reader.GetString(0)] = reader.GetInt64(1);
            }
            return counts;
        }

        /// <summary>The tables whose counts differ, with both counts; null when none does.</summary>
        public static string? Changed(Dictionary<string, long> before, Dictionary<string, long> after)
        {
            var changed = before.Keys.Union(after.Keys)
                .Where(t => before.GetValueOrDefault(t, -1) != after.GetValueOrDefault(t, -1))
                .Select(t => $"{t} {before.GetValueOrDefault(t, -1)} → {after.GetValueOrDefault(t, -1)}")
                .ToList();
            return changed.Count == 0 ? null : string.Join(", ", changed);
        }

        /// <summary>Waits until no table's count has moved for half a second: rebuilds, projections and the Merkle log have caught up.</summary>
        public async Task QuietAsync()
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
            var last = await CountAsync();
            var still = 0;
            while (still < 3)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, "The store did not stop changing within 60 s.");
                await Task.Delay(200);
                var now = await CountAsync();
                still = Changed(last, now) is null ? still + 1 : 0;
                last = now;
            }
        }

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }

    /// <summary>The test's command tree: a province with a district and a commune, a sibling district and a sibling province whose ids extend theirs, and another province.</summary>
    private sealed class World
    {
        private readonly SiloHost host;
        private readonly TestProvince tree;
        private readonly string otherProvince;
        private readonly string revokable;
        private readonly IReadOnlyDictionary<Beyond, string> tokenReaching;
        private readonly string siloAddress;

        private World(SiloHost host, TestProvince tree, string otherProvince, string revokable, IReadOnlyDictionary<Beyond, string> tokenReaching,
            IReadOnlyList<(string, string?)> badTokens)
        {
            this.host = host;
            this.tree = tree;
            this.otherProvince = otherProvince;
            this.revokable = revokable;
            this.tokenReaching = tokenReaching;
            siloAddress = host.Services.GetRequiredService<Orleans.Runtime.ILocalSiloDetails>().SiloAddress.ToParsableString();
            BadTokens = badTokens;
        }

        public IReadOnlyList<(string Label, string? Token)> BadTokens { get; }

        /// <summary>The district whose token asks beyond it.</summary>
        public string District => tree.DistrictId;

        public static async Task<World> CreateAsync(SiloHost host)
        {
            var province = $"m{Guid.NewGuid():N}"[..10];
            var other = $"o{Guid.NewGuid():N}"[..10];
            var tree = new TestProvince(province, $"{province}/district-a", $"{province}/district-a/commune-1");
            var at = DateTimeOffset.UtcNow.AddYears(-1);
            foreach (var (id, echelon) in new[]
            {
                (province, Echelon.Province), (province + "b", Echelon.Province), (other, Echelon.Province),
                (tree.DistrictId, Echelon.District), (tree.DistrictId + "b", Echelon.District), ($"{other}/district-a", Echelon.District),
                (tree.CommuneId, Echelon.Commune), (tree.CommuneId + "b", Echelon.Commune), (tree.CommuneId + "/force", Echelon.ForceUnit),
            })
            {
                var result = await host.Grains.GetGrain<IUnitGrain>(id).Execute(new RegisterUnit(SiloFixture.NewId(), id, id, echelon, null, 10, at));
                Assert.True(result.Accepted, result.Rejection?.Message);
            }
            var stock = await host.Grains.GetGrain<IUnitGrain>(tree.CommuneId).Execute(
                new ReceiveEquipment(SiloFixture.NewId(), tree.CommuneId, EquipmentCategory.Weapons, 1000, "matrix", at));
            Assert.True(stock.Accepted, stock.Rejection?.Message);

            var issuer = host.Services.GetRequiredService<TokenIssuer>();
            var forger = new TokenIssuer(TokenIssuer.KeyFrom("a-key-that-is-not-the-silos-0123456789abcdef"), new AuthOptions(), TimeProvider.System);
            var elsewhere = new TokenIssuer(issuer.Key, new AuthOptions { Audience = "another-api" }, TimeProvider.System);
            var everything = new TokenRequest("matrix", [Access.Everywhere], Access.Roles);
            using var admin = host.AdminClient();
            async Task<MintedToken> Mint(string subject, string scope)
            {
                using var minted = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest(subject, [scope], Access.Roles, 1), SiloFixture.Json);
                Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
                return (await minted.Content.ReadFromJsonAsync<MintedToken>(SiloFixture.Json))!;
            }
            var revoked = await Mint("revoked", Access.Everywhere);
            using var revocation = await admin.DeleteAsync(new Uri($"/api/admin/tokens/{revoked.TokenId}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, revocation.StatusCode);
            var revokable = (await Mint("to-revoke", province)).TokenId;
            var tokenReaching = new Dictionary<Beyond, string>
            {
                [Beyond.SiblingDistrict] = (await Mint("sibling", tree.DistrictId + "b")).TokenId,
                [Beyond.Province] = (await Mint("province", province)).TokenId,
                [Beyond.OtherProvince] = (await Mint("other", $"{other}/district-a")).TokenId,
            };

            return new World(host, tree, other, revokable, tokenReaching,
            [
                ("no token", null),
                ("expired", issuer.Mint(everything with { Hours = 1 }, notBefore: DateTimeOffset.UtcNow.AddHours(-2)).Token),
                ("another audience", elsewhere.Mint(everything).Token),
                ("another key", forger.Mint(everything).Token),
                ("revoked", revoked.Token),
            ]);
        }

        public string Token(IReadOnlyList<string> scopes, IReadOnlyList<string> roles) => host.Token(scopes, roles, subject: "matrix");

        /// <summary>The unit, exercise or post a row's plain request asks about.</summary>
        public string ResourceOf(Row row) =>
            row.Path.StartsWith("/api/commands/", StringComparison.Ordinal)
                ? CommandResource(row.Path)
                : row.Path.Contains("{district}", StringComparison.Ordinal) || row.Path.Contains("{unitId}", StringComparison.Ordinal) ? tree.DistrictId
                : row.Path.Contains("{exerciseId}", StringComparison.Ordinal) ? $"{tree.DistrictId}/dien-tap"
                : row.Path.Contains("{postId}", StringComparison.Ordinal) ? $"{tree.DistrictId}/truc"
                : row.Query.Contains("{R}", StringComparison.Ordinal) ? tree.DistrictId
                : tree.ProvinceId;

        private string CommandResource(string path)
        {
            var type = CommandBodies.Types.Single(t => CommandBodies.RouteOf(t) == path);
            if (typeof(IReorganisationCommand).IsAssignableFrom(type))
            {
                // An order names the unit it changes and the one it places it under: the commune and a unit under it.
                return tree.CommuneId;
            }
            var body = CommandBodies.For(type, tree, "x");
            return (string?)body["unitId"] ?? (string?)body["exerciseId"] ?? (string)body["postId"]!;
        }

        public string ScopeFor(ScopeCase scopeCase, string resource) => scopeCase switch
        {
            ScopeCase.Itself => resource,
            ScopeCase.Parent => resource.Contains('/', StringComparison.Ordinal) ? resource[..resource.LastIndexOf('/')] : Access.Everywhere,
            ScopeCase.Child => resource + "/child",
            ScopeCase.Sibling => resource + "b",
            _ => otherProvince,
        };

        /// <summary>The area a district's token reaches beyond it through one parameter.</summary>
        private string AreaOf(Beyond beyond) => beyond switch
        {
            Beyond.SiblingDistrict => tree.DistrictId + "b",
            Beyond.Province => tree.ProvinceId,
            _ => $"{otherProvince}/district-a",
        };

        /// <summary>
        /// The row's request with <paramref name="parameter"/> naming what lies <paramref name="beyond"/>
        /// the district, and no other parameter naming an area but the route's province (that of the area
        /// named, so the request is well-formed); null where the parameter cannot name it (a district's
        /// route cannot name a province).
        /// </summary>
        public Func<HttpRequestMessage>? Naming(Row row, string parameter, Beyond beyond)
        {
            var area = AreaOf(beyond);
            var province = UnitPath.ProvinceOf(area);
            var districtOf = area.Contains('/', StringComparison.Ordinal) ? area[(area.IndexOf('/') + 1)..] : null;
            var routeValues = new Dictionary<string, string>(StringComparer.Ordinal) { ["{provinceId}"] = province };
            var query = row.Query.Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Where(pair => !NamingParameters.Contains(pair[..pair.IndexOf('=')]))
                .ToDictionary(pair => pair[..pair.IndexOf('=')], pair => pair[(pair.IndexOf('=') + 1)..], StringComparer.Ordinal);
            var inRoute = row.Path.Contains("{" + parameter + "}", StringComparison.Ordinal);
            // A province's route names no district, and a database holds whole provinces: the main one the district's, one that does not exist another's.
            if ((inRoute && parameter == "provinceId" && !row.Path.Contains("{district}", StringComparison.Ordinal) || parameter == "database") && beyond == Beyond.SiblingDistrict)
            {
                return null;
            }
            if (inRoute || row.Path.Contains("{district}", StringComparison.Ordinal))
            {
                // The route's own parameters name the area together: a province and its district, or the actor.
                if (row.Path.Contains("{district}", StringComparison.Ordinal))
                {
                    if (districtOf is null)
                    {
                        return null;
                    }
                    routeValues["{district}"] = districtOf;
                }
                routeValues["{unitId}"] = area;
                routeValues["{exerciseId}"] = area + "/dien-tap";
                routeValues["{postId}"] = area + "/truc";
                routeValues["{tokenId}"] = tokenReaching[beyond];
            }
            if (!inRoute)
            {
                string? value = parameter switch
                {
                    "exercise" => area + "/dien-tap",
                    "post" => area + "/truc",
                    "district" => districtOf,
                    "database" => beyond == Beyond.OtherProvince ? "no-such-database" : ProvinceDatabases.MainName,
                    _ => area,
                };
                if (value is null)
                {
                    return null;
                }
                query[parameter] = value;
            }
            return () => Build(row, area, routeValues, query);
        }

        /// <summary>
        /// The row's plain request. With <paramref name="fillWith"/>, every name that could carry an area
        /// and that the route does not take (the OpenAPI document lists what it takes) names the token's own area (a district by its last level),
        /// as a caller trying to widen its reach would.
        /// </summary>
        public HttpRequestMessage Request(Row row, string resource, (string Scope, List<string> Takes)? fillWith)
        {
            var query = row.Query.Split('&', StringSplitOptions.RemoveEmptyEntries)
                .ToDictionary(pair => pair[..pair.IndexOf('=')], pair => pair[(pair.IndexOf('=') + 1)..].Replace("{R}", resource, StringComparison.Ordinal), StringComparer.Ordinal);
            if (fillWith is var (scope, takes))
            {
                foreach (var name in AreaNames.Where(n => !takes.Contains(n, StringComparer.OrdinalIgnoreCase) && !row.Path.Contains("{" + n + "}", StringComparison.Ordinal)))
                {
                    query[name] = name == "district" ? scope[(scope.LastIndexOf('/') + 1)..] : scope;
                }
            }
            return Build(row, resource, new Dictionary<string, string>(StringComparer.Ordinal), query);
        }

        private HttpRequestMessage Build(Row row, string resource, Dictionary<string, string> routeValues, Dictionary<string, string> query)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["{provinceId}"] = tree.ProvinceId, ["{district}"] = "district-a", ["{year}"] = CommandTime.YearOf(DateTimeOffset.UtcNow).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["{unitId}"] = resource, ["{exerciseId}"] = resource, ["{postId}"] = resource, ["{documentName}"] = "v1",
                ["{name}"] = "province-roster", ["{jobId}"] = "no-such-job", ["{tokenId}"] = revokable,
                ["{grainName}"] = typeof(IUnitGrain).FullName!, ["{address}"] = siloAddress, ["{page}"] = "1", ["{path}"] = siloAddress,
            };
            foreach (var (name, value) in routeValues)
            {
                values[name] = value;
            }
            var path = values.Aggregate(row.Path.StartsWith(StaticPrefix, StringComparison.Ordinal) ? row.Path[StaticPrefix.Length..] : row.Path,
                (p, v) => p.Replace(v.Key, v.Value, StringComparison.Ordinal));
            var uri = path + (query.Count == 0 ? string.Empty : "?" + string.Join("&", query.Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value)}")));
            var request = new HttpRequestMessage(new HttpMethod(row.Method), uri);
            if (row.Method == "POST")
            {
                request.Content = row.Path switch
                {
                    "/api/import" => new StringContent("{}\n", Encoding.UTF8, "application/x-ndjson"),
                    "/api/admin/tokens" => new StringContent(JsonSerializer.Serialize(new TokenRequest("someone", [resource], [Access.Admin], 1), SiloFixture.Json), Encoding.UTF8, "application/json"),
                    _ when row.Path.StartsWith("/api/commands/", StringComparison.Ordinal) => new StringContent(
                        CommandBody(row.Path).ToJsonString(), Encoding.UTF8, "application/json"),
                    _ => null,
                };
            }
            return request;
        }

        /// <summary>
        /// A command the domain takes from a token that covers its actor: years of now, weapons from the
        /// commune's stock, an inspection of the vehicles it has none of, an exercise at the commune's level,
        /// and equipment handed to a unit under the commune (another actor, so it too must be covered).
        /// </summary>
        private JsonObject CommandBody(string path)
        {
            var type = CommandBodies.Types.Single(t => CommandBodies.RouteOf(t) == path);
            var body = CommandBodies.For(type, tree, SiloFixture.NewId());
            foreach (var (name, fieldType) in CommandBodies.Fields(type))
            {
                if (fieldType == typeof(int) && name.Contains("year", StringComparison.OrdinalIgnoreCase))
                {
                    body[name] = CommandTime.YearOf(DateTimeOffset.UtcNow);
                }
                else if (type == typeof(ReportEquipmentCondition) && name is "serviceable" or "underRepair" or "unserviceable")
                {
                    body[name] = 0;
                }
                else if (type == typeof(ReportEquipmentCondition) && fieldType == typeof(EquipmentCategory))
                {
                    body[name] = nameof(EquipmentCategory.Vehicles);
                }
                else if (fieldType == typeof(ExerciseLevel))
                {
                    body[name] = nameof(ExerciseLevel.Commune);
                }
                else if (name == "toUnitId")
                {
                    body[name] = tree.CommuneId + "/force";
                }
            }
            return body;
        }

        /// <summary>Sends a request; a stream that answers 200 is closed after its headers.</summary>
        public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
        {
            using var http = host.ClientWith(null);
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
    }
}

internal static class MatrixRequests
{
    public static void WithToken(this HttpRequestMessage request, string? token)
    {
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
    }

    public static string Describe(this HttpRequestMessage request) => $"{request.Method} {request.RequestUri}";
}
