using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo of its own for the matrix: its rebuilds and refused requests disturb no other test, and its store's sequence is the matrix's alone.</summary>
public sealed class MatrixSilo() : OwnSilo("matrix", new Dictionary<string, string>
{
    ["Readiness:RateLimit:PermitsPerSecond"] = "100000",
    ["Readiness:RateLimit:Burst"] = "100000",
});

/// <summary>
/// Every route and method of the OpenAPI document, asked by tokens scoped to the route's resource,
/// its parent, its child, a sibling whose id shares its prefix, another province, and '*'; by each
/// role alone; and with no token, an expired one, one for another audience, one signed with another
/// key and a revoked one. The table below says what each route must answer; a route the table does
/// not name fails the test, so no new route escapes it. Every refusal appends nothing.
/// </summary>
public class AuthorisationMatrixTests(MatrixSilo matrix) : IClassFixture<MatrixSilo>
{
    private const string Pass = "P";
    private const string Refused = "3";
    private const string Invalid = "4";

    /// <summary>The scope cases, in the order of a row's <see cref="Row.Scopes"/> code.</summary>
    private enum ScopeCase
    {
        Itself,
        Parent,
        Child,
        Sibling,
        OtherProvince,
    }

    private static readonly string[] View = [Access.Viewer, Access.Reporter, Access.Auditor, Access.Admin];
    private static readonly string[] Report = [Access.Reporter];
    private static readonly string[] Audit = [Access.Auditor];
    private static readonly string[] Administer = [Access.Admin];

    /// <summary>
    /// One row a route. Roles: the roles that may use it (null: no token needed). Scopes: one letter per
    /// <see cref="ScopeCase"/>, for a token with every role and its query filled with the token's own area
    /// (P passes, 3 is 403, 4 is 400). Star: the status a token with every role over '*' gets for the
    /// plain request (0: any answer but a refusal, where a background job makes it vary). Query: what the plain request sends, {R} being the route's resource.
    /// </summary>
    private sealed record Row(string Method, string Path, string[]? Roles, string Scopes, int Star, string Query = "");

    private static readonly Row[] Table =
    [
        new("GET", "/health/live", null, "PPPPP", 200),
        new("GET", "/health/ready", null, "PPPPP", 200),
        new("GET", "/openapi/{documentName}.json", null, "PPPPP", 200),
        new("GET", "/.well-known/jwks.json", null, "PPPPP", 200),
        new("GET", "/metrics", View, "3P333", 200),

        new("GET", "/api/provinces/{provinceId}/readiness", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/districts/{district}", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/summary/{year}", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/missions", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/districts/{district}/missions", View, "PP333", 200),
        // ?parent= narrows the list to the token's own unit, so a child or a sibling may ask for its own part.
        new("GET", "/api/provinces/{provinceId}/units", View, "PPP44", 200),
        new("GET", "/api/units/{unitId}", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/trend", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/districts/{district}/trend", View, "PP333", 200),
        new("GET", "/api/trends/{unitId}", View, "PP333", 200),
        new("GET", "/api/exercises/{exerciseId}", View, "PP333", 404),
        new("GET", "/api/duty-posts/{postId}", View, "PP333", 404),
        new("GET", "/api/region/provinces", View, "PPPPP", 200),
        new("GET", "/api/provinces/{provinceId}/live", View, "PP333", 200),
        // Store-wide positions: how much every province records.
        new("GET", "/api/projections", View, "3P333", 200),
        new("GET", "/api/provinces/{provinceId}/reports/{year}", View, "PP333", 200),
        new("GET", "/api/provinces/{provinceId}/reports/{year}/events", View, "PP333", 200, "figure=outreach.sessions"),

        // ?unit= names the actor asked about, so a token that covers the actor it names passes.
        new("GET", "/api/history", Audit, "PPPPP", 200, "unit={R}"),
        new("GET", "/api/provinces/{provinceId}/history", Audit, "PPP33", 200),
        new("GET", "/api/audit/verify", Audit, "PPPPP", 200, "area={R}"),
        new("GET", "/api/provinces/{provinceId}/chain-heads", Audit, "PP333", 200),
        new("GET", "/api/audit/tree-heads", Audit, "3P333", 200),
        new("GET", "/api/audit/proof/inclusion", Audit, "3P333", 400),
        new("GET", "/api/audit/proof/consistency", Audit, "3P333", 400),
        new("GET", "/api/provinces/{provinceId}/upward-reports", Audit, "PP333", 200),
        new("GET", "/api/export", Audit, "PPPPP", 200, "area={R}"),
        new("POST", "/api/import", Administer, "3P333", 400),

        new("GET", "/api/admin/projections", Administer, "3P333", 200),
        new("POST", "/api/admin/projections/rebuild", Administer, "3P333", 0),
        new("POST", "/api/admin/projections/{name}/rebuild", Administer, "3P333", 0),
        new("GET", "/api/admin/rebuilds", Administer, "3P333", 200),
        new("GET", "/api/admin/rebuilds/{jobId}", Administer, "3P333", 404),
        // Minting within the caller's own scopes: the body asks for the route's resource, which a child or sibling does not hold.
        new("POST", "/api/admin/tokens", Administer, "PP333", 200),
        new("DELETE", "/api/admin/tokens/{tokenId}", Administer, "PP333", 200),
        // Orleans' dashboard shows every grain of every province: its page (the address without the slash redirects to it) and one of the routes its page reads.
        new("GET", "/admin/orleans/", Administer, "3P333", 200),
        new("GET", "/admin/orleans/DashboardCounters", Administer, "3P333", 200),
    ];

    /// <summary>Every command route: the body names the actor, which must be within the token's scopes.</summary>
    private static IEnumerable<Row> CommandRows() =>
        CommandBodies.Types.Select(t => new Row("POST", CommandBodies.RouteOf(t), Report, "PP333", 0));

    [Fact]
    public async Task Every_route_answers_every_token_as_the_table_says_and_refusals_append_nothing()
    {
        var world = await World.CreateAsync(matrix.Host);
        var rows = Table.Concat(CommandRows()).ToDictionary(r => $"{r.Method} {r.Path}", StringComparer.Ordinal);
        var documented = await DocumentedOperations();

        var missing = documented.Keys.Where(k => !rows.ContainsKey(k)).ToList();
        var stale = rows.Keys.Where(k => !documented.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "Routes the matrix has no row for: " + string.Join(", ", missing));
        Assert.True(stale.Count == 0, "Rows for routes the OpenAPI document no longer has: " + string.Join(", ", stale));

        var unexpected = new List<string>();
        var asked = 0;
        foreach (var (key, row) in rows)
        {
            var queryParameters = documented[key];
            var resource = world.ResourceOf(row);
            async Task Check(string label, string? token, string expected, Func<string?, HttpRequestMessage> request, int exact = 0)
            {
                asked++;
                var before = await matrix.Database.CountAllEventsAsync();
                using var message = request(token);
                var description = $"{label}: {message.Method} {message.RequestUri}";
                using var response = await world.SendAsync(message);
                var status = (int)response.StatusCode;
                var outcome = status switch { 401 => "1", 403 => Refused, 400 => Invalid, _ => Pass };
                if (status >= 500)
                {
                    unexpected.Add($"{description} → {status} {await response.Content.ReadAsStringAsync()}");
                }
                else if (exact != 0 && status != exact)
                {
                    unexpected.Add($"{description} → {status}, the table says {exact}: {Truncate(await response.Content.ReadAsStringAsync())}");
                }
                else if (exact == 0 && outcome != expected && !(expected == Pass && status is 400 or 404 or 409))
                {
                    unexpected.Add($"{description} → {status}, the table says {expected}: {Truncate(await response.Content.ReadAsStringAsync())}");
                }
                if (outcome is "1" or Refused && await matrix.Database.CountAllEventsAsync() != before)
                {
                    unexpected.Add($"{description} was refused with {status} but appended events");
                }
            }

            var everything = world.Token([Access.Everywhere], Access.Roles);
            await Check("'*' with every role", everything, Pass, t => world.Request(row, resource, t, fillWith: null), row.Star);

            for (var i = 0; i < 5; i++)
            {
                var scope = world.ScopeFor((ScopeCase)i, resource);
                await Check($"{(ScopeCase)i} ({scope})", world.Token([scope], Access.Roles), row.Roles is null ? Pass : row.Scopes[i].ToString(),
                    t => world.Request(row, resource, t, fillWith: (scope, queryParameters)));
            }

            var roleScope = row.Scopes[0] == Pass[0] ? resource : Access.Everywhere;
            foreach (var role in Access.Roles)
            {
                var allowed = row.Roles is null || row.Roles.Contains(role);
                await Check($"only {role}", world.Token([roleScope], [role]), allowed ? Pass : Refused, t => world.Request(row, resource, t, fillWith: null));
            }

            foreach (var (label, token) in world.BadTokens)
            {
                await Check(label, token, row.Roles is null ? Pass : "1", t => world.Request(row, resource, t, fillWith: null));
            }
        }

        var size = $"Authorisation matrix: {rows.Count} routes x 15 cases = {asked} answers, {unexpected.Count} unexpected.";
        TestContext.Current.SendDiagnosticMessage(size);
        Directory.CreateDirectory(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults"));
        await File.WriteAllTextAsync(Path.Combine(PostgresCluster.RepositoryRoot, "TestResults", "authorisation-matrix.txt"), size + "\n");
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} of {asked} answers differ from the table:\n" + string.Join("\n", unexpected));
        Assert.True(asked >= rows.Count * 15, $"{asked} requests for {rows.Count} routes");
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

    /// <summary>"METHOD /path" → the names of its string query parameters, from the silo's own OpenAPI document.</summary>
    private async Task<Dictionary<string, List<string>>> DocumentedOperations()
    {
        using var http = matrix.Host.ClientWith(null);
        var document = JsonNode.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;
        var operations = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var strings = (operation!["parameters"]?.AsArray() ?? [])
                    .Where(p => (string?)p!["in"] == "query" && (string?)p["schema"]?["type"] == "string" && p["schema"]?["format"] is null)
                    .Select(p => (string)p!["name"]!)
                    .ToList();
                operations[$"{method.ToUpperInvariant()} {path}"] = strings;
            }
        }
        // Served outside the OpenAPI document: the document itself, health, metrics and Orleans' dashboard.
        operations["GET /openapi/{documentName}.json"] = [];
        operations["GET /health/live"] = [];
        operations["GET /health/ready"] = [];
        operations["GET /metrics"] = [];
        operations["GET /admin/orleans/"] = [];
        operations["GET /admin/orleans/DashboardCounters"] = [];
        return operations;
    }

    /// <summary>Names that could carry an area, sent to every route whether it documents them or not: a scope check that reads the raw query would be fooled by them.</summary>
    private static readonly string[] AreaNames = ["district", "parent", "unit", "exercise", "post", "area", "stream", "provinceId", "unitId"];

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>The test's command tree: a province with a district and a commune, a sibling district and a sibling province whose ids extend theirs, and another province.</summary>
    private sealed class World
    {
        private readonly SiloHost host;
        private readonly TestProvince tree;
        private readonly string otherProvince;
        private readonly string revokable;

        private World(SiloHost host, TestProvince tree, string otherProvince, string revokable, IReadOnlyList<(string, string?)> badTokens)
        {
            this.host = host;
            this.tree = tree;
            this.otherProvince = otherProvince;
            this.revokable = revokable;
            BadTokens = badTokens;
        }

        public IReadOnlyList<(string Label, string? Token)> BadTokens { get; }

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
                (tree.CommuneId, Echelon.Commune), (tree.CommuneId + "b", Echelon.Commune),
            })
            {
                var result = await host.Grains.GetGrain<IUnitGrain>(id).Execute(new RegisterUnit(SiloFixture.NewId(), id, id, echelon, null, 10, at));
                Assert.True(result.Accepted, result.Rejection?.Message);
            }

            var issuer = host.Services.GetRequiredService<TokenIssuer>();
            var forger = new TokenIssuer(TokenIssuer.KeyFrom("a-key-that-is-not-the-silos-0123456789abcdef"), new AuthOptions(), TimeProvider.System);
            var elsewhere = new TokenIssuer(issuer.Key, new AuthOptions { Audience = "another-api" }, TimeProvider.System);
            var everything = new TokenRequest("matrix", [Access.Everywhere], Access.Roles);
            using var admin = host.AdminClient();
            using var minted = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("revoked", [Access.Everywhere], Access.Roles, 1), SiloFixture.Json);
            var revoked = (await minted.Content.ReadFromJsonAsync<MintedToken>(SiloFixture.Json))!;
            using var revocation = await admin.DeleteAsync(new Uri($"/api/admin/tokens/{revoked.TokenId}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, revocation.StatusCode);
            using var spare = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("to-revoke", [province], [Access.Viewer], 1), SiloFixture.Json);
            var revokable = (await spare.Content.ReadFromJsonAsync<MintedToken>(SiloFixture.Json))!.TokenId;

            return new World(host, tree, other, revokable,
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
            var body = CommandBodies.For(CommandBodies.Types.Single(t => CommandBodies.RouteOf(t) == path), tree, "x");
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

        /// <summary>
        /// The row's request. With <paramref name="fillWith"/>, every string query parameter names the
        /// token's own area instead (a district parameter by its last level), as a caller trying to
        /// widen its reach would.
        /// </summary>
        public HttpRequestMessage Request(Row row, string resource, string? token, (string Scope, List<string> Parameters)? fillWith)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["{provinceId}"] = tree.ProvinceId, ["{district}"] = "district-a", ["{year}"] = CommandTime.YearOf(DateTimeOffset.UtcNow).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["{unitId}"] = resource, ["{exerciseId}"] = resource, ["{postId}"] = resource, ["{documentName}"] = "v1",
                ["{name}"] = "province-roster", ["{jobId}"] = "no-such-job", ["{tokenId}"] = revokable,
            };
            var path = values.Aggregate(row.Path, (p, v) => p.Replace(v.Key, v.Value, StringComparison.Ordinal));
            var query = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in row.Query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                query[pair[..pair.IndexOf('=')]] = pair[(pair.IndexOf('=') + 1)..].Replace("{R}", resource, StringComparison.Ordinal);
            }
            if (fillWith is var (scope, parameters))
            {
                foreach (var name in parameters.Union(AreaNames).Where(p => p != "access_token"))
                {
                    query[name] = name == "district" ? scope[(scope.LastIndexOf('/') + 1)..] : scope;
                }
            }
            var uri = path + (query.Count == 0 ? string.Empty : "?" + string.Join("&", query.Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value)}")));
            var request = new HttpRequestMessage(new HttpMethod(row.Method), uri);
            if (token is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            }
            if (row.Method == "POST")
            {
                request.Content = row.Path switch
                {
                    "/api/import" => new StringContent("{}\n", Encoding.UTF8, "application/x-ndjson"),
                    "/api/admin/tokens" => new StringContent(JsonSerializer.Serialize(new TokenRequest("someone", [resource], [Access.Admin], 1), SiloFixture.Json), Encoding.UTF8, "application/json"),
                    _ when row.Path.StartsWith("/api/commands/", StringComparison.Ordinal) => new StringContent(
                        CommandBodies.For(CommandBodies.Types.Single(t => CommandBodies.RouteOf(t) == row.Path), tree, SiloFixture.NewId()).ToJsonString(), Encoding.UTF8, "application/json"),
                    _ => null,
                };
            }
            return request;
        }

        /// <summary>Sends a request; a stream that answers 200 is closed after its headers.</summary>
        public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
        {
            using var http = host.ClientWith(null);
            return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }
    }
}
