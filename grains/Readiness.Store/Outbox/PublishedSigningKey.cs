namespace Readiness.Store.Outbox;

/// <summary>
/// A key the silo has published for a purpose (its key id, the thumbprint), and when first: what lets a silo
/// refuse to sign with a key no checker could have fetched before it signed.
/// </summary>
public sealed class PublishedSigningKey
{
    public string Id { get; set; } = string.Empty;
    public string Purpose { get; set; } = string.Empty;
    public DateTimeOffset FirstPublishedAt { get; set; }
}
