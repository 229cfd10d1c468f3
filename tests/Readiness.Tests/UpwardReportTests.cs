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
using Readiness.Store.Outbox;
using Readiness.Silo.Security;
using Readiness.Silo.Upward;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo that reports upward to an endpoint on a loopback port nobody listens on yet.</summary>
public sealed class ReportingSiloFixture : IAsyncLifetime
{
    public int EndpointPort { get; } = LoopbackPorts.Next();
    public string KeyFile { get; } = Path.Combine(Path.GetTempPath(), $"readiness-report-key-{Guid.NewGuid():N}.pem");
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var cluster = await PostgresCluster.EnsureStartedAsync();
        Database = await cluster.CreateDatabaseAsync("upward");
        await PrivateFile.WriteAsync(KeyFile, Es256Key.NewPem());
        Host = new SiloHost(Database, loadDemo: false, settings: new Dictionary<string, string>
        {
            ["Readiness:UpwardReports:Endpoints:0:Name"] = "military-region-1",
            ["Readiness:UpwardReports:Endpoints:0:Url"] = $"http://127.0.0.1:{EndpointPort}/reports",
            ["Readiness:UpwardReports:PollSeconds"] = "1",
            ["Readiness:UpwardReports:MaxBackoffSeconds"] = "1",
            ["Readiness:UpwardReports:SigningKeyPem"] = "",
            ["Readiness:UpwardReports:SigningKeyFile"] = KeyFile,
        });
        Http = await Host.StartAndWaitUntilReadyAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
        File.Delete(KeyFile);
    }

}

public class UpwardReportTests(ReportingSiloFixture fixture) : IClassFixture<ReportingSiloFixture>
{
    private sealed record Received(string ReportId, string Signature, byte[] Bytes)
    {
        public string Body => Encoding.UTF8.GetString(Bytes);
    }

    [Fact]
    public async Task An_endpoint_that_is_down_gets_each_report_once_when_it_is_back_and_each_acknowledgement_is_an_event()
    {
        var province = $"t{Guid.NewGuid():N}"[..12];
        var grains = fixture.Host.Grains;
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await grains.GetGrain<IUnitGrain>(province).Execute(new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh thử", Echelon.Province, null, 100, at));
        await grains.GetGrain<IUnitGrain>($"{province}/huyen").Execute(new RegisterUnit(SiloFixture.NewId(), $"{province}/huyen", "Huyện thử", Echelon.District, null, 20, at));

        // Down: the monthly report is queued and retried, not lost.
        var retrying = await Eventually(province, entries => entries.Any(e => e.Attempts >= 2 && e.DeliveredAt is null && e.LastError is not null));
        var monthly = Assert.Single(retrying);
        Assert.Contains("/monthly/", monthly.ReportId, StringComparison.Ordinal);

        var received = new ConcurrentBag<Received>();
        await using var endpoint = await StartEndpoint(received);
        await Eventually(province, entries => entries.All(e => e.DeliveredAt is not null));

        // The commander's assessment changes the province's level: a second report, sent at once.
        await grains.GetGrain<IUnitGrain>(province).Execute(new AssessReadiness(SiloFixture.NewId(), province, ReadinessLevel.R1, "Kiểm tra thực tế", "Chỉ huy trưởng"));
        var both = await Eventually(province, entries => entries.Count == 2 && entries.All(e => e.DeliveredAt is not null), TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(3));

        var reports = received.Where(r => r.ReportId.StartsWith(province + "/", StringComparison.Ordinal)).ToList();
        var keys = await PublishedKeysAsync();
        Assert.Equal(2, reports.Count);
        Assert.Equal(both.Select(e => e.ReportId).Order(StringComparer.Ordinal), reports.Select(r => r.ReportId).Order(StringComparer.Ordinal));
        Assert.Contains(reports, r => r.ReportId.Contains("/level/", StringComparison.Ordinal));
        foreach (var report in reports)
        {
            Assert.True(EchelonAbove.Verifies(keys, report.Signature, report.Bytes), report.Signature);
            var body = JsonSerializer.Deserialize<UpwardReport>(report.Body, SiloFixture.Json)!;
            Assert.Equal(province, body.ProvinceId);
            Assert.Equal(2, body.ChainHeads.Count);
            Assert.Equal(UpwardReporter.HeadsDigest(body.ChainHeads), body.ChainHeadsDigest);
        }
        var level = JsonSerializer.Deserialize<UpwardReport>(reports.Single(r => r.ReportId.Contains("/level/", StringComparison.Ordinal)).Body, SiloFixture.Json)!;
        Assert.Equal(ReadinessLevel.R1, level.Level);
        Assert.Equal(2, await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE stream_id = @s AND type = 'upward_report_acknowledged'", ("s", "report:" + province)));
        var verify = await fixture.Http.GetFromJsonAsync<VerifyReport>(new Uri("/api/audit/verify", UriKind.Relative), SiloFixture.Json);
        Assert.True(verify!.Intact, verify.FirstBreak?.ToString());
    }

    [Fact]
    public async Task A_pushed_report_verifies_with_the_published_keys_alone_and_a_tampered_one_does_not()
    {
        var province = $"t{Guid.NewGuid():N}"[..12];
        await fixture.Host.Grains.GetGrain<IUnitGrain>(province).Execute(
            new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh thử", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));
        var received = new ConcurrentBag<Received>();
        await using var endpoint = await StartEndpoint(received);
        await Eventually(province, entries => entries.All(e => e.DeliveredAt is not null));
        var report = received.First(r => r.ReportId.StartsWith(province + "/", StringComparison.Ordinal));

        var keys = await PublishedKeysAsync();

        Assert.True(EchelonAbove.Verifies(keys, report.Signature, report.Bytes), report.Signature);
        var body = report.Body;
        var digest = JsonSerializer.Deserialize<UpwardReport>(body, SiloFixture.Json)!.ChainHeadsDigest;
        var otherDigest = body.Replace(digest, new string('0', digest.Length), StringComparison.Ordinal);
        Assert.NotEqual(body, otherDigest);
        Assert.False(EchelonAbove.Verifies(keys, report.Signature, Encoding.UTF8.GetBytes(otherDigest)));
        // The exact bytes are signed, not their meaning: even a trailing space is caught.
        Assert.False(EchelonAbove.Verifies(keys, report.Signature, Encoding.UTF8.GetBytes(body + " ")));
    }

    [Fact]
    public async Task A_report_queued_under_another_key_is_built_again_from_the_events_and_its_stored_body_is_never_signed()
    {
        var province = await RegisterProvinceAsync();
        var reportId = $"{province}/monthly/2000-01";
        // What someone who can write the table would like signed, under a signature of another key (or an older kind).
        var body = JsonSerializer.Serialize(new { reportId, provinceId = province, level = "R1", forged = true });
        await using (var session = fixture.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Store(new OutboxMessage
            {
                Id = OutboxMessage.IdOf(reportId, "military-region-1"), ReportId = reportId, ProvinceId = province, Endpoint = "military-region-1",
                Reason = "monthly report for 2000-01", Body = body, Signature = new string('a', 64),
                CreatedAt = DateTimeOffset.UtcNow, NextAttemptTicks = DateTimeOffset.UtcNow.UtcTicks,
            });
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var received = new ConcurrentBag<Received>();
        await using var endpoint = await StartEndpoint(received);
        await Eventually(province, entries => entries.All(e => e.DeliveredAt is not null));

        var report = Assert.Single(received, r => r.ReportId == reportId);
        Assert.NotEqual(body, report.Body);
        Assert.DoesNotContain("forged", report.Body, StringComparison.Ordinal);
        var sent = JsonSerializer.Deserialize<UpwardReport>(report.Body, SiloFixture.Json)!;
        Assert.Equal((reportId, province, UpwardReport.SignedPurpose), (sent.ReportId, sent.ProvinceId, sent.Purpose));
        Assert.True(EchelonAbove.Verifies(await PublishedKeysAsync(), report.Signature, report.Bytes), report.Signature);
    }

    [Fact]
    public async Task An_outbox_row_edited_in_the_database_is_sent_rebuilt_from_the_events_with_an_alarm_and_never_as_edited()
    {
        var province = await RegisterProvinceAsync();
        // The endpoint is down: the report waits in the outbox, signed as the silo built it.
        var queued = Assert.Single(await Eventually(province, entries => entries.Any(e => e.Attempts >= 1 && e.DeliveredAt is null)));
        // The application role may write the outbox (it must, to queue reports): so may whoever holds its password.
        await using (var connection = new Npgsql.NpgsqlConnection(fixture.Database.AppConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var edit = new Npgsql.NpgsqlCommand(
                "UPDATE readiness.mt_doc_outboxmessage SET data = jsonb_set(data, '{body}', to_jsonb(replace(data->>'body', '\"level\":', '\"forged\":true,\"level\":'))) WHERE id = @id",
                connection);
            edit.Parameters.AddWithValue("id", queued.Id);
            Assert.Equal(1, await edit.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }

        var received = new ConcurrentBag<Received>();
        await using var endpoint = await StartEndpoint(received);
        await Eventually(province, entries => entries.All(e => e.DeliveredAt is not null));

        var report = Assert.Single(received, r => r.ReportId == queued.ReportId);
        Assert.DoesNotContain("forged", report.Body, StringComparison.Ordinal);
        Assert.Equal(province, JsonSerializer.Deserialize<UpwardReport>(report.Body, SiloFixture.Json)!.ProvinceId);
        Assert.True(EchelonAbove.Verifies(await PublishedKeysAsync(), report.Signature, report.Bytes), report.Signature);
        var alarm = Assert.Contains("outbox", fixture.Host.Services.GetRequiredService<Readiness.Silo.Audit.AuditAlarms>().Raised);
        Assert.Contains(queued.Id, alarm, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_carries_the_missions_the_equipment_the_stale_units_those_below_R2_with_why_and_the_commanders_comments_made_since_the_last()
    {
        var province = await RegisterProvinceAsync();
        var grains = fixture.Host.Grains;
        // The monthly report is queued as the province appears: the comments below come after it.
        var monthly = Assert.Single(await Eventually(province, entries => entries.Count == 1));
        var district = $"{province}/huyen";
        var yearAgo = DateTimeOffset.UtcNow.AddYears(-1);
        // A district heard from a year ago and not since, with none of its 20 members, answering No for rescue.
        foreach (var command in new IUnitCommand[]
        {
            new RegisterUnit(SiloFixture.NewId(), district, "Huyện thử", Echelon.District, null, 20, yearAgo),
            new AllotEquipment(SiloFixture.NewId(), district, EquipmentCategory.Weapons, 10, "Biên chế", yearAgo),
            new ReceiveEquipment(SiloFixture.NewId(), district, EquipmentCategory.Weapons, 8, "Cấp phát", yearAgo),
            new ReportEquipmentCondition(SiloFixture.NewId(), district, EquipmentCategory.Weapons, 5, 2, 1, yearAgo),
            new AssignMission(SiloFixture.NewId(), district, Mission.SearchAndRescue, yearAgo),
            new AssessMission(SiloFixture.NewId(), district, Mission.SearchAndRescue, MissionAnswer.No, "Xuồng hỏng", "Chỉ huy trưởng huyện", yearAgo),
        })
        {
            Assert.Null((await grains.GetGrain<IUnitGrain>(command.UnitId).Execute(command)).Rejection);
        }
        const string Said = "Mưa lũ kéo dài ở phía bắc;\\nđề nghị tăng cường xuồng cứu hộ.";
        using (var commented = await fixture.Http.PostAsync(new Uri("/api/commands/record-commander-comment", UriKind.Relative), new StringContent(
            $$"""{"commandId":"{{SiloFixture.NewId()}}","unitId":"{{province}}","comment":"{{Said}}","commentedBy":"Đại tá Nguyễn Văn A"}""", Encoding.UTF8, "application/json")))
        {
            Assert.True(commented.IsSuccessStatusCode, await commented.Content.ReadAsStringAsync());
        }
        // The commander's assessment changes the province's level: the next report.
        await grains.GetGrain<IUnitGrain>(province).Execute(new AssessReadiness(SiloFixture.NewId(), province, ReadinessLevel.R1, "Kiểm tra thực tế", "Chỉ huy trưởng"));

        var received = new ConcurrentBag<Received>();
        await using var endpoint = await StartEndpoint(received);
        await Eventually(province, entries => entries.Count == 2 && entries.All(e => e.DeliveredAt is not null), TimeSpan.FromSeconds(30));

        var keys = await PublishedKeysAsync();
        var bodies = received.Where(r => r.ReportId.StartsWith(province + "/", StringComparison.Ordinal))
            .Select(r => (r.ReportId, Verified: EchelonAbove.Verifies(keys, r.Signature, r.Bytes), Report: JsonSerializer.Deserialize<UpwardReport>(r.Body, SiloFixture.Json)!))
            .ToDictionary(r => r.ReportId);
        Assert.All(bodies.Values, b => Assert.True(b.Verified, b.ReportId));
        Assert.Empty(bodies[monthly.ReportId].Report.Comments!);
        var report = bodies.Values.Single(b => b.ReportId.Contains("/level/", StringComparison.Ordinal)).Report;

        var comment = Assert.Single(report.Comments!);
        Assert.Equal(("Mưa lũ kéo dài ở phía bắc;\nđề nghị tăng cường xuồng cứu hộ.", "Đại tá Nguyễn Văn A"), (comment.Comment, comment.CommentedBy));
        Assert.Equal((province, "CommanderCommentRecorded"), (comment.Event.StreamId, comment.Event.Event));
        var rescue = Assert.Single(report.Missions!, m => m.Mission == Mission.SearchAndRescue);
        Assert.Equal((1, 0, 0, 1), (rescue.Assigned, rescue.Yes, rescue.Qualified, rescue.No));
        Assert.Equal(new EquipmentHolding(EquipmentCategory.Weapons, 10, 8, 5, 2, 1), Assert.Single(report.Equipment!));
        var stale = Assert.Single(report.Stale!);
        Assert.Equal((district, Echelon.District), (stale.UnitId, stale.Echelon));
        Assert.True(stale.DueBy < DateTimeOffset.UtcNow, $"due by {stale.DueBy:O}");
        var below = Assert.Single(report.BelowR2!);
        Assert.Equal(district, below.UnitId);
        Assert.True(below.Level > ReadinessLevel.R2, below.Level.ToString());
        Assert.Contains("0", below.Explanation, StringComparison.Ordinal);
        Assert.Equal(ReadinessArea.Personnel, below.SetBy);

        // The next report carries what was said since, and not again what the last one carried.
        await grains.GetGrain<IUnitGrain>(province).Execute(new RecordCommanderComment(SiloFixture.NewId(), province, "Đã nhận xuồng.", "Đại tá Nguyễn Văn A"));
        await grains.GetGrain<IUnitGrain>(province).Execute(new WithdrawReadinessAssessment(SiloFixture.NewId(), province, "Hết đợt kiểm tra"));
        await Eventually(province, entries => entries.Count == 3 && entries.All(e => e.DeliveredAt is not null), TimeSpan.FromSeconds(30));
        var next = received.Select(r => JsonSerializer.Deserialize<UpwardReport>(r.Body, SiloFixture.Json)!)
            .Single(r => r.ProvinceId == province && r.ReportId.Contains("/level/", StringComparison.Ordinal) && r.ReportId != report.ReportId);
        Assert.Equal(["Đã nhận xuồng."], next.Comments!.Select(c => c.Comment));
    }

    [Fact]
    public async Task A_commanders_comment_with_a_hidden_character_or_over_its_length_is_refused_400_naming_the_field()
    {
        var province = await RegisterProvinceAsync();
        async Task<string> Refusal(string comment)
        {
            using var response = await fixture.Http.PostAsync(new Uri("/api/commands/record-commander-comment", UriKind.Relative), new StringContent(
                $$"""{"commandId":"{{SiloFixture.NewId()}}","unitId":"{{province}}","comment":"{{comment}}","commentedBy":"Đại tá A"}""", Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
        }

        Assert.StartsWith("comment holds the invisible format character U+202E", await Refusal("Ổn \\u202e định"), StringComparison.Ordinal);
        Assert.StartsWith("comment holds the control character U+0007", await Refusal("Ổn \\u0007 định"), StringComparison.Ordinal);
        Assert.StartsWith("comment is at most 2000 characters", await Refusal(new string('ư', 2001)), StringComparison.Ordinal);
        Assert.Equal(1, await fixture.Database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE stream_id = @s", ("s", province)));
    }

    private async Task<string> RegisterProvinceAsync()
    {
        var province = $"t{Guid.NewGuid():N}"[..12];
        await fixture.Host.Grains.GetGrain<IUnitGrain>(province).Execute(
            new RegisterUnit(SiloFixture.NewId(), province, "Tỉnh thử", Echelon.Province, null, 100, DateTimeOffset.UtcNow.AddYears(-1)));
        return province;
    }

    /// <summary>What the echelon above fetches, without a token, to check reports with.</summary>
    private async Task<JsonElement> PublishedKeysAsync()
    {
        using var anonymous = fixture.Host.ClientWith(null);
        using var response = await anonymous.GetAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>The higher echelon's endpoint, up at last, on the port the silo has been trying.</summary>
    private async Task<WebApplication> StartEndpoint(ConcurrentBag<Received> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add($"http://127.0.0.1:{fixture.EndpointPort}");
        app.MapPost("/reports", async (HttpRequest request) =>
        {
            using var bytes = new MemoryStream();
            await request.Body.CopyToAsync(bytes);
            received.Add(new Received(request.Headers["X-Readiness-Report-Id"].ToString(), request.Headers["X-Readiness-Signature"].ToString(), bytes.ToArray()));
            return Results.Accepted();
        });
        await app.StartAsync();
        return app;
    }

    private async Task<List<OutboxEntry>> Eventually(string province, Func<List<OutboxEntry>, bool> condition, TimeSpan? patience = null)
    {
        var deadline = DateTimeOffset.UtcNow + (patience ?? TimeSpan.FromSeconds(20));
        List<OutboxEntry> last = [];
        while (DateTimeOffset.UtcNow < deadline)
        {
            last = (await fixture.Http.GetFromJsonAsync<List<OutboxEntry>>(new Uri($"/api/provinces/{province}/upward-reports", UriKind.Relative), SiloFixture.Json))!;
            if (last.Count > 0 && condition(last))
            {
                return last;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The outbox did not reach the expected state: {JsonSerializer.Serialize(last, SiloFixture.Json)}");
    }
}
