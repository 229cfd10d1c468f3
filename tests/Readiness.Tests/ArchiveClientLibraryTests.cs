using System.Net.Http.Json;
using System.Text;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>Export and import through the client library, into a store of its own.</summary>
public class ArchiveClientLibraryTests(SiloFixture silo, EmptySiloFixture empty) : IClassFixture<EmptySiloFixture>
{
    [Fact]
    public async Task An_area_exported_by_the_client_imports_into_an_empty_store_and_a_tampered_copy_is_refused_at_its_line()
    {
        // A province of its own keeps the file small, so the round trip takes a moment, not the demo's 6,000 events.
        var tree = await silo.NewProvinceAsync();
        await silo.TrainAsync(tree.CommuneId, count: 2);
        for (var n = 0; n < 3; n++)
        {
            await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, $"Buổi {n}", 40 + n, DateTimeOffset.UtcNow.AddDays(-n - 1)));
        }
        var source = new ReadinessClient(silo.Http);
        var target = new ReadinessClient(empty.Http);

        using var file = new MemoryStream();
        var reported = new List<long>();
        var count = await source.ExportAsync(file, tree.ProvinceId, new Collect(reported));
        var lines = Encoding.UTF8.GetString(file.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3 + 2 + 3, count);
        Assert.Equal(count, lines.Length);
        Assert.Equal(count, reported[^1]);
        Assert.Equal(reported.Order(), reported);

        var altered = Array.FindIndex(lines, l => l.Contains("outreach_session_held", StringComparison.Ordinal));
        var tampered = lines.ToArray();
        tampered[altered] = System.Text.RegularExpressions.Regex.Replace(tampered[altered], "\"attendances\": ?[0-9]+", "\"attendances\": 400");
        Assert.NotEqual(lines[altered], tampered[altered]);
        var refused = await Assert.ThrowsAsync<ReadinessApiException>(() => target.ImportAsync(Utf8(tampered)));
        Assert.Equal(400, refused.StatusCode);
        Assert.Equal(altered + 1, refused.Problem.Line);
        Assert.Contains("does not verify", refused.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(0, await empty.Database.CountAllEventsAsync());

        file.Position = 0;
        var report = await target.ImportAsync(file);
        Assert.Equal(count, report.Events);
        Assert.Equal(3, report.Streams);
        Assert.True(report.EventsPerSecond > 0);

        var verify = (await empty.Http.GetFromJsonAsync<VerifyReport>(new Uri("/api/audit/verify", UriKind.Relative), SiloFixture.Json))!;
        Assert.True(verify.Intact, verify.FirstBreak?.ToString());
        Assert.Equal(count, verify.EventsChecked);
        Assert.Equal(ComparableViews.Of(await source.GetUnitAsync(tree.CommuneId)), ComparableViews.Of(await target.GetUnitAsync(tree.CommuneId)));
        Assert.Equal(ComparableViews.Of(await source.GetUnitAsync(tree.DistrictId)), ComparableViews.Of(await target.GetUnitAsync(tree.DistrictId)));

        file.Position = 0;
        var again = await Assert.ThrowsAsync<ReadinessApiException>(() => target.ImportAsync(file));
        Assert.Equal(409, again.StatusCode);
        Assert.Null(again.Problem.Line);
    }

    private static MemoryStream Utf8(string[] lines) => new(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));

    /// <summary>Records on the reporting thread, so the list holds every report in order.</summary>
    private sealed class Collect(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }
}
