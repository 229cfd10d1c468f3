using System.Net.Http.Json;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A store of its own to break: each test here edits the event table as a superuser would, which would
/// otherwise leave broken streams in the shared store for every whole-store check after it.
/// </summary>
public sealed class TamperingSilo() : OwnSilo("tampering");

/// <summary>What an auditor relies on when someone with the database's rights edits the events.</summary>
public class AuditTamperingTests(TamperingSilo fixture) : IClassFixture<TamperingSilo>
{
    public static TheoryData<string, string, long, string> Tampering => new()
    {
        { "altered", "UPDATE readiness.mt_events SET data = jsonb_set(data, '{attendances}', '999') WHERE stream_id = @stream AND version = 2", 2, "differs" },
        { "altered metadata", "UPDATE readiness.mt_events SET headers = jsonb_set(headers, '{recorded-by}', '\"someone-else\"') WHERE stream_id = @stream AND version = 3", 3, "differs" },
        { "headers removed", "UPDATE readiness.mt_events SET headers = 'null'::jsonb WHERE stream_id = @stream AND version = 3", 3, "no hash" },
        { "deleted", "DELETE FROM readiness.mt_events WHERE stream_id = @stream AND version = 2", 2, "missing" },
        { "deleted last", "DELETE FROM readiness.mt_events WHERE stream_id = @stream AND version = 4", 4, "missing" },
        { "reordered", "UPDATE readiness.mt_events SET version = -version WHERE stream_id = @stream AND version IN (2, 3); " +
            "UPDATE readiness.mt_events SET version = 5 + version WHERE stream_id = @stream AND version IN (-2, -3)", 2, "differs" },
    };

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task A_superusers_edit_of_the_event_table_is_caught_at_its_first_broken_link(string tampering, string sql, long brokenVersion, string problem)
    {
        var tree = await NewProvinceAsync();
        for (var n = 0; n < 3; n++)
        {
            await AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, $"Buổi {n}", 10 + n, DateTimeOffset.UtcNow.AddDays(-n - 1)));
        }
        Assert.True((await Verify($"stream={tree.CommuneId}")).Intact, "intact before " + tampering);
        // A tamperer edits history the log has already taken; its leaves then also bear witness.
        await WaitUntilLoggedAsync(tree.CommuneId);

        await fixture.Database.ScalarAsync(sql, ("stream", tree.CommuneId));
        var report = await Verify($"stream={tree.CommuneId}");

        Assert.False(report.Intact, tampering);
        var found = Assert.Single(report.Breaks);
        Assert.Equal(report.FirstBreak, found);
        Assert.Equal(tree.CommuneId, found.Stream);
        Assert.Equal(brokenVersion, found.Version);
        Assert.Contains(problem, found.Problem, StringComparison.Ordinal);
        Assert.True((await Verify($"area={tree.DistrictId}")).FirstBreak == found, "an area's verify reports it too");
    }

    [Fact]
    public async Task Marten_tombstones_for_failed_appends_are_neither_a_broken_chain_nor_exported()
    {
        var tree = await NewProvinceAsync();
        // What Marten writes when an append used a sequence number and then failed (a database restart, say).
        await fixture.Database.ScalarAsync("""
            INSERT INTO readiness.mt_streams (id, version) VALUES ('mt_tombstone', 0) ON CONFLICT DO NOTHING;
            INSERT INTO readiness.mt_events (seq_id, id, stream_id, version, data, type, mt_dotnet_type)
            SELECT s, gen_random_uuid(), 'mt_tombstone', s, '{}', 'tombstone', 'Marten.Events.Operations.Tombstone'
            FROM nextval('readiness.mt_events_sequence') s;
            SELECT 0
            """);

        var report = await Verify("");
        var export = await fixture.Http.GetStringAsync(new Uri("/api/export", UriKind.Relative));

        Assert.DoesNotContain(report.Breaks, b => b.Stream == "mt_tombstone");
        Assert.DoesNotContain("mt_tombstone", export, StringComparison.Ordinal);
        Assert.Contains($"\"subject\":\"{tree.ProvinceId}\"", export, StringComparison.Ordinal);
    }

    private async Task<TestProvince> NewProvinceAsync()
    {
        var province = $"t{Guid.NewGuid():N}"[..12];
        var tree = new TestProvince(province, $"{province}/district-a", $"{province}/district-a/commune-1");
        var at = DateTimeOffset.UtcNow.AddYears(-1);
        await AcceptAsync(new RegisterUnit(SiloFixture.NewId(), tree.ProvinceId, "Test province", Echelon.Province, null, 100, at));
        await AcceptAsync(new RegisterUnit(SiloFixture.NewId(), tree.DistrictId, "Test district", Echelon.District, null, 20, at));
        await AcceptAsync(new RegisterUnit(SiloFixture.NewId(), tree.CommuneId, "Test commune", Echelon.Commune, null, 10, at));
        return tree;
    }

    private async Task WaitUntilLoggedAsync(string stream)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.log_leaves WHERE seq_id = (SELECT max(seq_id) FROM readiness.mt_events WHERE stream_id = @stream)",
            ("stream", stream)) == 0)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, $"the Merkle log had not taken {stream}'s events within 30 s");
            await Task.Delay(100);
        }
    }

    private async Task AcceptAsync(IUnitCommand command)
    {
        var result = await fixture.Host.Grains.GetGrain<IUnitGrain>(command.UnitId).Execute(command);
        Assert.True(result.Accepted, result.Rejection?.Message);
    }

    private async Task<VerifyReport> Verify(string query) =>
        (await fixture.Http.GetFromJsonAsync<VerifyReport>(new Uri($"/api/audit/verify?{query}", UriKind.Relative), SiloFixture.Json))!;
}
