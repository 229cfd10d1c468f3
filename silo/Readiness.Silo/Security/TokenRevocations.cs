using Marten;

namespace Readiness.Silo.Security;

/// <summary>A token minted through the API, kept so that it can be revoked, and by whom it was.</summary>
public sealed class IssuedToken
{
    /// <summary>The token's <c>jti</c>.</summary>
    public string Id { get; set; } = string.Empty;

    public string Subject { get; set; } = string.Empty;
    public List<string> Scopes { get; set; } = [];
    public List<string> Roles { get; set; } = [];
    public string MintedBy { get; set; } = string.Empty;

    /// <summary>The id of the token that minted this one, so that revoking it revokes this one too; null when that token was not minted here.</summary>
    public string? MintedByTokenId { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
}

/// <summary>
/// The ids of revoked tokens that have not yet expired, checked on every request. A revocation
/// takes effect at once on the silo that recorded it and within <see cref="Poll"/> on the others,
/// which read the store in the background rather than on every request.
/// </summary>
public sealed partial class TokenRevocations(IDocumentStore store, TimeProvider clock, ILogger<TokenRevocations> logger) : BackgroundService
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    private volatile HashSet<string> revoked = new(StringComparer.Ordinal);

    /// <summary>The silo's own document beside the event store's: the migrator and the silo both need it.</summary>
    public static void Register(StoreOptions options) => options.Schema.For<IssuedToken>();

    public bool IsRevoked(string tokenId) => revoked.Contains(tokenId);

    /// <summary>
    /// Records a revocation in the store and applies it here at once, to the token and to every token
    /// minted with it, however many hands down: an administrator removed takes what it handed out along.
    /// </summary>
    /// <returns>The ids of the minted tokens revoked with it.</returns>
    public async Task<IReadOnlyList<string>> RevokeAsync(IssuedToken token, string revokedBy, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        var all = new List<IssuedToken> { token };
        var minters = new List<string> { token.Id };
        while (minters.Count > 0)
        {
            var minted = await session.Query<IssuedToken>().Where(t => t.MintedByTokenId != null && minters.Contains(t.MintedByTokenId)).ToListAsync(cancellationToken);
            minted = [.. minted.Where(t => all.TrueForAll(seen => seen.Id != t.Id))];
            all.AddRange(minted);
            minters = [.. minted.Select(t => t.Id)];
        }
        foreach (var each in all)
        {
            each.RevokedAt ??= now;
            each.RevokedBy ??= each == token ? revokedBy : $"{revokedBy} (with {token.Id})";
            session.Store(each);
        }
        await session.SaveChangesAsync(cancellationToken);
        revoked = new HashSet<string>(revoked.Concat(all.Select(t => t.Id)), StringComparer.Ordinal);
        return [.. all.Skip(1).Select(t => t.Id)];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Poll);
        do
        {
            try
            {
                await using var session = store.QuerySession();
                var now = clock.GetUtcNow();
                var ids = await session.Query<IssuedToken>().Where(t => t.RevokedAt != null && t.ExpiresAt > now).Select(t => t.Id).ToListAsync(stoppingToken);
                // A revocation this silo recorded after the query began stays in force: the union only grows until restart.
                var next = new HashSet<string>(ids, StringComparer.Ordinal);
                next.UnionWith(revoked);
                revoked = next;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogReadFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the revoked tokens; the last list read stays in force")]
    private partial void LogReadFailed(Exception ex);
}
