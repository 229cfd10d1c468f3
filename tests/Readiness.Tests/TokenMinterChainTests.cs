using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>Who minted the recording token is part of the record: under the chain, exported and imported.</summary>
public class TokenMinterChainTests(EmptySiloFixture target) : IClassFixture<EmptySiloFixture>
{
    [Fact]
    public async Task The_minter_of_the_recording_token_is_under_the_chain_survives_export_and_import_and_old_events_still_verify()
    {
        // A database of its own: the superuser's edits below must not reach any other test's store.
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var database = await cluster.CreateDatabaseAsync("minter");
        // No Merkle log here: the test rewrites an event as a silo of the first chain version wrote it, and a
        // log that had already taken the event as first written would rightly call that a change. The chain alone is under test.
        await using var host = new SiloHost(database, loadDemo: false, settings: new Dictionary<string, string> { ["Readiness:Log:Enabled"] = "false" });
        using var http = await host.StartAndWaitUntilReadyAsync();
        var commune = "minted/district-a/commune-1";
        foreach (var (unit, echelon) in new[] { ("minted", Echelon.Province), ("minted/district-a", Echelon.District), (commune, Echelon.Commune) })
        {
            var registered = await host.Grains.GetGrain<IUnitGrain>(unit).Execute(
                new RegisterUnit(SiloFixture.NewId(), unit, unit, echelon, null, 10, DateTimeOffset.UtcNow.AddYears(-1)));
            Assert.True(registered.Accepted, registered.Rejection?.Message);
        }
        using var admin = host.ClientWith(host.Token(["minted"], [Access.Admin, Access.Reporter], subject: "province-admin"));
        using var minted = await admin.PostAsJsonAsync("/api/admin/tokens", new TokenRequest("commune-clerk", [commune], [Access.Reporter], 1), SiloFixture.Json);
        using var clerk = host.ClientWith((await minted.Content.ReadFromJsonAsync<MintedToken>(SiloFixture.Json))!.Token);
        using var recorded = await clerk.PostAsJsonAsync("/api/commands/record-outreach-session",
            new RecordOutreachSession(SiloFixture.NewId(), commune, "Luật", 10, DateTimeOffset.UtcNow.AddDays(-1)), SiloFixture.Json);
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        const long clerksVersion = 2;

        var export = await http.GetStringAsync(new Uri("/api/export", UriKind.Relative));
        var clerksLine = export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)
            .Single(l => (string?)l["recordedby"] == "commune-clerk");
        Assert.Equal("province-admin", (string?)clerksLine["tokenmintedby"]);
        using (var imported = await target.Http.PostAsync(new Uri("/api/import", UriKind.Relative), new StringContent(export, Encoding.UTF8, "application/x-ndjson")))
        {
            Assert.True(imported.IsSuccessStatusCode, await imported.Content.ReadAsStringAsync());
        }
        var copy = await target.Http.GetFromJsonAsync<HistoryPage>(new Uri($"/api/history?unit={commune}&kind=OutreachSessionHeld", UriKind.Relative), SiloFixture.Json);
        Assert.Equal("province-admin", Assert.Single(copy!.Events).TokenMintedBy);
        Assert.True((await Verify(target.Http, commune)).Intact, "the imported copy verifies with its minter");

        Assert.True((await Verify(http, commune)).Intact, "intact before the edit");
        await database.ScalarAsync(
            "UPDATE readiness.mt_events SET headers = jsonb_set(headers, '{token-minted-by}', '\"someone-else\"') WHERE stream_id = @stream AND version = 2",
            ("stream", commune));
        var tampered = await Verify(http, commune);
        Assert.False(tampered.Intact, "a changed minter must break the chain");
        Assert.Equal((commune, clerksVersion), (tampered.FirstBreak!.Stream, tampered.FirstBreak.Version));
        Assert.Contains("differs", tampered.FirstBreak.Problem, StringComparison.Ordinal);

        // The same event as a silo before this chain version wrote it: no version header, a first-version hash, the minter beside it uncovered.
        await RewriteAsFirstVersionAsync(database, commune, clerksVersion);
        Assert.True((await Verify(http, commune)).Intact, "an event of the first chain version still verifies");
    }

    private static async Task RewriteAsFirstVersionAsync(TestDatabase database, string stream, long version)
    {
        await using var connection = new NpgsqlConnection(database.SuperuserConnectionString);
        await connection.OpenAsync();
        string previous;
        await using (var read = new NpgsqlCommand("SELECT headers->>'hash' FROM readiness.mt_events WHERE stream_id = @stream AND version = @version", connection))
        {
            read.Parameters.AddWithValue("stream", stream);
            read.Parameters.AddWithValue("version", version - 1);
            previous = (string)(await read.ExecuteScalarAsync())!;
        }
        ChainedEvent old;
        await using (var read = new NpgsqlCommand("SELECT type, data::text, headers::text, correlation_id, causation_id FROM readiness.mt_events " +
            "WHERE stream_id = @stream AND version = @version", connection))
        {
            read.Parameters.AddWithValue("stream", stream);
            read.Parameters.AddWithValue("version", version);
            await using var row = await read.ExecuteReaderAsync();
            Assert.True(await row.ReadAsync());
            using var headers = JsonDocument.Parse(row.GetString(2));
            string? Header(string name) => headers.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
            old = new ChainedEvent(stream, version, row.GetString(0), row.GetString(1), Header("occurred-at"), Header("recorded-by"), Header("command-id"),
                row.IsDBNull(3) ? null : row.GetString(3), row.IsDBNull(4) ? null : row.GetString(4), Header("token-minted-by"), EventChain.FirstVersion);
        }
        await using var write = new NpgsqlCommand(
            "UPDATE readiness.mt_events SET headers = (headers - 'chain-version') || jsonb_build_object('hash', @hash::text) WHERE stream_id = @stream AND version = @version", connection);
        write.Parameters.AddWithValue("hash", EventChain.Hash(previous, old));
        write.Parameters.AddWithValue("stream", stream);
        write.Parameters.AddWithValue("version", version);
        Assert.Equal(1, await write.ExecuteNonQueryAsync());
    }

    private static async Task<VerifyReport> Verify(HttpClient http, string stream) =>
        (await http.GetFromJsonAsync<VerifyReport>(new Uri($"/api/audit/verify?stream={stream}", UriKind.Relative), SiloFixture.Json))!;
}
