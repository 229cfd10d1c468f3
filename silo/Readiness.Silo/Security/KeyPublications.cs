using Marten;
using Readiness.Store.Outbox;

namespace Readiness.Silo.Security;

/// <summary>
/// Keeps, in the main database, every key the silo has published for each purpose, and refuses to start a silo
/// whose signing key was never published while another key of that purpose was: a key signs only after checkers
/// could fetch it as the next key. The first key of a purpose is the one its checkers were given at enrolment.
/// </summary>
public sealed class KeyPublications(IDocumentStore store, IEnumerable<SigningKeyRing> rings, TimeProvider clock) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        foreach (var ring in rings.Where(r => r.Current is not null))
        {
            var purpose = ring.Purpose;
            var known = await session.Query<PublishedSigningKey>().Where(k => k.Purpose == purpose).ToListAsync(cancellationToken);
            var signing = ring.Current!.KeyId;
            if (known.Count > 0 && known.All(k => k.Id != signing))
            {
                throw new InvalidOperationException(
                    $"{SigningKeyFiles.Named(ring.Section)} is key {signing}, which this silo never published for {purpose}; the keys it has published are "
                    + $"{string.Join(", ", known.OrderBy(k => k.FirstPublishedAt).Select(k => k.Id))}. A key signs only after checkers could fetch it: "
                    + $"set it as {ring.Section}:NextSigningKeyFile first (published, not signing), restart, and promote it once the echelon above has it "
                    + "(docs/operations.md, Rotating a signing key).");
            }
            foreach (var key in ring.PublicKeys(now).Where(k => known.All(p => p.Id != k.Kid)))
            {
                session.Store(new PublishedSigningKey { Id = key.Kid, Purpose = purpose, FirstPublishedAt = now });
            }
        }
        await session.SaveChangesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
