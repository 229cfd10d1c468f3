using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;

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

/// <summary>How far apart the silos' clocks may be for a sealed call to pass (<c>Readiness:Orleans:CallSeal</c>).</summary>
public sealed class CallSealOptions
{
    /// <summary>
    /// Thirty seconds by default: silos kept by NTP are milliseconds apart, and a clock that drifted
    /// further than this is a fault to mend (the refusals are logged with the seal's age), not one to
    /// hide by letting a captured seal live longer.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Seals every grain call this silo sends: grain to grain, the HTTP routes through the silo's own
/// client, reminders, the demo loader, in-process tests. What the caller put in the request context
/// (who records, the caller's scopes) and the call's arguments travel under the seal.
/// </summary>
public sealed class SealOutgoingCalls(ClusterCallKey key, Serializer serializer, TimeProvider time) : IOutgoingGrainCallFilter
{
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        // System targets are Orleans' own and not checked where they arrive (see InternalCallsOnly).
        if (key.Value is { } secret && !context.TargetId.IsSystemTarget())
        {
            // The request context is copied into the message while context.Invoke() runs; this method
            // being async keeps the seal out of the caller's own context once the call is sent.
            CallerContext.Seal(secret, context, serializer, time.GetUtcNow());
        }
        await context.Invoke();
    }
}

/// <summary>
/// Grain entry points answer only calls sealed by a silo of this cluster, each seal once.
/// </summary>
/// <remarks>
/// Why a MAC and not the caller's id: a call that comes in through the gateway keeps the sending grain
/// id its client wrote into the message header (the gateway overwrites only the sending silo, with its
/// own address), so an external client can claim to be a grain or a silo's hosted client, and
/// IIncomingGrainCallContext.SourceId cannot tell it apart from the silo's own calls. The key, in
/// contrast, exists only in the silos (read from the cluster's database, whose holders could append
/// events directly anyway), so a client can neither seal a call nor alter the arguments, recorded-by
/// or scopes a sealed call carries.
/// <para>
/// How long a seal lives: Orleans drops a request that waited past its response timeout before it
/// is invoked, so a call of this cluster reaches this filter no later than that timeout after it was
/// sealed, by the sender's clock; add the clocks' skew and that is all a seal needs. Five seconds and
/// thirty by default; the demo's load, whose call may wait ten minutes, gets ten minutes and thirty
/// seconds, for that one method.
/// </para>
/// <para>
/// Why a replay cache as well: within its life a captured seal, with the very arguments it covers,
/// would otherwise be accepted again. A command sent twice is applied once (its command id), but a
/// read would answer twice and a reminder's tick would run twice; so the nonce of each seal accepted
/// is kept until the seal is too old to pass anyway, and a second arrival is refused. The cache is
/// this silo's: a replay that reaches another silo, because the grain moved there within the seal's
/// life, still fits one target, method and arguments and nothing else, and a command so replayed
/// appends nothing.
/// </para>
/// System targets (membership, the gateway's own services, directory) are Orleans' business and not
/// grain entry points; the network around them is guarded by loopback or mutual TLS.
/// </remarks>
public sealed partial class InternalCallsOnly(
    ClusterCallKey key,
    Serializer serializer,
    TimeProvider time,
    IOptions<CallSealOptions> options,
    IOptions<SiloMessagingOptions> messaging,
    ILogger<InternalCallsOnly> logger) : IIncomingGrainCallFilter
{
    private readonly SeenSeals seen = new(options.Value.ClockSkew + messaging.Value.ResponseTimeout);

    // A grain timer's tick is a message the activation's timer hands to it inside this silo: no outgoing filter
    // seals it, and no client can send one, as Orleans never serialises that type. Orleans keeps it internal, so it
    // is named; should a version rename it, every timer is refused and RegionRefusalWindowTests fails.
    private static readonly Type? TimerTick = Type.GetType("Orleans.Runtime.GrainTimer+TimerTickInvoker, Orleans.Runtime");

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.TargetContext is SystemTarget || context.Request.GetType() == TimerTick)
        {
            return context.Invoke();
        }
        var skew = options.Value.ClockSkew;
        var past = skew + (context.Request.GetDefaultResponseTimeout() ?? messaging.Value.ResponseTimeout);
        var now = time.GetUtcNow();
        var verdict = key.Value is { } secret
            ? CallerContext.CheckSeal(secret, context, serializer, now, past, skew)
            : new SealVerdict(SealCheck.Missing, 0, 0);
        var refusal = verdict.Check switch
        {
            SealCheck.Sealed when !seen.FirstArrival(verdict.Nonce, verdict.IssuedMs + (long)past.TotalMilliseconds, now.ToUnixTimeMilliseconds()) =>
                "its seal was used before",
            SealCheck.Sealed => null,
            SealCheck.TooOld or SealCheck.FromTheFuture => string.Create(CultureInfo.InvariantCulture,
                $"its seal is {now.ToUnixTimeMilliseconds() - verdict.IssuedMs} ms old by this silo's clock (the sender's said when it was made), "
                + $"outside -{(long)skew.TotalMilliseconds} .. {(long)past.TotalMilliseconds} ms; are the silos' clocks apart?"),
            SealCheck.Missing => "it carries no seal",
            SealCheck.Malformed => "its seal is malformed",
            _ => "its seal was not made with this cluster's key for this target, method, arguments and caller",
        };
        if (refusal is not null)
        {
            LogRefused(context.InterfaceName, context.MethodName, context.TargetId, refusal);
            throw new UnauthorizedAccessException(
                $"{context.InterfaceName}.{context.MethodName} on {context.TargetId} accepts calls from this cluster's silos only; send commands through the HTTP API.");
        }
        return context.Invoke();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Interface}.{Method} on {Target}: {Reason}")]
    private partial void LogRefused(string @interface, string method, GrainId target, string reason);

    /// <summary>
    /// The nonces of the seals accepted, each until its seal would be refused as too old anyway. Two
    /// generations, the older dropped whole once the newer is <c>generation</c> old, save what the
    /// rare long-lived seal (the demo's load) still needs: constant work per call, and no more kept
    /// than the calls of two generations.
    /// </summary>
    private sealed class SeenSeals(TimeSpan generation)
    {
        private readonly Lock gate = new();
        private readonly long generationMs = (long)generation.TotalMilliseconds;
        private Dictionary<UInt128, long> current = [];
        private Dictionary<UInt128, long> previous = [];
        private long rotateAtMs = long.MinValue;

        public bool FirstArrival(UInt128 nonce, long keepUntilMs, long nowMs)
        {
            lock (gate)
            {
                if (nowMs >= rotateAtMs)
                {
                    foreach (var (kept, untilMs) in previous)
                    {
                        if (untilMs >= nowMs)
                        {
                            current.TryAdd(kept, untilMs);
                        }
                    }
                    (previous, current) = (current, previous);
                    current.Clear();
                    rotateAtMs = nowMs + generationMs;
                }
                return !previous.ContainsKey(nonce) && current.TryAdd(nonce, keepUntilMs);
            }
        }
    }
}
