using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Store.Outbox;
using Readiness.Silo.Security;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A report key rotated as an operator would, on one database: the next key published before it signs, promoted with
/// the old one kept published as retired, and a key never published refused.
/// </summary>
public class KeyRotationTests
{
    private const string ReportPurpose = "readiness-upward-report/v1";

    [Fact]
    public async Task A_next_key_is_published_before_it_signs_a_promoted_one_signs_with_the_old_still_published_and_a_key_never_published_never_signs()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var database = await cluster.CreateDatabaseAsync("rotation");
        var folder = Directory.CreateTempSubdirectory("readiness-rotation-");
        try
        {
            var (first, second, stranger, gone) = (await KeyFile(folder, "first"), await KeyFile(folder, "second"), await KeyFile(folder, "stranger"), await KeyFile(folder, "gone"));
            var port = LoopbackPorts.Next();
            var province = $"k{Guid.NewGuid():N}"[..12];

            // 1. The key that signs today; 2. the next one added: published, marked next, signing nothing.
            await using (var host = Silo(database, port, ("SigningKeyFile", first)))
            {
                await host.StartAndWaitUntilReadyAsync();
                Assert.Equal([(KeyId(first), null)], ReportKeys(await PublishedKeysAsync(host)));
            }
            string nextSigned;
            await using (var host = Silo(database, port, ("SigningKeyFile", first), ("NextSigningKeyFile", second)))
            {
                await host.StartAndWaitUntilReadyAsync();
                var keys = await PublishedKeysAsync(host);
                Assert.Equal([(KeyId(first), null), (KeyId(second), "next")], ReportKeys(keys));
                await host.Grains.GetGrain<IUnitGrain>(province).Execute(
                    new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh thử", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));
                var queued = await QueuedAsync(host, province);
                Assert.Equal(KeyId(first), Es256Key.KeyIdOf(queued.Signature));
                // Whatever the next key signed would not pass with the province's keys: it is not yet the province's.
                using var next = Es256Key.FromPem(await File.ReadAllTextAsync(second, TestContext.Current.CancellationToken), "the next key");
                nextSigned = next.SignDetached(Encoding.UTF8.GetBytes(queued.Body));
                Assert.Contains("next key", SignedReport.SignatureProblem(Encoding.UTF8.GetBytes(queued.Body), nextSigned, keys.GetRawText()), StringComparison.Ordinal);
            }

            // A key never published refuses to sign: the silo does not start, and says how to publish it first.
            await using (var host = Silo(database, port, ("SigningKeyFile", stranger)))
            {
                var refusal = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAndWaitUntilReadyAsync(TimeSpan.FromSeconds(60)));
                Assert.IsNotType<TimeoutException>(refusal);
                var said = Flatten(refusal);
                Assert.Contains($"is key {KeyId(stranger)}, which this silo never published", said, StringComparison.Ordinal);
                Assert.Contains("Readiness:UpwardReports:NextSigningKeyFile", said, StringComparison.Ordinal);
            }

            // 3. Promoted: the second key signs; the first stays published, retired, until its date; one past its date is gone.
            await using (var host = Silo(database, port, ("SigningKeyFile", second),
                ("RetiredKeys:0:PublicKeyFile", first), ("RetiredKeys:0:Until", DateTimeOffset.UtcNow.AddDays(30).ToString("O")),
                ("RetiredKeys:1:PublicKeyFile", gone), ("RetiredKeys:1:Until", DateTimeOffset.UtcNow.AddDays(-1).ToString("O"))))
            {
                await host.StartAndWaitUntilReadyAsync();
                var keys = await PublishedKeysAsync(host);
                Assert.Equal([(KeyId(second), null), (KeyId(first), "retired")], ReportKeys(keys));
                var received = new ConcurrentBag<(string Signature, byte[] Body)>();
                await using var endpoint = await StartEndpoint(port, received);
                var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
                while (received.IsEmpty && DateTimeOffset.UtcNow < deadline)
                {
                    await Task.Delay(200, TestContext.Current.CancellationToken);
                }
                var (signature, body) = Assert.Single(received);
                Assert.Equal(KeyId(second), Es256Key.KeyIdOf(signature));
                Assert.True(EchelonAbove.Verifies(keys, signature, body), signature);
                Assert.Null(SignedReport.SignatureProblem(body, signature, keys.GetRawText()));
                Assert.Equal(province, JsonSerializer.Deserialize<UpwardReport>(body, SiloFixture.Json)!.ProvinceId);
                Assert.NotEqual(nextSigned, signature);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_tree_head_signed_before_the_head_key_was_promoted_still_verifies_with_the_whole_store_once_the_old_key_is_retired()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        await using var database = await cluster.CreateDatabaseAsync("head-rotation");
        var folder = Directory.CreateTempSubdirectory("readiness-head-rotation-");
        try
        {
            var (first, second) = (await KeyFile(folder, "first-head"), await KeyFile(folder, "second-head"));
            TreeHead before;
            await using (var host = HeadSilo(database, ("SigningKeyFile", first)))
            {
                using var http = await host.StartAndWaitUntilReadyAsync();
                await RegisterProvinceAsync(host);
                before = await LatestHeadAsync(http, h => h.Size > 0);
                Assert.Equal(KeyId(first), before.KeyId);
            }
            // The next key published first, as the procedure asks: a silo does not sign with a key it never published.
            await using (var host = HeadSilo(database, ("SigningKeyFile", first), ("NextSigningKeyFile", second)))
            {
                (await host.StartAndWaitUntilReadyAsync()).Dispose();
            }

            await using (var host = HeadSilo(database, ("SigningKeyFile", second),
                ("RetiredKeys:0:PublicKeyFile", first), ("RetiredKeys:0:Until", DateTimeOffset.UtcNow.AddDays(30).ToString("O"))))
            {
                using var http = await host.StartAndWaitUntilReadyAsync();
                // Nothing recorded since: the latest head is the one the retired key signed, and the whole store verifies with it.
                var verified = await VerifyAsync(http);
                Assert.True(verified.Intact, verified.Log?.FirstDisagreement?.Problem);
                Assert.True(verified.Log!.HeadSignatureValid);
                Assert.Equal((before.Size, before.Root, KeyId(first)), (verified.Log.LatestHead!.Size, verified.Log.LatestHead.Root, verified.Log.LatestHead.KeyId));
                var jwks = (await PublishedKeysAsync(host)).GetRawText();
                Assert.Null(SignedHead.SignatureProblem(before, jwks));

                // Recorded after the promotion: signed by the new key, the store still verifies, and the old head with the keys published.
                await RegisterProvinceAsync(host);
                var after = await LatestHeadAsync(http, h => h.Size > before.Size);
                Assert.Equal(KeyId(second), after.KeyId);
                verified = await VerifyAsync(http);
                Assert.True(verified.Intact, verified.Log?.FirstDisagreement?.Problem);
                Assert.True(verified.Log!.HeadSignatureValid);
                Assert.Null(SignedHead.SignatureProblem(before, jwks));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static SiloHost HeadSilo(TestDatabase database, params (string Name, string Value)[] keys)
    {
        var settings = new Dictionary<string, string> { ["Readiness:Log:SigningKeyPem"] = "" };
        foreach (var (name, value) in keys)
        {
            settings[$"Readiness:Log:{name}"] = value;
        }
        return new SiloHost(database, loadDemo: false, settings: settings);
    }

    private static async Task RegisterProvinceAsync(SiloHost host)
    {
        var province = $"h{Guid.NewGuid():N}"[..12];
        var registered = await host.Grains.GetGrain<IUnitGrain>(province).Execute(
            new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh thử", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));
        Assert.True(registered.Accepted, registered.Rejection?.Message);
    }

    private static async Task<TreeHead> LatestHeadAsync(HttpClient http, Func<TreeHead, bool> wanted)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            var heads = (await http.GetFromJsonAsync<TreeHeadPage>(new Uri("/api/audit/tree-heads?limit=1", UriKind.Relative), SiloFixture.Json))!.Heads;
            if (heads.Count > 0 && wanted(heads[0]))
            {
                return heads[0];
            }
            Assert.True(DateTimeOffset.UtcNow < deadline, "No tree head was signed within 30 s.");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<VerifyReport> VerifyAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<VerifyReport>(new Uri("/api/audit/verify", UriKind.Relative), SiloFixture.Json))!;

    private static SiloHost Silo(TestDatabase database, int port, params (string Name, string Value)[] keys)
    {
        var settings = new Dictionary<string, string>
        {
            ["Readiness:UpwardReports:Endpoints:0:Name"] = "military-region-1",
            ["Readiness:UpwardReports:Endpoints:0:Url"] = $"http://127.0.0.1:{port}/reports",
            ["Readiness:UpwardReports:PollSeconds"] = "1",
            ["Readiness:UpwardReports:MaxBackoffSeconds"] = "1",
            ["Readiness:UpwardReports:SigningKeyPem"] = "",
        };
        foreach (var (name, value) in keys)
        {
            settings[$"Readiness:UpwardReports:{name}"] = value;
        }
        return new SiloHost(database, loadDemo: false, settings: settings);
    }

    private static async Task<string> KeyFile(DirectoryInfo folder, string name)
    {
        var file = Path.Combine(folder.FullName, name + ".pem");
        await PrivateFile.WriteAsync(file, Es256Key.NewPem());
        return file;
    }

    private static string KeyId(string file)
    {
        using var key = Es256Key.FromPem(File.ReadAllText(file), file);
        return key.KeyId;
    }

    /// <summary>The report keys of the set, by id and status (null: the key that signs).</summary>
    private static List<(string?, string?)> ReportKeys(JsonElement set) =>
        [.. set.GetProperty("keys").EnumerateArray()
            .Where(k => k.GetProperty("purpose").GetString() == ReportPurpose)
            .Select(k => (k.GetProperty("kid").GetString(), k.TryGetProperty("status", out var status) ? status.GetString() : null))];

    private static async Task<JsonElement> PublishedKeysAsync(SiloHost host)
    {
        using var anonymous = host.ClientWith(null);
        using var response = await anonymous.GetAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static async Task<OutboxMessage> QueuedAsync(SiloHost host, string province)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (true)
        {
            await using (var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession())
            {
                if (await session.Query<OutboxMessage>().FirstOrDefaultAsync(m => m.ProvinceId == province) is { } queued)
                {
                    return queued;
                }
            }
            Assert.True(DateTimeOffset.UtcNow < deadline, "no report was queued");
            await Task.Delay(200);
        }
    }

    private static string Flatten(Exception exception) =>
        exception is AggregateException aggregate
            ? string.Join(" | ", aggregate.InnerExceptions.Select(Flatten))
            : exception.Message + (exception.InnerException is { } inner ? " | " + Flatten(inner) : "");

    private static async Task<WebApplication> StartEndpoint(int port, ConcurrentBag<(string, byte[])> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add($"http://127.0.0.1:{port}");
        app.MapPost("/reports", async (HttpRequest request) =>
        {
            using var bytes = new MemoryStream();
            await request.Body.CopyToAsync(bytes);
            received.Add((request.Headers["X-Readiness-Signature"].ToString(), bytes.ToArray()));
            return Results.Accepted();
        });
        await app.StartAsync();
        return app;
    }
}
