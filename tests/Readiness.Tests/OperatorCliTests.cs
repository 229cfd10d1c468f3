extern alias cli;

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.RegularExpressions;
using cli::Readiness.Cli;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Tests.Infrastructure;
using Readiness.Abstractions;

namespace Readiness.Tests;

/// <summary>
/// <c>readiness report</c>, <c>export</c>, <c>import</c>, <c>token</c> and <c>simulate</c>, run in this process
/// against test silos: what an operator types, what they read back, and what it did to the store.
/// </summary>
public class OperatorCliTests(SiloFixture silo, EmptySiloFixture empty) : IClassFixture<EmptySiloFixture>
{
    private string Url => silo.Host.BaseAddress.ToString();

    private string AdminToken => silo.Http.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>What the command line gives a file holding the store's content: read and write for its owner alone (0600).</summary>
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Report_prints_the_years_figures_as_json_or_writes_the_printable_html_to_a_file()
    {
        await silo.WaitForProjectionsAsync();
        var directory = Directory.CreateTempSubdirectory("readiness-report-");
        try
        {
            var html = Path.Combine(directory.FullName, "bao-cao-2024.html");
            // Last year's copy, left readable by everyone: writing over it narrows it before the names go in.
            var older = Path.Combine(directory.FullName, "bao-cao-2024.json");
            await File.WriteAllTextAsync(older, "{}", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(older, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            var json = await CliRun.RunAsync(ReportCommand.RunAsync, "--year", "2024", "--format", "json", "--lang", "en", "--url", Url, "--token", AdminToken);
            var written = await CliRun.RunAsync(ReportCommand.RunAsync, "--year", "2024", "--out", html, "--url", Url, "--token", AdminToken);
            var rewritten = await CliRun.RunAsync(ReportCommand.RunAsync, "--year", "2024", "--format", "json", "--out", older, "--url", Url, "--token", AdminToken);
            var noYear = await CliRun.RunAsync(ReportCommand.RunAsync, "--province", "bac-kan", "--url", Url, "--token", AdminToken);

            Assert.Equal(0, json.Code);
            var report = JsonSerializer.Deserialize<YearReport>(json.Output, SiloFixture.Json)!;
            Assert.Equal(("bac-kan", 2024, "en"), (report.ProvinceId, report.Year, report.Language));
            Assert.Equal(587, report.Total.Figures["outreach.sessions"].Value);
            Assert.Equal(52_318, report.Total.Figures["outreach.attendances"].Value);
            Assert.Equal(8_946, report.Total.Figures["education.pupilsAndStudents"].Value);
            Assert.Equal(108, report.Total.Figures["partyCells.active"].Value);
            Assert.Equal(587, report.Total.Figures["outreach.sessions"].Events.Count);
            // Vietnamese stays readable in the file rather than becoming \u escapes.
            Assert.Contains("Quyết thắng", json.Output, StringComparison.Ordinal);

            Assert.Equal(0, written.Code);
            Assert.Empty(written.Output);
            Assert.Equal($"HTML report of bac-kan for 2024 → {html}", written.Error.Trim());
            var document = await File.ReadAllTextAsync(html, TestContext.Current.CancellationToken);
            Assert.StartsWith("<!DOCTYPE html>", document, StringComparison.Ordinal);
            Assert.Contains("<html lang=\"vi\">", document, StringComparison.Ordinal);
            Assert.Contains("Tổ chức 587 buổi tuyên truyền", document, StringComparison.Ordinal);
            Assert.Contains("52.318", document, StringComparison.Ordinal);
            // The report names people and units: nobody else on the machine may read it, whatever the umask.
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(html));
            Assert.Equal(0, rewritten.Code);
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(older));
            Assert.Contains("\"year\": 2024", await File.ReadAllTextAsync(older, TestContext.Current.CancellationToken), StringComparison.Ordinal);

            Assert.Equal(2, noYear.Code);
            Assert.Contains("readiness report --year", noYear.Error, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Status_shows_a_provinces_token_its_provinces_and_the_projections_positions_only_to_a_token_over_everything()
    {
        await silo.WaitForProjectionsAsync();
        var provinceViewer = silo.Host.Token(["bac-kan"], [Access.Viewer]);

        var province = await CliRun.RunAsync(StatusCommand.RunAsync, "--url", Url, "--token", provinceViewer);
        var everything = await CliRun.RunAsync(StatusCommand.RunAsync, "--url", Url, "--token", AdminToken);

        Assert.Contains("Projections: the whole store's positions need a token over '*'.", province.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("province-roster", province.Output, StringComparison.Ordinal);
        Assert.Contains("  bac-kan ", province.Output, StringComparison.Ordinal);
        Assert.Contains("province-roster", everything.Output, StringComparison.Ordinal);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task An_area_exported_to_a_file_and_imported_into_an_empty_silo_gives_the_same_views()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.TrainAsync(tree.CommuneId, count: 2);
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 7, 2025));
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật Quốc phòng", 55, DateTimeOffset.UtcNow.AddDays(-2)));
        var stored = await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE stream_id = @p OR stream_id LIKE @under", ("p", tree.ProvinceId), ("under", tree.ProvinceId + "/%"));
        var directory = Directory.CreateTempSubdirectory("readiness-export-");
        try
        {
            var file = Path.Combine(directory.FullName, "area.events.jsonl");
            var emptyToken = empty.Http.DefaultRequestHeaders.Authorization!.Parameter!;
            var emptyUrl = empty.Host.BaseAddress.ToString();

            var exported = await CliRun.RunAsync(ExportCommand.RunAsync, "--area", tree.ProvinceId, "--out", file, "--url", Url, "--token", AdminToken);
            var imported = await CliRun.RunAsync(ImportCommand.RunAsync, file, "--url", emptyUrl, "--token", emptyToken);
            var again = await CliRun.RunAsync(ImportCommand.RunAsync, file, "--url", emptyUrl, "--token", emptyToken);

            Assert.Equal(0, exported.Code);
            Assert.Matches($"^Exported {stored} events of {Regex.Escape(tree.ProvinceId)} in [0-9.]+ s, [0-9,]+ events/s, [0-9.]+ MB → {Regex.Escape(file)}$", exported.Output.Trim());
            Assert.Equal(stored, File.ReadLines(file).Count());
            Assert.False(File.Exists(file + ".partial"));
            Assert.Equal(OwnerOnly, File.GetUnixFileMode(file));

            Assert.Equal(0, imported.Code);
            Assert.StartsWith($"Imported {stored} events in 3 streams in ", imported.Output, StringComparison.Ordinal);
            Assert.Contains("views rebuilt", imported.Output, StringComparison.Ordinal);
            Assert.Contains("Warning: only the per-stream hash chains were checked, and they have no key", imported.Error, StringComparison.Ordinal);
            Assert.Equal(stored, await empty.Database.CountAllEventsAsync());
            var source = new ReadinessClient(silo.Http);
            var copy = new ReadinessClient(empty.Http);
            foreach (var unit in new[] { tree.ProvinceId, tree.DistrictId, tree.CommuneId })
            {
                Assert.Equal(ComparableViews.Of(await source.GetUnitAsync(unit)), ComparableViews.Of(await copy.GetUnitAsync(unit)));
            }
            Assert.Equal(7, (await copy.GetUnitAsync(tree.CommuneId)).ActualStrength);
            var verify = (await empty.Http.GetFromJsonAsync<VerifyReport>(new Uri("/api/audit/verify", UriKind.Relative), SiloFixture.Json))!;
            Assert.True(verify.Intact, verify.FirstBreak?.ToString());

            Assert.Equal(1, again.Code);
            Assert.Contains("Refused, nothing imported (409): The store already holds events", again.Error, StringComparison.Ordinal);
            Assert.Equal(stored, await empty.Database.CountAllEventsAsync());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Token_prints_a_token_that_reaches_its_scope_with_its_role_and_no_further()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        var subject = $"quan-khu-{Guid.NewGuid():N}"[..20];
        var districtAdmin = silo.Host.Token([tree.DistrictId], [Access.Admin, Access.Viewer]);

        var minted = await CliRun.RunAsync(TokenCommand.RunAsync,
            "--subject", subject, "--scope", tree.ProvinceId, "--role", "viewer", "--hours", "2", "--url", Url, "--token", AdminToken);
        var json = await CliRun.RunAsync(TokenCommand.RunAsync,
            "--subject", subject, "--scope", tree.DistrictId, "--role", "reporter", "--json", "--url", Url, "--token", AdminToken);
        var beyond = await CliRun.RunAsync(TokenCommand.RunAsync,
            "--subject", subject, "--scope", tree.ProvinceId, "--role", "viewer", "--url", Url, "--token", districtAdmin);

        Assert.Equal(0, minted.Code);
        var token = Assert.Single(minted.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Trim();
        Assert.Matches($"^Token [^ ]+ for {subject} \\(viewer on {Regex.Escape(tree.ProvinceId)}\\), valid until ", minted.Error);
        using (var viewer = silo.Host.ClientWith(token))
        {
            using var own = await viewer.GetAsync(new Uri($"/api/provinces/{tree.ProvinceId}/readiness", UriKind.Relative), TestContext.Current.CancellationToken);
            using var other = await viewer.GetAsync(new Uri("/api/provinces/bac-kan/readiness", UriKind.Relative), TestContext.Current.CancellationToken);
            using var report = await viewer.PostAsJsonAsync(new Uri("/api/commands/enlist-recruits", UriKind.Relative),
                new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 1, 2025), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, report.StatusCode);
        }

        Assert.Equal(0, json.Code);
        using var answer = JsonDocument.Parse(json.Output);
        var expires = answer.RootElement.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromHours(7.9), TimeSpan.FromHours(8));
        Assert.False(string.IsNullOrEmpty(answer.RootElement.GetProperty("tokenId").GetString()));
        using (var reporter = silo.Host.ClientWith(answer.RootElement.GetProperty("token").GetString()))
        {
            using var report = await reporter.PostAsJsonAsync(new Uri("/api/commands/enlist-recruits", UriKind.Relative),
                new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 1, 2025), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        }

        Assert.Equal(1, beyond.Code);
        Assert.Empty(beyond.Output);
        Assert.StartsWith("Not allowed: ", beyond.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_revoke_refuses_the_token_from_then_on()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.WaitForProjectionsAsync();
        var json = await CliRun.RunAsync(TokenCommand.RunAsync,
            "--subject", "to-revoke", "--scope", tree.ProvinceId, "--role", "viewer", "--json", "--url", Url, "--token", AdminToken);
        using var answer = JsonDocument.Parse(json.Output);
        var tokenId = answer.RootElement.GetProperty("tokenId").GetString()!;
        using var viewer = silo.Host.ClientWith(answer.RootElement.GetProperty("token").GetString());
        var province = new Uri($"/api/provinces/{tree.ProvinceId}/readiness", UriKind.Relative);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(province, TestContext.Current.CancellationToken)).StatusCode);

        var revoked = await CliRun.RunAsync(TokenCommand.RunAsync, "revoke", tokenId, "--url", Url, "--token", AdminToken);
        var unnamed = await CliRun.RunAsync(TokenCommand.RunAsync, "revoke", "--url", Url, "--token", AdminToken);

        Assert.Equal(0, revoked.Code);
        Assert.Contains($"Token {tokenId} revoked.", revoked.Output, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await viewer.GetAsync(province, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(2, unnamed.Code);
    }

    [Fact]
    public async Task Simulate_sends_reports_for_a_while_and_each_one_sent_is_in_the_store()
    {
        // A province shaped like the demo's (communes with a militia platoon, a duty post per district and
        // one for the province), so the simulation never touches the demo province other tests read.
        var tree = await silo.NewProvinceAsync(registeredAt: DateTimeOffset.UtcNow.AddYears(-1));
        var militia = $"{tree.CommuneId}/dan-quan";
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), militia, "Trung đội dân quân", Echelon.ForceUnit, null, 31, DateTimeOffset.UtcNow.AddYears(-1)));
        await silo.AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), militia, ForceType.MilitiaSelfDefence, 20));
        foreach (var post in new[] { $"{tree.DistrictId}/sscd", $"{tree.ProvinceId}/sscd" })
        {
            var established = await silo.Grains.GetGrain<IDutyPostGrain>(post)
                .Execute(new EstablishDutyPost(SiloFixture.NewId(), post, "Trực SSCĐ", DutyKind.CombatReadiness, 6, 24, DateTimeOffset.UtcNow.AddDays(-40)));
            Assert.True(established.Accepted, established.Rejection?.Message);
        }
        await silo.WaitForProjectionsAsync();
        var subject = $"simulator-{Guid.NewGuid():N}"[..20];
        var token = silo.Host.Token([tree.ProvinceId], [Access.Reporter, Access.Viewer], subject: subject);

        // 20 a second for 1.8 s: a few dozen reports, bounded by the clock as an operator's --minutes is.
        var run = await CliRun.RunAsync(SimulateCommand.RunAsync,
            "--province", tree.ProvinceId, "--rate", "20", "--minutes", "0.03", "--url", Url, "--token", token);

        Assert.Equal(0, run.Code);
        var lines = run.Output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"Simulating reports for 1 communes and 2 duty posts at 20/s. Ctrl+C stops.", lines[0]);
        var summary = Regex.Match(lines[^1], "^Sent ([0-9]+) reports, ([0-9]+) refused\\.$");
        Assert.True(summary.Success, lines[^1]);
        var sent = int.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture);
        var refused = int.Parse(summary.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(sent + refused, 1, 40);
        Assert.True(sent > 0, run.Output);
        Assert.Equal(sent, lines.Count(l => Regex.IsMatch(l, " v[0-9]+$")));
        // Every report the simulator counted as sent is stored, once, under the simulator's name, in this province:
        // each report is one event, so each command id is exactly one row, and a report applied twice shows.
        Assert.Equal(sent, await silo.Database.ScalarAsync(
            "SELECT count(DISTINCT headers->>'command-id') FROM readiness.mt_events WHERE headers->>'recorded-by' = @subject", ("subject", subject)));
        var storedOtherThanOnce = await silo.Database.ScalarAsync("""
            SELECT count(*) FROM (
                SELECT 1 FROM readiness.mt_events WHERE headers->>'recorded-by' = @subject
                GROUP BY headers->>'command-id' HAVING count(*) <> 1) applied_other_than_once
            """, ("subject", subject));
        Assert.True(storedOtherThanOnce == 0, $"{storedOtherThanOnce} of the {sent} reports sent are stored more than once.");
        Assert.Equal(0, await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE headers->>'recorded-by' = @subject AND stream_id NOT LIKE @within AND stream_id NOT LIKE @post",
            ("subject", subject), ("within", tree.ProvinceId + "/%"), ("post", "post:" + tree.ProvinceId + "/%")));
    }
}

/// <summary><c>readiness rebuild</c> on a silo of its own, so that the rebuild never runs under the other tests' feet.</summary>
public class RebuildCliTests(QuietSiloFixture fixture) : IClassFixture<QuietSiloFixture>
{
    [Fact]
    public async Task Rebuild_draws_its_progress_and_leaves_the_views_the_events_give_even_where_they_were_damaged()
    {
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        var province = $"rb{Guid.NewGuid():N}"[..12];
        var district = $"{province}/district-a";
        var commune = $"{district}/commune-1";
        var grains = fixture.Host.Grains;
        foreach (var command in new IUnitCommand[]
        {
            new RegisterUnit(SiloFixture.NewId(), province, "Rebuilt province", Echelon.Province, null, 100, at),
            new RegisterUnit(SiloFixture.NewId(), district, "Rebuilt district", Echelon.District, null, 20, at),
            new RegisterUnit(SiloFixture.NewId(), commune, "Rebuilt commune", Echelon.Commune, null, 10, at),
            new EnlistRecruits(SiloFixture.NewId(), commune, 8, 2025),
        })
        {
            var result = await grains.GetGrain<IUnitGrain>(command.UnitId).Execute(command);
            Assert.True(result.Accepted, result.Rejection?.Message);
        }
        Assert.NotNull(await fixture.Database.RosterCatchesUpAsync(TimeSpan.FromSeconds(30)));
        using var http = fixture.Host.AdminClient();
        var token = http.DefaultRequestHeaders.Authorization!.Parameter!;
        var url = fixture.Host.BaseAddress.ToString();
        var unitBefore = await ViewOf(http, $"/api/units/{commune}");
        var provinceBefore = await ViewOf(http, $"/api/provinces/{province}/readiness");

        // Damage the views as a projection bug would; only the events can put them back.
        await fixture.Database.ScalarAsync("DELETE FROM readiness.mt_doc_provinceroster WHERE province_id = @id", ("id", province));
        using (var gone = await http.GetAsync(new Uri($"/api/units/{commune}", UriKind.Relative), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        var run = await CliRun.RunAsync(RebuildCommand.RunAsync, "--url", url, "--token", token);
        var json = await CliRun.RunAsync(RebuildCommand.RunAsync, "--projection", "province-roster", "--json", "--url", url, "--token", token);
        var unknown = await CliRun.RunAsync(RebuildCommand.RunAsync, "--projection", "no-such-view", "--url", url, "--token", token);

        Assert.Equal(0, run.Code);
        // Redirected, the progress goes to standard error as lines of text, and standard output holds only the result.
        var progress = run.Error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(progress);
        Assert.All(progress, l => Assert.Matches("^\\[[#.]{30}\\] +[0-9]+ ?% ", l));
        Assert.StartsWith("[##############################] 100", progress[^1], StringComparison.Ordinal);
        Assert.Matches("^Rebuilt province-roster: [0-9,]+ events, [0-9,]+ documents in [0-9.]+ s, [0-9,]+ events/s\\.$", run.Output.Trim());
        Assert.Equal(unitBefore, await ViewOf(http, $"/api/units/{commune}"));
        Assert.Equal(provinceBefore, await ViewOf(http, $"/api/provinces/{province}/readiness"));

        Assert.Equal(0, json.Code);
        Assert.Empty(json.Error);
        var status = JsonSerializer.Deserialize<RebuildStatus>(json.Output, SiloFixture.Json)!;
        Assert.Equal((RebuildState.Succeeded, "province-roster"), (status.State, Assert.Single(status.Projections)));

        Assert.Equal(1, unknown.Code);
        Assert.Contains("province-roster", unknown.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// A view as JSON without the moments its parts were folded at (the projection's clock, which a rebuild
    /// sets anew) and rated at (each request's), which move between two reads of the same events.
    /// </summary>
    private static async Task<string> ViewOf(HttpClient http, string path)
    {
        var view = await http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>(new Uri(path, UriKind.Relative), SiloFixture.Json);
        WithoutMoments(view);
        return view!.ToJsonString();

        static void WithoutMoments(System.Text.Json.Nodes.JsonNode? node)
        {
            switch (node)
            {
                case System.Text.Json.Nodes.JsonObject o:
                    o.Remove("ratedAt");
                    o.Remove("updatedAt");
                    foreach (var (_, child) in o)
                    {
                        WithoutMoments(child);
                    }
                    break;
                case System.Text.Json.Nodes.JsonArray a:
                    foreach (var child in a)
                    {
                        WithoutMoments(child);
                    }
                    break;
            }
        }
    }
}
