extern alias cli;

using System.Globalization;
using System.Text.Json;
using cli::Readiness.Cli;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// <c>readiness history</c>, <c>verify</c> and <c>view</c>, run in this process against the test silo:
/// what an auditor types, and what they read back.
/// </summary>
public class AuditCliTests(SiloFixture silo)
{
    private static readonly DateTimeOffset LongAgo = At("2024-01-01T00:00:00+07:00");

    private string Url => silo.Host.BaseAddress.ToString();

    [Fact]
    public async Task History_prints_a_table_a_page_at_a_time_or_json_lines_of_everything()
    {
        var tree = await silo.NewProvinceAsync(registeredAt: LongAgo);
        await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, "Tháng 1", 30, At("2025-01-10T08:00:00+07:00")));

        var table = await Run(HistoryCommand.RunAsync, "history", "--province", tree.ProvinceId, "--url", Url);
        var page = await Run(HistoryCommand.RunAsync, "history", "--province", tree.ProvinceId, "--limit", "2", "--url", Url);
        var lines = await Run(HistoryCommand.RunAsync, "history", "--unit", tree.CommuneId, "--all", "--limit", "1", "--json", "--url", Url);
        var june = await Run(HistoryCommand.RunAsync, "history", "--province", tree.ProvinceId, "--district", "district-a",
            "--kind", "OutreachSessionHeld", "--from", "2025-06-01", "--url", Url);

        Assert.Equal(0, table.Code);
        Assert.StartsWith(" sequence  recorded at", table.Output, StringComparison.Ordinal);
        Assert.Contains("2025-01-10 01:00:00Z  OutreachSessionHeld", table.Output, StringComparison.Ordinal);
        Assert.Contains($"{tree.CommuneId} v2", table.Output, StringComparison.Ordinal);
        Assert.EndsWith($"4 events of province {tree.ProvinceId}.\n", table.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("more after sequence", page.Output, StringComparison.Ordinal);
        var entries = lines.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<HistoryEntry>(l, SiloFixture.Json)!).ToList();
        Assert.Equal(["UnitRegistered", "OutreachSessionHeld"], entries.Select(e => e.Kind));
        Assert.All(entries, e => Assert.NotNull(e.Hash));
        Assert.Contains("2 events of unit", lines.Error, StringComparison.Ordinal);
        Assert.Contains("0 events of district", june.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_says_intact_or_shows_the_first_broken_link_and_exits_1()
    {
        var tree = await silo.NewProvinceAsync();
        for (var n = 0; n < 3; n++)
        {
            await silo.AcceptAsync(new RecordOutreachSession(SiloFixture.NewId(), tree.CommuneId, $"Buổi {n}", 10 + n, DateTimeOffset.UtcNow.AddDays(-n - 1)));
        }

        var intact = await Run(VerifyCommand.RunAsync, "verify", "--area", tree.ProvinceId, "--url", Url);
        await silo.Database.ScalarAsync("UPDATE readiness.mt_events SET data = jsonb_set(data, '{attendances}', '999') WHERE stream_id = @stream AND version = 3", ("stream", tree.CommuneId));
        var broken = await Run(VerifyCommand.RunAsync, "verify", "--stream", tree.CommuneId, "--url", Url);
        var json = await Run(VerifyCommand.RunAsync, "verify", "--area", tree.DistrictId, "--json", "--url", Url);

        Assert.Equal(0, intact.Code);
        Assert.StartsWith($"INTACT: every link of area {tree.ProvinceId} holds. 3 streams, 6 events checked", intact.Output, StringComparison.Ordinal);
        Assert.Equal(1, broken.Code);
        Assert.StartsWith("BROKEN: 1 broken link(s) in 1 stream(s)", broken.Output, StringComparison.Ordinal);
        Assert.Contains($"First broken link:\n  stream {tree.CommuneId}, version 3: The event or its metadata differs", broken.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("events/s", broken.Output, StringComparison.Ordinal);
        Assert.Equal(1, json.Code);
        Assert.Equal(3, JsonSerializer.Deserialize<VerifyReport>(json.Output, SiloFixture.Json)!.FirstBreak!.Version);
    }

    [Fact]
    public async Task View_shows_a_district_as_of_when_things_happened_and_as_known_at_a_moment()
    {
        var tree = await silo.NewProvinceAsync(communeAuthorised: 40, registeredAt: LongAgo);
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 10, 2025, At("2025-01-10T08:00:00+07:00")));
        var known = (await Run(HistoryCommand.RunAsync, "history", "--unit", tree.CommuneId, "--json", "--url", Url)).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<HistoryEntry>(l, SiloFixture.Json)!).Last().RecordedAt;
        // Reported late: five recruits who had joined before the ten above.
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 5, 2025, At("2025-01-05T08:00:00+07:00")));
        var knownAt = known.ToString("O", CultureInfo.InvariantCulture);

        var asOf = await Run(ViewCommand.RunAsync, "view", "--province", tree.ProvinceId, "--district", "district-a", "--as-of", "2025-01-31", "--url", Url);
        var asKnown = await Run(ViewCommand.RunAsync, "view", "--province", tree.ProvinceId, "--district", "district-a", "--as-of", "2025-01-31", "--known-at", knownAt, "--url", Url);
        var province = await Run(ViewCommand.RunAsync, "view", "--province", tree.ProvinceId, "--known-at", knownAt, "--json", "--url", Url);
        var before = await Run(ViewCommand.RunAsync, "view", "--province", tree.ProvinceId, "--as-of", "2020-01-01", "--url", Url);

        Assert.Equal(0, asOf.Code);
        Assert.StartsWith("Test district (" + tree.DistrictId + ") as of 2025-01-31 00:00:00Z: ", asOf.Output, StringComparison.Ordinal);
        Assert.Contains("strength 15/", asOf.Output, StringComparison.Ordinal);
        Assert.Contains("known at", asKnown.Output, StringComparison.Ordinal);
        Assert.Contains("strength 10/", asKnown.Output, StringComparison.Ordinal);
        Assert.Contains("posts not manned: 0", asKnown.Output, StringComparison.Ordinal);
        Assert.Equal(10, JsonSerializer.Deserialize<ProvinceReadinessView>(province.Output, SiloFixture.Json)!.Districts.Single().ActualStrength);
        Assert.Equal(1, before.Code);
        Assert.Contains("had been registered by", before.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("history")]
    [InlineData("history", "--unit", "a", "--post", "b")]
    [InlineData("history", "--district", "ba-be")]
    [InlineData("verify", "--stream", "a", "--area", "b")]
    [InlineData("view", "--as-of", "tomorrow")]
    public async Task Bad_options_print_the_usage_and_exit_2(params string[] args)
    {
        Func<string[], TextWriter, TextWriter, Task<int>> command = args[0] switch
        {
            "history" => HistoryCommand.RunAsync,
            "verify" => VerifyCommand.RunAsync,
            _ => ViewCommand.RunAsync,
        };

        var run = await Run(command, args);

        Assert.Equal(2, run.Code);
        Assert.Empty(run.Output);
        Assert.Contains($"readiness {args[0]} ", run.Error, StringComparison.Ordinal);
    }

    private Task<CliRun> Run(Func<string[], TextWriter, TextWriter, Task<int>> command, params string[] args)
    {
        // The same credentials as the fixture's own client, when the silo asks for any.
        var token = silo.Http.DefaultRequestHeaders.Authorization?.Parameter;
        return CliRun.RunAsync(command, token is null ? args[1..] : [.. args[1..], "--token", token]);
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}
