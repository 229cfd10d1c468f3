using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>A silo without the demo, for tests that need a database of their own.</summary>
public sealed class QuietSiloFixture() : OwnSilo("quiet");

/// <summary>Every view is a projection of the events: rebuilt from zero, it equals the live one.</summary>
public class RebuildTests(QuietSiloFixture fixture) : IClassFixture<QuietSiloFixture>
{
    private static readonly string[] Documents = ["mt_doc_provinceroster"];

    private async Task Send(ICommand command)
    {
        var result = await fixture.Host.Grains.Execute(command);
        Assert.True(result.Accepted, result.Rejection?.Message);
    }

    /// <summary>Every document, without the moment it was written: that is when, not what.</summary>
    private async Task<Dictionary<string, string>> Snapshot()
    {
        var documents = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(fixture.Database.SuperuserConnectionString);
        await connection.OpenAsync();
        foreach (var table in Documents)
        {
            await using var command = new NpgsqlCommand($"SELECT id, data::text FROM readiness.{table}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                documents[$"{table}/{reader.GetString(0)}"] = WithoutUpdatedAt(JsonNode.Parse(reader.GetString(1))!).ToJsonString();
            }
        }
        return documents;
    }

    private static JsonNode WithoutUpdatedAt(JsonNode node)
    {
        if (node is JsonObject obj)
        {
            obj.Remove("updatedAt");
            foreach (var (_, child) in obj.ToList())
            {
                if (child is not null) WithoutUpdatedAt(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var child in array)
            {
                if (child is not null) WithoutUpdatedAt(child);
            }
        }
        return node;
    }

    [Fact]
    public async Task Rebuilding_every_projection_from_zero_gives_the_live_documents()
    {
        var p = $"r{Guid.NewGuid():N}"[..10];
        var at = DateTimeOffset.UtcNow.AddMonths(-6);
        string Id() => Guid.NewGuid().ToString();
        await Send(new RegisterUnit(Id(), p, "Tỉnh thử", Echelon.Province, null, 100, at));
        await Send(new RegisterUnit(Id(), $"{p}/d", "Huyện thử", Echelon.District, null, 20, at));
        await Send(new RegisterUnit(Id(), $"{p}/d/c", "Xã thử", Echelon.Commune, null, 12, at));
        await Send(new RecordMembersJoined(Id(), $"{p}/d/c", ForceType.MilitiaSelfDefence, 11, at.AddDays(1)));
        await Send(new RecordOutreachSession(Id(), $"{p}/d/c", "Luật", 80, at.AddDays(2)));
        await Send(new EstablishPartyCell(Id(), $"{p}/d/c", 4, at.AddDays(3)));
        await Send(new ConferAward(Id(), $"{p}/d/c", AwardKind.AdvancedUnit, RecipientKind.Collective, "Xã thử", "Quyết thắng", at.Year, at.AddDays(4)));
        await Send(new AssessReadiness(Id(), $"{p}/d", ReadinessLevel.R2, "Thiếu xe", "Chỉ huy trưởng", at.AddDays(5)));
        await Send(new PlanExercise(Id(), $"{p}/d/c/dt", "Diễn tập", ExerciseLevel.Commune, ExerciseKind.CombatReadiness, [], at.AddDays(10), at.AddDays(11), at.AddDays(6)));
        await Send(new StartExercise(Id(), $"{p}/d/c/dt", at.AddDays(10)));
        await Send(new CompleteExercise(Id(), $"{p}/d/c/dt", Grade.Good, 40, at.AddDays(11)));
        await Send(new EstablishDutyPost(Id(), $"{p}/d/sscd", "Trực SSCĐ", DutyKind.CombatReadiness, 4, 24, at.AddDays(1)));
        await Send(new StartDutyShift(Id(), $"{p}/d/sscd", "A", 4, at.AddDays(2)));
        await Send(new HandOverDutyShift(Id(), $"{p}/d/sscd", "A", "B", 3, at.AddDays(3)));
        await Send(new ReportDutyIncident(Id(), $"{p}/d/sscd", "i1", "Sạt lở", "Km 12", at.AddDays(4)));

        var store = fixture.Host.Services.GetRequiredService<IDocumentStore>();
        var newest = await fixture.Database.ScalarAsync("SELECT max(seq_id) FROM readiness.mt_events");
        await WaitFor(async () => await fixture.Database.ScalarAsync(
            "SELECT coalesce(last_seq_id, 0) FROM readiness.mt_event_progression WHERE name = 'province-roster:All'") >= newest);
        var live = await Snapshot();

        using (var daemon = await store.BuildProjectionDaemonAsync())
        {
            await daemon.RebuildProjectionAsync("province-roster", TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        }
        var rebuilt = await Snapshot();

        Assert.Equal(live.Keys.Order(), rebuilt.Keys.Order());
        Assert.All(live, pair => Assert.Equal(pair.Value, rebuilt[pair.Key]));
        Assert.Contains(live.Keys, k => k.StartsWith("mt_doc_provinceroster/", StringComparison.Ordinal));
    }

    private static async Task WaitFor(Func<Task<bool>> condition)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "The projection did not catch up within 30 s.");
            await Task.Delay(100);
        }
    }
}
