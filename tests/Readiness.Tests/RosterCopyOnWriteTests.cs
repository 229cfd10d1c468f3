using System.Text.Json;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store.Projections;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The daemon keeps the roster parts in memory between batches and folds each batch into a draft, so
/// a part a reader holds (the committed one RosterCache hands out) never changes under the reader.
/// </summary>
public class RosterCopyOnWriteTests(SiloFixture silo)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Folding_a_batch_into_a_part_leaves_the_part_a_reader_holds_as_it_was()
    {
        var projection = new ProvinceRosterProjection(TimeProvider.System);
        var at = DateTimeOffset.UtcNow.AddDays(-30);
        const string commune = "cw00/d/c";
        const string post = "cw00/d/c/p";
        const string exercise = "cw00/d/c/x";
        var sequence = 0L;
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        IEvent Event<T>(string streamKey, T data) where T : notnull =>
            new Event<T>(data) { StreamKey = streamKey, Version = versions[streamKey] = versions.GetValueOrDefault(streamKey) + 1, Sequence = ++sequence, Timestamp = at };
        var partId = StreamKeys.RosterPartOf(commune);

        var (first, _) = projection.DetermineAction(null, partId, [
            Event(commune, new UnitRegistered(commune, "Xã thử", Echelon.Commune, "cw00/d", 20, at)),
            Event(commune, new RecruitsEnlisted(commune, 3, at.Year, at)),
            Event(commune, new TrainingCompleted(commune, "Bài 1", 10, Grade.Good, at)),
            Event(commune, new PartyCellEstablished(commune, 4, at)),
            Event(commune, new ConscriptionQuotaAssigned(commune, at.Year, 5, at)),
            Event(commune, new AwardConferred(commune, AwardKind.AdvancedUnit, RecipientKind.Collective, "Xã thử", "Quyết thắng", at.Year, at)),
            Event(commune, new CommanderCommentRecorded(commune, "Tốt", "Chỉ huy", at)),
            Event(StreamKeys.DutyPost(post), new DutyPostEstablished(post, "Trực", DutyKind.CombatReadiness, commune, 2, 24, at)),
            Event(StreamKeys.DutyPost(post), new DutyShiftStarted(post, "A", 2, at)),
            Event(StreamKeys.Exercise(exercise), new ExercisePlanned(exercise, "Diễn tập", ExerciseLevel.Commune, ExerciseKind.CombatReadiness, commune, [commune],
                at.AddDays(1), at.AddDays(2), at)),
        ]);
        var held = first!;
        var seen = JsonSerializer.Serialize(held, Json);

        var (second, _) = projection.DetermineAction(held, partId, [
            Event(commune, new RecruitsEnlisted(commune, 2, at.Year, at.AddDays(1))),
            Event(commune, new TrainingCompleted(commune, "Bài 2", 10, Grade.Excellent, at.AddDays(1))),
            Event(commune, new PartyCellDissolved(commune, "Sáp nhập", at.AddDays(1))),
            Event(commune, new ConscriptionQuotaAssigned(commune, at.Year, 7, at.AddDays(1))),
            Event(commune, new AwardConferred(commune, AwardKind.AdvancedUnit, RecipientKind.Collective, "Xã thử", "Quyết thắng", at.Year, at.AddDays(1))),
            Event(commune, new CommanderCommentRecorded(commune, "Khá", "Chỉ huy", at.AddDays(1))),
            Event(StreamKeys.DutyPost(post), new DutyIncidentReported(post, "i1", "Sạt lở", "Km 12", at.AddDays(1))),
            Event(StreamKeys.DutyPost(post), new DutyShiftEnded(post, "A", at.AddDays(1))),
            Event(StreamKeys.Exercise(exercise), new ExerciseStarted(exercise, at.AddDays(1))),
        ]);

        // The reader's part is as it was committed, every collection of it included.
        Assert.Equal(seen, JsonSerializer.Serialize(held, Json));
        Assert.Equal(3, held.Units[commune].Recruits);
        // The draft carries the batch.
        var unit = second!.Units[commune];
        Assert.Equal(5, unit.Recruits);
        Assert.Equal(2, unit.Training.Count);
        Assert.False(unit.PartyCellActive);
        Assert.Equal(7, unit.Years[at.Year].ConscriptionQuota);
        Assert.Equal(2, unit.Years[at.Year].Awards.Values.Single());
        Assert.Equal(2, unit.Comments.Count);
        Assert.Single(second.Posts.Values.Single().OpenIncidents);
        Assert.False(second.Posts.Values.Single().OnDuty);
        Assert.Equal(ExerciseStatus.Started, second.Exercises.Values.Single().Status);
        Assert.Equal(second.Sequence, sequence);
        // Whether a part is a draft is the daemon's business, not the document's.
        Assert.DoesNotContain("drafted", seen, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_part_the_live_roster_handed_out_is_unchanged_after_the_daemon_folds_the_next_batch_into_it()
    {
        var cache = silo.Host.Services.GetRequiredService<RosterCache>();
        var tree = await silo.NewProvinceAsync(communeAuthorised: 20);
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 3, 2024));
        // Reading the province makes this silo keep its roster, fed by each batch the daemon commits.
        await silo.EventuallyAsync<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness", v => v.Districts.Count == 1);

        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 2, 2024));
        var held = await CommittedAsync(cache, tree, recruits: 5);
        var heldUnit = held.Units[tree.CommuneId];
        var seen = JsonSerializer.Serialize(held, Json);

        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 4, 2024));
        await silo.TrainAsync(tree.CommuneId, 2);
        var next = await CommittedAsync(cache, tree, recruits: 9);

        Assert.Equal(seen, JsonSerializer.Serialize(held, Json));
        Assert.Equal(5, heldUnit.Recruits);
        Assert.Equal(2, next.Units[tree.CommuneId].Training.Count);
        var view = await silo.EventuallyAsync<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness",
            v => v.Districts.Single().Communes.Single().ActualStrength == 9);
        Assert.Equal(9, view.Districts.Single().Communes.Single().ActualStrength);
    }

    [Fact]
    public async Task A_part_rewritten_in_the_store_beside_the_daemon_is_folded_on_from_what_was_written_not_from_memory()
    {
        var cache = silo.Host.Services.GetRequiredService<RosterCache>();
        var store = silo.Host.Services.GetRequiredService<IDocumentStore>();
        var tree = await silo.NewProvinceAsync(communeAuthorised: 200);
        await silo.EventuallyAsync<ProvinceReadinessView>($"/api/provinces/{tree.ProvinceId}/readiness", v => v.Districts.Count == 1);
        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 3, 2024));
        await CommittedAsync(cache, tree, recruits: 3);

        // What a rebuild run on another silo does: it writes the part whole, folded on its own.
        var partId = StreamKeys.RosterPartOf(tree.CommuneId);
        await using (var session = store.LightweightSession())
        {
            var part = (await session.LoadAsync<ProvinceRoster>(partId, TestContext.Current.CancellationToken))!;
            part.Units[tree.CommuneId].Recruits = 100;
            part.UpdatedAt = DateTimeOffset.UtcNow;
            session.Store(part);
            await session.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        await silo.AcceptAsync(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 2, 2024));
        var next = await CommittedAsync(cache, tree, recruits: 102);
        Assert.Equal(102, next.Units[tree.CommuneId].Recruits);
    }

    /// <summary>The province as this silo's memory holds it once a batch with the commune's recruits has been committed.</summary>
    private static async Task<ProvinceRoster> CommittedAsync(RosterCache cache, TestProvince tree, int recruits)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            if (cache.Get(tree.ProvinceId)?.Whole() is { } whole && whole.Units.TryGetValue(tree.CommuneId, out var unit) && unit.Recruits == recruits)
            {
                return whole;
            }
            Assert.True(DateTimeOffset.UtcNow < deadline,
                $"The daemon did not commit a batch with {recruits} recruits within 30 s; it holds {cache.Get(tree.ProvinceId)?.Whole()?.Units.GetValueOrDefault(tree.CommuneId)?.Recruits}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
