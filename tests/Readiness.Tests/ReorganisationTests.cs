extern alias cli;

using System.Net;
using System.Net.Http.Json;
using cli::Readiness.Cli;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Grains.Demo;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// A silo of its own with Bắc Kạn's 2024, whose 2024 report is read, and then the 2025 reform
/// recorded after it, as the demo does: the tests below read the store either side of the reform.
/// </summary>
public sealed class ReformSilo : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public SiloHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Bắc Kạn's 2024 report as it stood before the reform was recorded.</summary>
    public YearReport ReportBefore { get; private set; } = null!;

    /// <summary>A moment after Bắc Kạn's 2024 was recorded and before the reform was.</summary>
    public DateTimeOffset BeforeReformRecorded { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Database = await (await PostgresCluster.EnsureStartedAsync()).CreateDatabaseAsync("reform");
        Host = new SiloHost(Database, loadDemo: true);
        Http = await Host.StartAndWaitUntilReadyAsync();
        Assert.NotNull(await Database.RosterCatchesUpAsync(TimeSpan.FromSeconds(60)));
        ReportBefore = (await Http.GetFromJsonAsync<YearReport>("/api/provinces/bac-kan/reports/2024?format=json", SiloFixture.Json))!;
        BeforeReformRecorded = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(50));
        var reform = await Host.Grains.GetGrain<IDemoProvinceGrain>(Reform2025.ProvinceId).EnsureLoaded();
        Assert.True(reform.LoadedNow);
        Assert.NotNull(await Database.RosterCatchesUpAsync(TimeSpan.FromSeconds(60)));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>The 2025 reform as events: the tree either side of it, the views by the new structure, the history kept, and who reads what.</summary>
public class ReorganisationTests(ReformSilo silo) : IClassFixture<ReformSilo>
{
    private static readonly DateTimeOffset EndOf2024 = new(2024, 12, 31, 23, 0, 0, TimeSpan.FromHours(7));
    private static readonly DateTimeOffset DayBefore = Reform2025.EffectiveFrom.AddDays(-1);
    private static readonly DateTimeOffset DayAfter = Reform2025.EffectiveFrom.AddDays(1);
    // Between the reform and January 2026, when the commune commands stood under the regional commands.
    private static readonly DateTimeOffset Autumn2025 = new(2025, 10, 1, 12, 0, 0, TimeSpan.FromHours(7));

    private static string Q(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task The_2024_report_is_identical_before_and_after_the_reform_is_recorded()
    {
        var after = (await silo.Http.GetFromJsonAsync<YearReport>("/api/provinces/bac-kan/reports/2024?format=json", SiloFixture.Json))!;

        // Every figure, column, finding and cited event the same; only what was read grows, by the late
        // 2025 reports of Bắc Kạn's districts that the reform's demo records after it.
        Assert.Equal(Figures(silo.ReportBefore), Figures(after));
        Assert.Equal(silo.ReportBefore.Basis.EventsCited, after.Basis.EventsCited);
        Assert.True(after.Basis.EventsRead > silo.ReportBefore.Basis.EventsRead);
        Assert.Equal(DemoYear.OutreachAttendances, silo.ReportBefore.Total.Figures["outreach.attendances"].Value);
    }

    [Fact]
    public async Task The_store_with_the_reform_verifies_whole_its_orders_chained_like_every_stream()
    {
        var report = (await silo.Http.GetFromJsonAsync<VerifyReport>("/api/audit/verify", SiloFixture.Json))!;

        Assert.True(report.Intact, string.Join("; ", report.Breaks.Select(b => b.ToString())));
        Assert.Empty(report.Breaks);
        Assert.True(report.EventsChecked > 5_000);
    }

    [Fact]
    public async Task The_simulator_asked_for_the_merged_province_reports_for_its_successor_s_units_and_none_is_refused()
    {
        var token = silo.Host.Token([Reform2025.ProvinceId], [Access.Reporter, Access.Viewer]);

        var run = await CliRun.RunAsync(SimulateCommand.RunAsync,
            "--province", "bac-kan", "--rate", "20", "--minutes", "0.02", "--url", silo.Host.BaseAddress.ToString(), "--token", token);

        Assert.Equal(0, run.Code);
        Assert.StartsWith("bac-kan was merged into thai-nguyen on 2025-07-01", run.Output, StringComparison.Ordinal);
        Assert.Contains($"Simulating reports for {Reform2025.Communes.Count + 2} communes and 6 duty posts", run.Output, StringComparison.Ordinal);
        Assert.Matches("Sent [1-9][0-9]* reports, 0 refused\\.", run.Output);
    }

    [Fact]
    public async Task An_area_s_history_holds_what_it_covered_when_it_happened_its_predecessors_included()
    {
        var quotas = (await silo.Http.GetFromJsonAsync<HistoryPage>("/api/provinces/thai-nguyen/history?kind=ConscriptionQuotaAssigned&limit=1000", SiloFixture.Json))!;
        var baBe = silo.Host.ClientWith(silo.Host.Token(["bac-kan/ba-be"], [Access.Auditor]));
        var platoon = new List<HistoryEntry>();
        for (var page = "/api/provinces/bac-kan/history?district=ba-be&kind=TrainingCompleted&limit=50"; page is not null;)
        {
            var read = (await baBe.GetFromJsonAsync<HistoryPage>(page, SiloFixture.Json))!;
            platoon.AddRange(read.Events.Where(e => e.Stream == "bac-kan/ba-be/cho-ra/dan-quan"));
            page = read.Next;
        }
        var now = (await silo.Http.GetFromJsonAsync<HistoryPage>("/api/history?unit=bac-kan/ba-be/cho-ra/dan-quan&kind=TrainingCompleted", SiloFixture.Json))!;

        // Bắc Kạn's districts' 2025 quotas and 2024's, all carried on by Thái Nguyên.
        Assert.Equal(16, quotas.Events.Count(e => e.Stream.StartsWith("bac-kan/", StringComparison.Ordinal)));
        // The platoon's trainings under Ba Bể are Ba Bể's history; those since it moved to the new commune are not.
        Assert.NotEmpty(platoon);
        Assert.All(platoon, e => Assert.True(e.OccurredAt < Reform2025.EffectiveFrom, $"{e.OccurredAt:O} is after the platoon left Ba Bể"));
        Assert.Contains(now.Events, e => e.OccurredAt >= Reform2025.EffectiveFrom);
    }

    [Fact]
    public async Task An_area_s_export_verify_and_chain_heads_hold_the_streams_of_every_unit_it_ever_covered_and_no_other()
    {
        const string Commune = "thai-nguyen/xa-cho-ra";
        var export = await silo.Http.GetStringAsync($"/api/export?area={Commune}");
        var exported = export.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("subject").GetString()!)
            .ToHashSet(StringComparer.Ordinal);
        var verified = (await silo.Http.GetFromJsonAsync<VerifyReport>($"/api/audit/verify?area={Commune}", SiloFixture.Json))!;
        var heads = (await silo.Http.GetFromJsonAsync<List<ChainHead>>("/api/provinces/thai-nguyen/chain-heads", SiloFixture.Json))!;

        // The new commune, the three communes merged into it, and their platoons, which stand under it now;
        // nothing of Ba Bể's other communes, which merged elsewhere.
        string[] merged = ["bac-kan/ba-be/cho-ra", "bac-kan/ba-be/dia-linh", "bac-kan/ba-be/thuong-giao"];
        Assert.Superset(new HashSet<string>([Commune, .. merged, .. merged.Select(m => $"{m}/dan-quan")]), exported);
        Assert.DoesNotContain(exported, s => StreamKeys.OwnerOf(s) is var owner && owner != Commune && !merged.Any(m => owner == m || owner == $"{m}/dan-quan"));
        Assert.True(verified.Intact);
        Assert.Equal(exported.Count, verified.StreamsChecked);
        // The province's chain heads carry those of Bắc Kạn's streams, whose history it carries on.
        Assert.Contains(heads, h => h.Stream == "bac-kan/ba-be/cho-ra");
        Assert.Contains(heads, h => h.Stream == Commune);
    }

    private static string Figures(YearReport report) =>
        System.Text.Json.JsonSerializer.Serialize(report with { Basis = new ReportBasis(0, 0, 0, null, default) }, SiloFixture.Json);

    [Fact]
    public async Task Thai_Nguyen_s_2025_report_counts_the_months_before_the_reform_through_the_successors_and_names_the_former_units()
    {
        var report = (await silo.Http.GetFromJsonAsync<YearReport>("/api/provinces/thai-nguyen/reports/2025?format=json", SiloFixture.Json))!;

        Assert.Equal([.. Reform2025.RegionalCommands.Select(c => Reform2025.RegionalCommandId(c.Number))], report.Districts.Select(d => d.UnitId).Order(StringComparer.Ordinal));
        // Bắc Kạn's districts assigned their 2025 quotas in January, before the reform; each counts in its successor's column.
        Assert.Equal(Reform2025.Quotas2025.Sum(), report.Total.Figures["conscription.quota"].Value);
        var choRa = report.Districts.Single(d => d.UnitId == Reform2025.RegionalCommandId(2));
        Assert.Equal(Reform2025.Quotas2025[1] + Reform2025.Quotas2025[7], choRa.Figures["conscription.quota"].Value);
        Assert.Equal(Reform2025.Communes.Count + 2, report.Total.Figures["communes.registered"].Value);
        Assert.Equal(1 + 8 + 108, report.FormerUnits!.Count);
        Assert.Contains(report.FormerUnits, f => f.UnitId == "bac-kan/ba-be" && f.SuccessorId == Reform2025.RegionalCommandId(2) && f.Order == Reform2025.Order);

        // Each figure is still traceable to its events: the quota's are the former districts' own.
        var evidence = (await silo.Http.GetFromJsonAsync<List<ReportEvidence>>(
            $"/api/provinces/thai-nguyen/reports/2025/events?figure=conscription.quota&unit={Reform2025.RegionalCommandId(2)}", SiloFixture.Json))!;
        Assert.Equal(["bac-kan/ba-be", "bac-kan/pac-nam"], evidence.Select(e => e.StreamKey).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_tree_as_of_2024_is_Bac_Kan_s_and_today_Thai_Nguyen_s_with_the_former_units_named()
    {
        var before = (await silo.Http.GetFromJsonAsync<ChainOfCommandView>($"/api/provinces/bac-kan/tree?asOf={Q(EndOf2024)}", SiloFixture.Json))!;
        var autumn = (await silo.Http.GetFromJsonAsync<ChainOfCommandView>($"/api/provinces/thai-nguyen/tree?asOf={Q(Autumn2025)}", SiloFixture.Json))!;
        var now = (await silo.Http.GetFromJsonAsync<ChainOfCommandView>("/api/provinces/thai-nguyen/tree", SiloFixture.Json))!;
        using var gone = await silo.Http.GetAsync("/api/provinces/bac-kan/tree");

        Assert.Equal(8, before.Units.Count(u => u.Echelon == Echelon.District));
        Assert.Equal(108, before.Units.Count(u => u.Echelon == Echelon.Commune));
        Assert.Equal(5, now.Units.Count(u => u.Echelon == Echelon.RegionalDefence));
        Assert.Equal(Reform2025.Communes.Count + 2, now.Units.Count(u => u.Echelon == Echelon.Commune));
        Assert.Equal(0, now.Units.Count(u => u.Echelon == Echelon.District));
        Assert.Equal(["bac-kan"], now.Predecessors.Select(p => p.UnitId));
        var choRa = Assert.Single(now.Units, u => u.UnitId == "thai-nguyen/xa-cho-ra");
        Assert.Equal(["bac-kan/ba-be/cho-ra", "bac-kan/ba-be/dia-linh", "bac-kan/ba-be/thuong-giao"], choRa.MergedFrom.Order(StringComparer.Ordinal));
        var platoon = Assert.Single(now.Units, u => u.UnitId == "bac-kan/ba-be/cho-ra/dan-quan");
        Assert.Equal(("thai-nguyen/xa-cho-ra", Reform2025.EffectiveFrom, Reform2025.Order), (platoon.ParentId, platoon.HeldFrom, platoon.Order));
        // The commune stood under its regional command from the reform, and under the province from January 2026.
        Assert.Equal(Reform2025.RegionalCommandId(2), Assert.Single(autumn.Units, u => u.UnitId == "thai-nguyen/xa-cho-ra").ParentId);
        Assert.Equal(("thai-nguyen", Reform2025.CommunesUnderProvinceFrom, Reform2025.CommunesUnderProvinceOrder), (choRa.ParentId, choRa.HeldFrom, choRa.Order));
        Assert.All(now.Units.Where(u => u.Echelon == Echelon.Commune), commune => Assert.Equal("thai-nguyen", commune.ParentId));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Contains("thai-nguyen", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Views_either_side_of_the_reform_drill_down_by_the_structure_of_their_moment()
    {
        var before = (await silo.Http.GetFromJsonAsync<ProvinceReadinessView>($"/api/provinces/bac-kan/readiness?asOf={Q(DayBefore)}", SiloFixture.Json))!;
        var thaiNguyenBefore = (await silo.Http.GetFromJsonAsync<ProvinceReadinessView>($"/api/provinces/thai-nguyen/readiness?asOf={Q(DayBefore)}", SiloFixture.Json))!;
        var autumn = (await silo.Http.GetFromJsonAsync<ProvinceReadinessView>($"/api/provinces/thai-nguyen/readiness?asOf={Q(Autumn2025)}", SiloFixture.Json))!;
        var now = (await silo.Http.GetFromJsonAsync<ProvinceReadinessView>("/api/provinces/thai-nguyen/readiness", SiloFixture.Json))!;
        var choRaCommandThen = (await silo.Http.GetFromJsonAsync<DistrictReadinessView>($"/api/provinces/thai-nguyen/districts/kv-2?asOf={Q(Autumn2025)}", SiloFixture.Json))!;
        var choRaCommandNow = (await silo.Http.GetFromJsonAsync<DistrictReadinessView>("/api/provinces/thai-nguyen/districts/kv-2", SiloFixture.Json))!;
        var baBeThen = (await silo.Http.GetFromJsonAsync<DistrictReadinessView>($"/api/provinces/bac-kan/districts/ba-be?asOf={Q(DayBefore)}", SiloFixture.Json))!;
        var regionalCommands = Reform2025.RegionalCommands.Select(c => Reform2025.RegionalCommandId(c.Number)).ToList();

        Assert.Equal(8, before.Districts.Count);
        Assert.Empty(thaiNguyenBefore.Districts);
        Assert.Equal(regionalCommands, autumn.Districts.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.Contains(choRaCommandThen.Communes, c => c.Id == "thai-nguyen/xa-cho-ra" && c.Name == "Ban CHQS xã Chợ Rã");
        Assert.Equal(15, baBeThen.Communes.Count);
        // Since January 2026 each commune's command answers to the province's: a line of its own, none under a regional command.
        Assert.Equal(regionalCommands.Count + Reform2025.Communes.Count + 2, now.Districts.Count);
        Assert.Contains(now.Districts, d => d.Id == "thai-nguyen/xa-cho-ra");
        Assert.Empty(choRaCommandNow.Communes);
        // Every unit of Bắc Kạn the day before stands under Thái Nguyên the day after, or was merged into one that does.
        Assert.Equal(before.Units.Total - 1 - 8 - 108, now.Units.Total - 1 - 5 - (Reform2025.Communes.Count + 2));
    }

    [Fact]
    public async Task A_view_of_what_was_known_before_the_reform_was_recorded_places_units_as_the_record_then_did()
    {
        var knownBefore = $"/api/provinces/bac-kan/readiness?asOf={Q(DayAfter)}&knownAt={Q(silo.BeforeReformRecorded)}";
        var then = (await silo.Http.GetFromJsonAsync<ProvinceReadinessView>(knownBefore, SiloFixture.Json))!;
        var baBe = (await silo.Http.GetFromJsonAsync<DistrictReadinessView>(
            $"/api/provinces/bac-kan/districts/ba-be?asOf={Q(DayAfter)}&knownAt={Q(silo.BeforeReformRecorded)}", SiloFixture.Json))!;
        using var thaiNguyen = await silo.Http.GetAsync($"/api/provinces/thai-nguyen/readiness?knownAt={Q(silo.BeforeReformRecorded)}");
        using var now = await silo.Http.GetAsync($"/api/provinces/bac-kan/readiness?asOf={Q(DayAfter)}");

        // Before the order was in the record, Bắc Kạn stood on 2 July 2025 as it had: 8 districts, Ba Bể's 15 communes.
        Assert.Equal(8, then.Districts.Count);
        Assert.Equal(15, baBe.Communes.Count);
        Assert.Equal(HttpStatusCode.NotFound, thaiNguyen.StatusCode);
        // Knowing the order, it was dissolved the day before.
        Assert.Equal(HttpStatusCode.NotFound, now.StatusCode);
        Assert.Contains("thai-nguyen", await now.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dissolved_province_answers_as_it_last_stood_and_names_its_successor()
    {
        var view = (await silo.Http.GetFromJsonAsync<ProvinceReadinessView>("/api/provinces/bac-kan/readiness", SiloFixture.Json))!;

        Assert.Equal(Reform2025.EffectiveFrom, view.DissolvedAt);
        Assert.Equal("thai-nguyen", view.SuccessorId);
        Assert.Equal(8, view.Districts.Count);
        Assert.True(view.RatedAt < Reform2025.EffectiveFrom);
    }

    [Fact]
    public async Task A_dissolved_unit_refuses_reports_dated_after_its_dissolution_and_takes_late_ones_dated_before()
    {
        var reporter = silo.Host.ClientWith(silo.Host.Token(["bac-kan/ba-be/cho-ra"], [Access.Reporter]));
        var late = new RecordTraining(SiloFixture.NewId(), "bac-kan/ba-be/cho-ra", "Huấn luyện bắn súng", 11, Grade.Good, DayBefore);
        var after = late with { CommandId = SiloFixture.NewId(), OccurredAt = DayAfter };

        using var accepted = await reporter.PostAsJsonAsync("/api/commands/record-training", late, SiloFixture.Json);
        using var refused = await reporter.PostAsJsonAsync("/api/commands/record-training", after, SiloFixture.Json);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("successor 'thai-nguyen/xa-cho-ra'", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Who reads what across the reform: (token scope, roles, path, expected status). A scope covers
    /// the units under its unit at the moment the data is about; a successor covers its predecessors'
    /// history; a dissolved command reads its own history up to its dissolution and nothing after.
    /// </summary>
    public static TheoryData<string, string, string, int> Reads => new()
    {
        // The successor reads its predecessors' history, and a predecessor's unit as it stood.
        { "thai-nguyen", Access.Auditor, $"/api/provinces/bac-kan/readiness?asOf={Q(DayBefore)}", 200 },
        { "thai-nguyen", Access.Viewer, "/api/units/bac-kan/ba-be/cho-ra", 200 },
        { "thai-nguyen", Access.Viewer, $"/api/provinces/bac-kan/tree?asOf={Q(DayBefore)}", 200 },
        // Before the reform Thái Nguyên held none of Bắc Kạn: as of then, its tree does not reach there.
        { "thai-nguyen/kv-5", Access.Viewer, $"/api/provinces/bac-kan/tree?asOf={Q(DayBefore)}", 403 },
        // The dissolved province reads its own history, up to its end, and not its successor's present.
        { "bac-kan", Access.Auditor, $"/api/provinces/bac-kan/readiness?asOf={Q(DayBefore)}", 200 },
        { "bac-kan", Access.Viewer, "/api/provinces/bac-kan/readiness", 200 },
        { "bac-kan", Access.Viewer, "/api/provinces/thai-nguyen/readiness", 403 },
        { "bac-kan", Access.Viewer, "/api/units/thai-nguyen/xa-cho-ra", 403 },
        { "bac-kan", Access.Viewer, "/api/provinces/thai-nguyen/tree", 403 },
        // A platoon moved away is its old district's as of before the move, its new commune's after.
        { "bac-kan/ba-be", Access.Auditor, $"/api/units/bac-kan/ba-be/cho-ra/dan-quan?asOf={Q(DayBefore)}", 200 },
        { "bac-kan/ba-be", Access.Viewer, "/api/units/bac-kan/ba-be/cho-ra/dan-quan", 403 },
        { "thai-nguyen/xa-cho-ra", Access.Viewer, "/api/units/bac-kan/ba-be/cho-ra/dan-quan", 200 },
        // The new commune carries on the communes merged into it, and so their platoons' history.
        { "thai-nguyen/xa-cho-ra", Access.Auditor, $"/api/units/bac-kan/ba-be/cho-ra/dan-quan?asOf={Q(DayBefore)}", 200 },
        { "thai-nguyen/xa-cho-ra", Access.Auditor, $"/api/units/bac-kan/ba-be/phuc-loc/dan-quan?asOf={Q(DayBefore)}", 403 },
        // The regional command carries on the district dissolved into it, not its neighbours.
        { "thai-nguyen/kv-2", Access.Auditor, $"/api/provinces/bac-kan/districts/ba-be?asOf={Q(DayBefore)}", 200 },
        { "thai-nguyen/kv-2", Access.Auditor, $"/api/provinces/bac-kan/districts/na-ri?asOf={Q(DayBefore)}", 403 },
        { "thai-nguyen/kv-2", Access.Viewer, "/api/provinces/thai-nguyen/districts/kv-2", 200 },
        { "thai-nguyen/kv-2", Access.Viewer, "/api/provinces/thai-nguyen/districts/kv-1", 403 },
        { "thai-nguyen/kv-2", Access.Viewer, "/api/provinces/thai-nguyen/readiness", 403 },
        { "thai-nguyen/kv-2", Access.Auditor, $"/api/units/thai-nguyen/xa-cho-ra?asOf={Q(Autumn2025)}", 200 },
        { "thai-nguyen/kv-2", Access.Auditor, $"/api/units/thai-nguyen/xa-na-ri?asOf={Q(Autumn2025)}", 403 },
        // From January 2026 the communes answer to the province: the regional command reads them as they were, not as they are.
        { "thai-nguyen/kv-2", Access.Viewer, "/api/units/thai-nguyen/xa-cho-ra", 403 },
        { "thai-nguyen/kv-2", Access.Auditor, $"/api/provinces/thai-nguyen/districts/kv-2?asOf={Q(Autumn2025)}", 200 },
        { "thai-nguyen/xa-cho-ra", Access.Viewer, "/api/provinces/thai-nguyen/districts/xa-cho-ra", 200 },
        { "thai-nguyen/xa-cho-ra", Access.Viewer, "/api/provinces/thai-nguyen/districts/kv-2", 403 },
    };

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Reads_across_the_reform_are_scoped_by_the_tree_of_their_moment(string scope, string role, string path, int expected)
    {
        using var client = silo.Host.ClientWith(silo.Host.Token([scope], [role]));

        using var response = await client.GetAsync(path);

        Assert.True(expected == (int)response.StatusCode, $"{scope} ({role}) GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Reorganising needs the admin role over every unit it names, on its date and just before; refusals append nothing.</summary>
    public static TheoryData<string, string, string, int> Orders => new()
    {
        // A reporter may not reorganise even its own commune.
        { "thai-nguyen/xa-cho-ra", Access.Reporter, """{"unitId":"bac-kan/ba-be/cho-ra/dan-quan","parentId":"thai-nguyen/xa-cho-ra"}""", 403 },
        // A district that was dissolved moves nothing of its old units now.
        { "bac-kan/ba-be", Access.Admin, """{"unitId":"bac-kan/ba-be/cho-ra/dan-quan","parentId":"thai-nguyen/xa-ba-be"}""", 403 },
        // A regional command may not reach into another's commune.
        { "thai-nguyen/kv-2", Access.Admin, """{"unitId":"bac-kan/ba-be/cho-ra/dan-quan","parentId":"thai-nguyen/xa-na-ri"}""", 403 },
        // Under a dissolved unit: refused by the rules, naming its successor.
        { "*", Access.Admin, """{"unitId":"bac-kan/ba-be/cho-ra/dan-quan","parentId":"bac-kan/ba-be/cho-ra"}""", 409 },
        // A cycle: a commune under its own platoon.
        { "*", Access.Admin, """{"unitId":"thai-nguyen/xa-cho-ra","parentId":"bac-kan/ba-be/cho-ra/dan-quan"}""", 400 },
    };

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Reorganisation_orders_are_scoped_and_checked_and_a_refusal_appends_nothing(string scope, string role, string move, int expected)
    {
        using var client = silo.Host.ClientWith(silo.Host.Token([scope], [role]));
        var body = System.Text.Json.Nodes.JsonNode.Parse(move)!.AsObject();
        body["commandId"] = SiloFixture.NewId();
        body["order"] = "Thử nghiệm";
        body["effectiveFrom"] = DateTimeOffset.UtcNow.AddDays(-1);
        var chainBefore = await ChainVersionAsync();

        using var response = await client.PostAsJsonAsync("/api/commands/resubordinate-unit", body, SiloFixture.Json);

        Assert.True(expected == (int)response.StatusCode, $"{scope} ({role}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(chainBefore, await ChainVersionAsync());
    }

    private async Task<long> ChainVersionAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(silo.Database.AppConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM readiness.mt_events WHERE stream_id = 'chain:main'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
