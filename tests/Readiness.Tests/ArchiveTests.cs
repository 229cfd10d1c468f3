using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo on an empty database, to import into.</summary>
public sealed class EmptySiloFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        Database = await cluster.CreateDatabaseAsync("import");
        Host = new SiloHost(Database, loadDemo: false);
        Http = await Host.StartAndWaitUntilReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>The history leaves as CloudEvents and comes back, link by link, or not at all.</summary>
public class ArchiveTests(SiloFixture silo, EmptySiloFixture empty) : IClassFixture<EmptySiloFixture>
{
    [Fact]
    public async Task An_export_imported_into_an_empty_store_gives_the_same_views_and_verifies_and_a_tampered_one_is_refused()
    {
        await silo.WaitForProjectionsAsync();
        var export = await silo.Http.GetStringAsync(new Uri("/api/export?area=bac-kan", UriKind.Relative));
        var lines = export.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var first = JsonNode.Parse(lines[0])!;
        Assert.Equal("1.0", (string?)first["specversion"]);
        Assert.Equal("bac-kan", (string?)first["subject"]);
        Assert.Equal("system:demo", (string?)first["recordedby"]);
        Assert.Matches("^[0-9a-f]{64}$", (string?)first["hash"]);
        var knownAt = lines.Max(l => DateTimeOffset.Parse((string)JsonNode.Parse(l)!["recordedat"]!, System.Globalization.CultureInfo.InvariantCulture));

        // One outreach session's attendances, changed in the file.
        var altered = Array.FindIndex(lines, 1500, l => l.Contains("outreach_session_held", StringComparison.Ordinal));
        var tampered = lines.ToArray();
        tampered[altered] = System.Text.RegularExpressions.Regex.Replace(tampered[altered], "\"attendances\": ?([0-9]+)",
            m => $"\"attendances\": {int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1}");
        Assert.NotEqual(lines[altered], tampered[altered]);
        await AssertRefused(tampered, altered + 1, "does not verify");
        var dropped = lines.Where((_, index) => index != altered).ToArray();
        var next = Array.FindIndex(dropped, altered, l => (string?)JsonNode.Parse(l)!["subject"] == (string?)JsonNode.Parse(lines[altered])!["subject"]);
        await AssertRefused(dropped, next + 1, "missing or out of order");
        Assert.Equal(0, await empty.Database.CountAllEventsAsync());

        using var imported = await Import(lines);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        var report = (await imported.Content.ReadFromJsonAsync<ImportReport>(SiloFixture.Json))!;
        Assert.Equal(lines.Length, report.Events);
        Assert.Null(report.SourceHead);
        Assert.StartsWith("Only every stream's hash chain was checked. The chains have no key", report.Checked, StringComparison.Ordinal);

        var verify = (await empty.Http.GetFromJsonAsync<VerifyReport>(new Uri("/api/audit/verify", UriKind.Relative), SiloFixture.Json))!;
        Assert.True(verify.Intact, verify.FirstBreak?.ToString());
        Assert.Equal(lines.Length, verify.EventsChecked);
        Directory.CreateDirectory("TestResults");
        await File.WriteAllTextAsync("TestResults/import-verify.txt", string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"import of bac-kan: {report.Events} events, {report.Streams} streams in {report.Seconds:F2} s ({report.EventsPerSecond:F0} events/s, chain check included, view rebuild not); " +
                $"verify: {verify.EventsChecked} events in {verify.Seconds:F2} s ({verify.EventsPerSecond:F0} events/s)\n"));

        var endOf2024 = Uri.EscapeDataString("2024-12-31T23:59:59+07:00");
        var known = Uri.EscapeDataString(knownAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        foreach (var path in new[]
        {
            $"/api/provinces/bac-kan/readiness?asOf={endOf2024}&knownAt={known}",
            $"/api/provinces/bac-kan/districts/ba-be?asOf={endOf2024}&knownAt={known}",
            "/api/provinces/bac-kan/summary/2024",
            $"/api/units/bac-kan/ba-be/cho-ra?asOf={endOf2024}&knownAt={known}",
        })
        {
            Assert.Equal(await Content(silo.Http, path), await Content(empty.Http, path));
        }
        var original = (await silo.Http.GetFromJsonAsync<HistoryPage>(new Uri("/api/history?unit=bac-kan/ba-be&limit=1000", UriKind.Relative), SiloFixture.Json))!;
        var copy = (await empty.Http.GetFromJsonAsync<HistoryPage>(new Uri("/api/history?unit=bac-kan/ba-be&limit=1000", UriKind.Relative), SiloFixture.Json))!;
        Assert.Equal(original.Events.Where(e => e.RecordedAt <= knownAt).Select(e => (e.EventId, e.Version, e.RecordedAt, e.RecordedBy, e.Hash)),
            copy.Events.Select(e => (e.EventId, e.Version, e.RecordedAt, e.RecordedBy, e.Hash)));

        using var again = await Import(lines);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    public static TheoryData<string, string, string> Implausible => new()
    {
        { "subject", """{"subject":"mt_tombstone"}""", "is not a stream this store writes" },
        { "recorder passing for the system", """{"recordedby":"System:demo"}""", "passes for the silo itself" },
        { "system with a minted token", """{"recordedby":"system","tokenmintedby":"province-admin"}""", "passes for the silo itself" },
        { "recorded in the future", """{"recordedat":"2999-01-01T00:00:00.0000000Z"}""", "no event was recorded in the future" },
        { "recorded before an earlier line", """{"recordedat":"2000-01-01T00:00:00.0000000Z"}""", "out of order or its time was changed" },
    };

    [Theory]
    [MemberData(nameof(Implausible))]
    public async Task An_import_refuses_a_subject_a_recorder_or_a_recording_time_no_store_could_have_written(string change, string replaced, string reason)
    {
        var tree = await silo.NewProvinceAsync();
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Luật", 10, DateTimeOffset.UtcNow.AddDays(-1)));
        var lines = (await silo.Http.GetStringAsync(new Uri($"/api/export?area={tree.ProvinceId}", UriKind.Relative))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var last = JsonNode.Parse(lines[^1])!.AsObject();
        foreach (var (name, value) in JsonNode.Parse(replaced)!.AsObject())
        {
            last[name] = value?.DeepClone();
        }
        lines[^1] = last.ToJsonString();

        await AssertRefused(lines, lines.Length, reason, change);
    }

    private async Task AssertRefused(string[] lines, int line, string reason, string? change = null)
    {
        using var response = await Import(lines);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{change ?? reason}: {(int)response.StatusCode} {body}");
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(line, problem.RootElement.GetProperty("line").GetInt32());
        Assert.Contains(reason, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> Import(string[] lines) =>
        empty.Http.PostAsync(new Uri("/api/import", UriKind.Relative),
            new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson"));

    /// <summary>A view without what says when and at which sequence it was computed, which differ by store.</summary>
    private static async Task<string> Content(HttpClient http, string path)
    {
        var node = JsonNode.Parse(await http.GetStringAsync(new Uri(path, UriKind.Relative)))!.AsObject();
        foreach (var stamp in new[] { "sequence", "updatedAt", "ratedAt" })
        {
            node.Remove(stamp);
        }
        foreach (var district in node["districts"]?.AsArray() ?? [])
        {
            district!.AsObject().Remove("sequence");
            district.AsObject().Remove("updatedAt");
        }
        return node.ToJsonString();
    }
}
