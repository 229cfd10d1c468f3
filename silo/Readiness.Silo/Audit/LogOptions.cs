using System.ComponentModel.DataAnnotations;

namespace Readiness.Silo.Audit;

/// <summary>The Merkle log over every event (<c>Readiness:Log</c>).</summary>
public sealed class LogOptions
{
    public const string Section = "Readiness:Log";

    /// <summary>Off, no leaves are written (for measuring the append path without it); verify then finds the log behind.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A signed head is made once this many events have been logged since the last.</summary>
    [Range(1, 10_000_000)]
    public int HeadEvery { get; set; } = 1000;

    /// <summary>…or once this long has passed since the last head with events logged since.</summary>
    public TimeSpan HeadInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the leader looks for new events.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How long a hole in the sequence is waited on before it is taken as an append that rolled back:
    /// a transaction still in flight may yet commit there, and the log must take events in sequence order.
    /// A hole the projection daemon's high-water mark has passed is not waited on: the daemon passes
    /// one only when PostgreSQL shows no live transaction that could fill it. This is the bound for
    /// when no daemon runs, or its mark stands still.
    /// </summary>
    public TimeSpan GapWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events read and logged per transaction.</summary>
    [Range(1, 100_000)]
    public int Batch { get; set; } = 5000;

    /// <summary>
    /// Where each head is appended, one JSON line, to <c>tree-heads.jsonl</c>, and read back before the next
    /// is signed. A relative path starts from the directory the silo was started in (as the development keys
    /// do), never from its content root, which depends on how it was launched.
    /// </summary>
    public string HeadDirectory { get; set; } = ".local/tree-heads";

    /// <summary>
    /// A file holding the PEM private key (P-256) that signs tree heads, a key of its own beside the report
    /// key. Required outside Development; a Development silo makes one beside its token key.
    /// </summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The same key inline; set this or <see cref="SigningKeyFile"/>, not both.</summary>
    public string? SigningKeyPem { get; set; }
}
