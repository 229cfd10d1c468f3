namespace Readiness.Silo.Security;

/// <summary>Marks a route whose <c>?asOf=</c> a viewer may use: it answers the shape of the command then, not its figures.</summary>
internal sealed class PastOpenToViewers
{
    public static readonly PastOpenToViewers Instance = new();

    private PastOpenToViewers()
    {
    }
}
