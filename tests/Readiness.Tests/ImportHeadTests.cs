extern alias cli;

using System.Buffers.Text;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Store;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A source store with a hole in its sequence (the events after it carry sequences the copy will not
/// give them), exported whole with the signed head over all of it and its keys, and an empty store to
/// import into.
/// </summary>
public sealed class ImportHeadFixture : IAsyncLifetime
{
    private TestDatabase sourceDatabase = null!;
    private SiloHost sourceHost = null!;
    private HttpClient sourceHttp = null!;

    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The source's whole store, as its export gives it.</summary>
    public string[] Lines { get; private set; } = [];

    /// <summary>The source's signed head over every line.</summary>
    public TreeHead Head { get; private set; } = null!;

    /// <summary>The source's JWK Set.</summary>
    public string Keys { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        sourceDatabase = await cluster.CreateDatabaseAsync("import-source");
        sourceHost = new SiloHost(sourceDatabase, loadDemo: false, settings: new Dictionary<string, string> { ["Readiness:Log:GapWait"] = "00:00:00.2" });
        sourceHttp = await sourceHost.StartAndWaitUntilReadyAsync();
        Database = await cluster.CreateDatabaseAsync("import-target");
        Host = new SiloHost(Database, loadDemo: false);
        Http = await Host.StartAndWaitUntilReadyAsync();

        var province = $"t{Guid.NewGuid():N}"[..12];
        var commune = $"{province}/district-a/commune-1";
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await Accept(new RegisterUnit(SiloFixture.NewId(), province, "Test province", Echelon.Province, null, 100, at));
        await Accept(new RegisterUnit(SiloFixture.NewId(), $"{province}/district-a", "Test district", Echelon.District, null, 20, at));
        await Accept(new RegisterUnit(SiloFixture.NewId(), commune, "Test commune", Echelon.Commune, null, 10, at));
        for (var n = 0; n < 3; n++)
        {
            await sourceDatabase.LeaveSequenceHoleAsync();
        }
        for (var n = 0; n < 5; n++)
        {
            await Accept(new RecordOutreachSession(SiloFixture.NewId(), commune, "Luật Quốc phòng", 20 + n, DateTimeOffset.UtcNow.AddDays(-n - 1)));
        }

        var events = await sourceDatabase.CountAllEventsAsync();
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        TreeHead? head = null;
        while (head?.Size != events)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"No head over all {events} events of the source within 30 s (latest: {head?.Size}).");
            await Task.Delay(200);
            head = (await sourceHttp.GetFromJsonAsync<TreeHeadPage>(new Uri("/api/audit/tree-heads?limit=1", UriKind.Relative), SiloFixture.Json))!.Heads is [var latest, ..] ? latest : null;
        }
        Head = head;
        Keys = await sourceHttp.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));
        Lines = (await sourceHttp.GetStringAsync(new Uri("/api/export", UriKind.Relative))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(events, Lines.Length);
        Assert.Equal(events + 3, (long)JsonNode.Parse(Lines[^1])!["sequence"]!);

        async Task Accept(IUnitCommand command) =>
            Assert.True((await sourceHost.Grains.GetGrain<Readiness.Abstractions.IUnitGrain>(command.UnitId).Execute(command)).Accepted);
    }

    /// <summary>The rows an import writes, whatever it was refused for.</summary>
    public async Task<(long Events, long Streams, long Sequences)> RowsAsync() => (
        await Database.CountAllEventsAsync(),
        await Database.ScalarAsync("SELECT count(*) FROM readiness.mt_streams"),
        await Database.ScalarAsync("SELECT count(*) FROM readiness.imported_sequences"));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
        sourceHttp.Dispose();
        await sourceHost.DisposeAsync();
        await sourceDatabase.DisposeAsync();
    }
}

/// <summary>
/// Import against the source's signed tree head: a file changed with its chains recomputed, or a head
/// another key signed, is refused before anything is written; the right one is taken, and the copy
/// keeps the source's sequences, so the head kept for the source verifies the copy.
/// </summary>
public class ImportHeadTests(ImportHeadFixture store) : IClassFixture<ImportHeadFixture>
{
    [Fact]
    public async Task A_file_changed_with_every_chain_recomputed_is_refused_against_the_sources_head_and_nothing_is_written()
    {
        var before = await store.RowsAsync();
        var lines = store.Lines.ToArray();
        var changed = Array.FindLastIndex(lines, l => l.Contains("outreach_session_held", StringComparison.Ordinal));
        var node = JsonNode.Parse(lines[changed])!;
        node["data"]!["attendances"] = (int)node["data"]!["attendances"]! + 100;
        lines[changed] = node.ToJsonString();
        Rechain(lines);

        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => Import(lines, store.Head, store.Keys));

        Assert.Equal(400, refused.StatusCode);
        Assert.Null(refused.Problem.Line);
        Assert.Contains($"The file's first {store.Head.Size} events give the root", refused.Problem.Detail, StringComparison.Ordinal);
        Assert.Contains($"not the root {store.Head.Root} of the source's tree head of size {store.Head.Size}", refused.Problem.Detail, StringComparison.Ordinal);
        Assert.Contains("though every chain holds", refused.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await store.RowsAsync());
        await Said("changed, chains recomputed", refused.Problem.Detail!);
    }

    [Fact]
    public async Task A_head_signed_by_another_key_under_the_sources_key_id_is_refused_and_nothing_is_written()
    {
        var before = await store.RowsAsync();
        var kid = DetachedJws.KeyIdOf(store.Head.Signature!)!;
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var header = Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"alg":"ES256","kid":"{{kid}}"}"""));
        var input = Encoding.ASCII.GetBytes($"{header}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(TreeHeadText.Payload(store.Head)))}");
        var forged = store.Head with { Signature = $"{header}..{Base64Url.EncodeToString(other.SignData(input, HashAlgorithmName.SHA256))}" };

        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => Import(store.Lines, forged, store.Keys));

        Assert.Equal(400, refused.StatusCode);
        Assert.Equal($"The source's tree head of size {store.Head.Size} does not verify: the signature does not hold with key '{kid}': " +
            $"the head's size, root or time was changed, or another key signed it.",
            refused.Problem.Detail);
        Assert.Equal(before, await store.RowsAsync());
        await Said("signed by another key", refused.Problem.Detail!);
    }

    [Fact]
    public async Task The_file_that_gives_the_heads_root_is_imported_and_the_head_kept_for_the_source_verifies_the_copy()
    {
        var directory = Directory.CreateTempSubdirectory("readiness-import-head-");
        try
        {
            var file = Path.Combine(directory.FullName, "all.events.jsonl");
            var headFile = Path.Combine(directory.FullName, "head.json");
            var jwksFile = Path.Combine(directory.FullName, "jwks.json");
            await File.WriteAllLinesAsync(file, store.Lines);
            await File.WriteAllTextAsync(headFile, JsonSerializer.Serialize(new TreeHeadPage([store.Head], null, null), ContractJson.Options));
            await File.WriteAllTextAsync(jwksFile, store.Keys);
            var url = store.Host.BaseAddress.ToString();
            var token = store.Http.DefaultRequestHeaders.Authorization!.Parameter!;

            var imported = await CliRun.RunAsync(cli::Readiness.Cli.ImportCommand.RunAsync, file, "--head", headFile, "--jwks", jwksFile, "--url", url, "--token", token);

            Assert.True(imported.Code == 0, imported.Error);
            Assert.StartsWith($"Imported {store.Lines.Length} events in 3 streams in ", imported.Output, StringComparison.Ordinal);
            Assert.Contains($"Every stream's hash chain, and the first {store.Head.Size} events against the source's tree head of size {store.Head.Size}", imported.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Warning", imported.Error, StringComparison.Ordinal);
            Assert.Equal(store.Lines.Length, await store.Database.CountAllEventsAsync());
            // The copy numbers its events from 1 without the source's hole; each keeps the source's sequence.
            Assert.Equal(store.Lines.Length, await store.Database.HeadAsync());

            var copy = new ReadinessClient(store.Http);
            var log = await copy.GetImportedLogAsync(store.Head.Size);
            Assert.Equal(store.Head.Root, log.Root);
            Assert.Equal(store.Lines.Length + 3L, log.LastSourceSequence);

            var last = JsonNode.Parse(store.Lines[^1])!;
            var proof = await copy.GetImportedInclusionProofAsync(Guid.Parse((string)last["id"]!), store.Head.Size);
            Assert.Equal((long)last["sequence"]!, proof.Sequence);
            Assert.Equal(store.Lines.Length - 1, proof.LeafIndex);
            Assert.True(MerkleLog.VerifyInclusion(Convert.FromBase64String(proof.LeafHash), proof.LeafIndex, store.Head.Size,
                [.. proof.AuditPath.Select(Convert.FromBase64String)], Convert.FromBase64String(store.Head.Root)));

            var verified = await CliRun.RunAsync(cli::Readiness.Cli.VerifyCommand.RunAsync, "--head", headFile, "--jwks", jwksFile, "--url", url, "--token", token);
            Assert.True(verified.Code == 0, verified.Output + verified.Error);
            Assert.StartsWith($"INTACT: the first {store.Head.Size} of the {store.Lines.Length} imported events, " +
                $"under the sequences the source gave them (", verified.Output, StringComparison.Ordinal);
            Assert.Contains("its signature holds", verified.Output, StringComparison.Ordinal);
            await Said("import --head --jwks", imported.Output);
            await Said("verify --head --jwks against the copy", verified.Output);

            // The copy's own log goes on over its own sequences: its leaves are the copy's, and its verify holds.
            var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
            while (await store.Database.ScalarAsync("SELECT count(*) FROM readiness.log_leaves") < store.Lines.Length)
            {
                Assert.True(DateTimeOffset.UtcNow < deadline, "The copy's own log did not take in the imported events.");
                await Task.Delay(200);
            }
            Assert.Equal(store.Lines.Length, await store.Database.ScalarAsync("SELECT max(seq_id) FROM readiness.log_leaves"));
            var own = await copy.VerifyAsync();
            Assert.True(own.Intact && own.Log is { Intact: true }, own.Log?.FirstDisagreement?.Problem ?? own.FirstBreak?.Problem);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Keeps what the silo and the CLI said, for the docs' examples.</summary>
    private static async Task Said(string what, string text)
    {
        Directory.CreateDirectory("TestResults");
        await File.AppendAllTextAsync("TestResults/import-head.txt", $"{what}:\n{text.TrimEnd()}\n\n");
    }

    private async Task<ImportReport> Import(string[] lines, TreeHead head, string keys)
    {
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        return await new ReadinessClient(store.Http).ImportAsync(body, head, keys);
    }

    /// <summary>Recomputes every stream's chain over the lines as they now are, as whoever changed the file would.</summary>
    private static void Rechain(string[] lines)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var e = JsonNode.Parse(lines[i])!.AsObject();
            string? Text(string name) => e[name]?.GetValueKind() == JsonValueKind.String ? (string?)e[name] : null;
            var stream = (string)e["subject"]!;
            var chained = new ChainedEvent(stream, (long)e["streamversion"]!, ((string)e["type"]!)["readiness.".Length..], e["data"]!.ToJsonString(),
                Text("time"), Text("recordedby"), Text("commandid"), Text("correlationid"), Text("causationid"), Text("tokenmintedby"),
                EventHeaders.ChainVersionOf(Text("chainversion")));
            var hash = EventChain.Hash(previous.GetValueOrDefault(stream, EventChain.Genesis), chained);
            e["hash"] = hash;
            previous[stream] = hash;
            lines[i] = e.ToJsonString();
        }
    }
}
