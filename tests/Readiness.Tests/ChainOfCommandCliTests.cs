extern alias cli;

using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using cli::Readiness.Cli;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// <c>readiness tree</c>, and a reorganisation sent with <c>readiness send</c>, run in this process against
/// the test silo with an administrator's token over one province: what the operator types and reads back.
/// </summary>
public class ChainOfCommandCliTests(SiloFixture silo)
{
    private const string Order = "2786/QĐ-BQP";

    private string Url => silo.Host.BaseAddress.ToString();

    [Fact]
    public async Task A_commune_resubordinated_with_send_is_printed_by_tree_under_its_new_command_and_as_of_before_under_its_district()
    {
        var tree = await silo.NewProvinceAsync();
        var regional = $"{tree.ProvinceId}/kv-1";
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), regional, "Ban CHQS khu vực 1", Echelon.RegionalDefence, tree.ProvinceId, 10,
            DateTimeOffset.UtcNow.AddDays(-30)));
        var token = silo.Host.Token([tree.ProvinceId], [Access.Admin]);
        var effective = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-1), TimeSpan.Zero);
        var order = JsonSerializer.Serialize(new { unitId = tree.CommuneId, parentId = regional, order = Order, effectiveFrom = effective });

        var sent = await CliRun.RunAsync(SendCommand.RunAsync, "resubordinate-unit", order, "--url", Url, "--token", token);
        var again = await CliRun.RunAsync(SendCommand.RunAsync, "resubordinate-unit", order, "--url", Url, "--token", token);
        var now = await CliRun.RunAsync(TreeCommand.RunAsync, tree.ProvinceId, "--url", Url, "--token", token);
        var before = await CliRun.RunAsync(TreeCommand.RunAsync, tree.ProvinceId, "--as-of", DateTimeOffset.UtcNow.AddDays(-2).ToString("O", CultureInfo.InvariantCulture),
            "--url", Url, "--token", token);
        var json = await CliRun.RunAsync(TreeCommand.RunAsync, tree.ProvinceId, "--json", "--url", Url, "--token", token);
        var unborn = await CliRun.RunAsync(TreeCommand.RunAsync, tree.ProvinceId, "--as-of", "2000-01-01", "--url", Url, "--token", token);

        Assert.Equal(0, sent.Code);
        Assert.StartsWith("applied          resubordinate-unit ", sent.Output, StringComparison.Ordinal);
        // A second order to the same effect is refused, and the operator reads why.
        Assert.Equal(1, again.Code);
        Assert.Contains($"'{tree.CommuneId}' already stands under '{regional}'", again.Error, StringComparison.Ordinal);

        Assert.Equal(0, now.Code);
        var lines = Lines(now.Output);
        Assert.Equal($"Chain of command of {tree.ProvinceId} now:", lines[0]);
        Assert.Equal($"  Ban CHQS khu vực 1 ({regional}) RegionalDefence", Head(lines, regional));
        Assert.Equal($"    Test commune ({tree.CommuneId}) Commune, since {effective:yyyy-MM-dd} 00:00:00Z by order {Order}", Line(lines, tree.CommuneId));
        Assert.Equal(regional, ParentOf(lines, tree.CommuneId));

        Assert.Equal(0, before.Code);
        var then = Lines(before.Output);
        Assert.StartsWith($"Chain of command of {tree.ProvinceId} as of ", then[0], StringComparison.Ordinal);
        Assert.Equal(tree.DistrictId, ParentOf(then, tree.CommuneId));
        Assert.Equal(tree.ProvinceId, ParentOf(then, regional));
        Assert.EndsWith($"until {effective:yyyy-MM-dd} 00:00:00Z", Line(then, tree.CommuneId), StringComparison.Ordinal);

        Assert.Equal(0, json.Code);
        var view = JsonSerializer.Deserialize<ChainOfCommandView>(json.Output, SiloFixture.Json)!;
        Assert.Equal(regional, Assert.Single(view.Units, u => u.UnitId == tree.CommuneId).ParentId);

        Assert.Equal(1, unborn.Code);
        Assert.Empty(unborn.Output);
        Assert.Contains($"'{tree.ProvinceId}' was established at", unborn.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reorganise_renames_merges_and_dissolves_as_typed_and_a_refused_order_exits_1_with_its_reason()
    {
        var tree = await silo.NewProvinceAsync();
        var second = $"{tree.DistrictId}/xa-hai";
        var merged = $"{tree.ProvinceId}/xa-moi";
        var at = DateTimeOffset.UtcNow.AddDays(-30);
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), second, "Xã hai", Echelon.Commune, null, 10, at));
        await silo.AcceptAsync(new RegisterUnit(SiloFixture.NewId(), merged, "Xã mới", Echelon.Commune, tree.DistrictId, 10, at));
        var token = silo.Host.Token([tree.ProvinceId], [Access.Admin]);
        var from = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(-1), TimeSpan.Zero).ToString("O", CultureInfo.InvariantCulture);
        string[] common = ["--order", Order, "--from", from, "--url", Url, "--token", token];

        var renamed = await CliRun.RunAsync(ReorganiseCommand.RunAsync, ["rename", merged, "--name", "Ban CHQS xã Mới", .. common]);
        var merge = await CliRun.RunAsync(ReorganiseCommand.RunAsync, ["merge", tree.CommuneId, second, "--into", merged, .. common]);
        var cycle = await CliRun.RunAsync(ReorganiseCommand.RunAsync, ["resubordinate", tree.DistrictId, "--parent", merged, .. common]);
        var dissolved = await CliRun.RunAsync(ReorganiseCommand.RunAsync, ["dissolve", tree.CommuneId, "--successor", merged, .. common]);
        var unordered = await CliRun.RunAsync(ReorganiseCommand.RunAsync, "dissolve", merged, "--url", Url, "--token", token);
        var view = (await silo.Http.GetFromJsonAsync<ChainOfCommandView>($"/api/provinces/{tree.ProvinceId}/tree", SiloFixture.Json))!;

        Assert.Equal((0, 0), (renamed.Code, merge.Code));
        Assert.StartsWith("applied          rename-unit ", renamed.Output, StringComparison.Ordinal);
        Assert.StartsWith("applied          merge-units ", merge.Output, StringComparison.Ordinal);
        var successor = Assert.Single(view.Units, u => u.UnitId == merged);
        Assert.Equal("Ban CHQS xã Mới", successor.Name);
        Assert.Equal([tree.CommuneId, second], successor.MergedFrom.Order(StringComparer.Ordinal));
        // A district under a commune is refused by the silo, a commune dissolved twice too, and an order without its decision by the command line.
        Assert.Equal(1, cycle.Code);
        Assert.NotEmpty(cycle.Error);
        Assert.Equal(1, dissolved.Code);
        Assert.Contains("dissolved", dissolved.Error, StringComparison.Ordinal);
        Assert.NotEqual(0, unordered.Code);
        Assert.Contains("--order", unordered.Error, StringComparison.Ordinal);
    }

    private static string[] Lines(string output) => output.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    private static string Line(string[] lines, string unitId) => Assert.Single(lines, l => l.Contains($" ({unitId}) ", StringComparison.Ordinal));

    private static string Head(string[] lines, string unitId) => Line(lines, unitId).Split(", since ")[0];

    private static int Indent(string line) => line.Length - line.TrimStart(' ').Length;

    /// <summary>The unit a line stands under: the nearest line above it indented less, as a reader of the tree finds it.</summary>
    private static string ParentOf(string[] lines, string unitId)
    {
        var at = Array.IndexOf(lines, Line(lines, unitId));
        var parent = lines[..at].Last(l => Indent(l) < Indent(lines[at]));
        return parent[(parent.IndexOf(" (", StringComparison.Ordinal) + 2)..parent.IndexOf(") ", StringComparison.Ordinal)];
    }
}
