using Readiness.Grains.Storage;

namespace Readiness.Grains.Actors;

/// <summary>The secret every silo of one cluster shares to seal the grain calls it makes; it never leaves the silos.</summary>
public sealed class ClusterCallKey
{
    private byte[]? key;

    public const int Bytes = 32;

    public void Set(byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length < Bytes)
        {
            throw new ArgumentException($"A cluster call key needs {Bytes} bytes or more.", nameof(value));
        }
        key = value;
    }

    /// <summary>Null until the silo has read it, so that nothing is sealed or accepted with a key that is not the cluster's.</summary>
    internal byte[]? Value => key;
}

/// <summary>
/// Seals every grain call this silo sends: grain to grain, the HTTP routes through the silo's own
/// client, reminders, the demo loader, in-process tests. What the caller put in the request context
/// (who records, the caller's scopes) travels under the seal.
/// </summary>
public sealed class SealOutgoingCalls(ClusterCallKey key, TimeProvider time) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (key.Value is { } secret)
        {
            // The request context is copied into the message while context.Invoke() runs; this method
            // being async keeps the seal out of the caller's own context once the call is sent.
            AuditContext.Seal(secret, context.TargetId, context.InterfaceType, context.MethodName, time.GetUtcNow());
        }
        await context.Invoke();
    }
}

/// <summary>
/// Grain entry points answer only calls sealed by a silo of this cluster.
/// </summary>
/// <remarks>
/// Why a MAC and not the caller's id: a call that comes in through the gateway keeps the sending grain
/// id its client wrote into the message header (the gateway overwrites only the sending silo, with its
/// own address), so an external client can claim to be a grain or a silo's hosted client, and
/// IIncomingGrainCallContext.SourceId cannot tell it apart from the silo's own calls. The key, in
/// contrast, exists only in the silos (read from the cluster's database, whose holders could append
/// events directly anyway), so a client can neither seal a call nor alter the recorded-by or scopes a
/// sealed call carries; a captured seal fits one target and method and only for <see cref="Window"/>.
/// System targets (membership, the gateway's own services, directory) are Orleans' business and not
/// grain entry points; the network around them is guarded by loopback or mutual TLS.
/// </remarks>
public sealed class InternalCallsOnly(ClusterCallKey key, TimeProvider time) : IIncomingGrainCallFilter
{
    /// <summary>Longer than any call may wait (the demo's ten minutes) plus clock skew between silos.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.TargetContext is SystemTarget)
        {
            return context.Invoke();
        }
        if (key.Value is not { } secret
            || !AuditContext.IsSealed(secret, context.TargetId, context.InterfaceType, context.MethodName, time.GetUtcNow(), Window))
        {
            throw new UnauthorizedAccessException(
                $"{context.InterfaceName}.{context.MethodName} on {context.TargetId} accepts calls from this cluster's silos only; send commands through the HTTP API.");
        }
        return context.Invoke();
    }
}
