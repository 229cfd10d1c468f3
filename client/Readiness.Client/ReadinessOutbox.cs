using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Readiness.Contracts;
using Readiness.Contracts.Http;

namespace Readiness.Client;

/// <summary>One command waiting in a <see cref="ReadinessOutbox"/> for the silo to be reachable.</summary>
/// <param name="EntryId">The entry's own id in the outbox; two entries may carry the same command id.</param>
/// <param name="Kind">The command's route name, such as <c>enlist-recruits</c> (<see cref="CommandPaths.NameOf"/>).</param>
/// <param name="CommandId">The command's id: a resend of it is answered as already applied, never applied twice.</param>
/// <param name="OccurredAt">When it happened: the command's own occurredAt, or the moment it was queued when it had none.</param>
/// <param name="QueuedAt">When it was queued.</param>
/// <param name="Command">The command as it will be posted, in <see cref="ContractJson"/>'s form.</param>
public sealed record OutboxEntry(string EntryId, string Kind, string CommandId, DateTimeOffset OccurredAt, DateTimeOffset QueuedAt, JsonElement Command);

/// <summary>What became of one queued command in a sync.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutboxOutcome>))]
public enum OutboxOutcome
{
    /// <summary>The silo applied it now.</summary>
    Applied,

    /// <summary>The silo had applied this command id before (an earlier sync whose answer was lost, or a duplicate): nothing new was recorded.</summary>
    AlreadyApplied,

    /// <summary>The silo refused it (a 4xx: invalid, unknown unit, conflict); it leaves the outbox, and <see cref="OutboxResult.Problem"/> says why.</summary>
    Refused,

    /// <summary>Not sent, or sent without an answer: it stays in the outbox for the next sync.</summary>
    Queued,
}

/// <summary>One queued command's outcome in a <see cref="ReadinessOutbox.SyncAsync"/>.</summary>
/// <param name="Entry">The queued command.</param>
/// <param name="Outcome">Applied, already applied, refused, or still queued.</param>
/// <param name="Accepted">The silo's answer when it applied the command (now or before); null otherwise.</param>
/// <param name="Status">The HTTP status of a refusal, or of the answer that stopped the sync; null when there was none.</param>
/// <param name="Problem">The problem document of a refusal, or of the answer that stopped the sync.</param>
/// <param name="Reason">Why it stays queued (the silo unreachable, 5xx, 429, a token refused), or why it was refused; null when applied.</param>
public sealed record OutboxResult(OutboxEntry Entry, OutboxOutcome Outcome, CommandAccepted? Accepted, int? Status, ApiProblem? Problem, string? Reason);

/// <summary>What <see cref="ReadinessOutbox.SyncAsync"/> did, in the order the commands were queued.</summary>
/// <param name="Results">One per queued command.</param>
public sealed record OutboxSyncReport(IReadOnlyList<OutboxResult> Results)
{
    /// <summary>How many the silo applied now.</summary>
    public int Applied => Count(OutboxOutcome.Applied);

    /// <summary>How many the silo had applied before.</summary>
    public int AlreadyApplied => Count(OutboxOutcome.AlreadyApplied);

    /// <summary>How many the silo refused.</summary>
    public int Refused => Count(OutboxOutcome.Refused);

    /// <summary>How many stay in the outbox.</summary>
    public int StillQueued => Count(OutboxOutcome.Queued);

    private int Count(OutboxOutcome outcome) => Results.Count(r => r.Outcome == outcome);
}

/// <summary>What <see cref="ReadinessClient.SendOrQueueAsync"/> did with a command: sent it, or queued it.</summary>
/// <param name="Accepted">The silo's answer when it was sent; null when it was queued.</param>
/// <param name="Queued">The outbox entry when it was queued; null when it was sent.</param>
/// <param name="Reason">Why it was queued: the silo unreachable, no answer in time, or the status it answered.</param>
public sealed record SendOrQueueResult(CommandAccepted? Accepted, OutboxEntry? Queued, string? Reason)
{
    /// <summary>Whether the command waits in the outbox for a <see cref="ReadinessOutbox.SyncAsync"/>.</summary>
    public bool IsQueued => Queued is not null;
}

/// <summary>
/// Commands kept on disk while the silo cannot be reached, and sent later, in the order they were queued,
/// each exactly once. The outbox is one append-only JSON-lines file (<c>outbox.jsonl</c>, readable by its
/// owner only) in a directory of the caller's: a line for each queued command and, once the silo has
/// answered for it, a line marking it done. A crash at any point loses nothing: a command whose answer was
/// not yet marked is sent again under its own command id, and the silo answers that resend as already applied.
/// Processes may share a directory: each change is made under a lock file beside it, and one sync runs at a time.
/// </summary>
public sealed class ReadinessOutbox
{
    /// <summary>The environment variable that names the outbox directory for the command line and <see cref="DefaultDirectory"/>.</summary>
    public const string DirectoryVariable = "READINESS_OUTBOX";

    private const string FileName = "outbox.jsonl";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(30);

    private readonly TimeProvider clock;

    /// <summary>Opens the outbox kept in <paramref name="directory"/>, creating the directory (owner only) when it is first written.</summary>
    /// <param name="directory">Where the outbox lives; <see cref="DefaultDirectory"/> is where the command line keeps its own.</param>
    /// <param name="clock">The clock that stamps queued commands; the system's when null.</param>
    public ReadinessOutbox(string directory, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        this.clock = clock ?? TimeProvider.System;
    }

    /// <summary>The outbox's directory, as a full path.</summary>
    public string Directory { get; }

    /// <summary>The file the entries are kept in.</summary>
    public string FilePath => Path.Combine(Directory, FileName);

    /// <summary>
    /// Where the command line keeps its outbox: <c>$READINESS_OUTBOX</c>, else <c>$XDG_STATE_HOME/readiness/outbox</c>,
    /// else <c>~/.local/state/readiness/outbox</c> (on Windows, under the local application data folder).
    /// State rather than cache or configuration: deleting it loses reports.
    /// </summary>
    /// <returns>The directory.</returns>
    public static string DefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } chosen)
        {
            return chosen;
        }
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "readiness", "outbox");
        }
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(state, "readiness", "outbox");
    }

    /// <summary>
    /// Queues a command. A command without occurredAt is given the moment it is queued, so that a report sent
    /// late still says when it happened. Queuing the same command id twice keeps both; the silo applies it once.
    /// </summary>
    /// <param name="command">The command, with the id it will be sent under.</param>
    /// <param name="cancellationToken">Cancels waiting for the outbox's lock.</param>
    /// <returns>The entry, as stored.</returns>
    public Task<OutboxEntry> EnqueueAsync(ICommand command, CancellationToken cancellationToken = default) =>
        EnqueueAsync(command, null, cancellationToken);

    internal async Task<OutboxEntry> EnqueueAsync(ICommand command, DateTimeOffset? happened, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentException.ThrowIfNullOrWhiteSpace(command.CommandId, nameof(command));
        var now = clock.GetUtcNow();
        var occurredAt = command.OccurredAt ?? happened ?? now;
        // Written through the runtime type, so that every field of the command is kept, not only the interface's.
        var json = JsonSerializer.SerializeToNode(command, command.GetType(), ContractJson.Options)!.AsObject();
        json["occurredAt"] = JsonValue.Create(occurredAt);
        var entry = new OutboxEntry(Guid.CreateVersion7().ToString(), CommandPaths.NameOf(command.GetType()), command.CommandId, occurredAt, now,
            JsonSerializer.SerializeToElement(json, ContractJson.Options));
        using (await LockAsync("outbox.lock", LockPatience, cancellationToken))
        {
            await AppendAsync(Line.Queued(entry), cancellationToken);
        }
        return entry;
    }

    /// <summary>The commands waiting to be sent, oldest first.</summary>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <returns>The entries not yet answered for.</returns>
    public async Task<IReadOnlyList<OutboxEntry>> PendingAsync(CancellationToken cancellationToken = default)
    {
        // Looking must not leave a directory behind where nothing was ever queued.
        if (!File.Exists(FilePath))
        {
            return [];
        }
        using (await LockAsync("outbox.lock", LockPatience, cancellationToken))
        {
            return await ReadPendingAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Sends the queued commands through <paramref name="client"/>, oldest first, each marked done as soon as the silo
    /// has answered for it. A refusal (a 4xx other than 401, 403, 408 and 429) is recorded and the sync goes on; when the
    /// silo cannot be reached, does not answer in time, answers 5xx or 429, or refuses the token (401, 403), the sync
    /// stops there and that command and every later one stay queued, in order. Cancelling stops it the same way:
    /// what was answered is marked, the rest is sent by the next sync.
    /// </summary>
    /// <param name="client">The client to send with; its retries apply to each command.</param>
    /// <param name="cancellationToken">Stops the sync; the commands not yet answered stay queued.</param>
    /// <returns>One result per command that was queued when the sync began.</returns>
    /// <exception cref="InvalidOperationException">Another sync of the same outbox is running.</exception>
    /// <exception cref="OperationCanceledException">The sync was cancelled; what was answered before stays marked.</exception>
    public async Task<OutboxSyncReport> SyncAsync(ReadinessClient client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!File.Exists(FilePath))
        {
            return new OutboxSyncReport([]);
        }
        // Two syncs at once would send the same commands twice: harmless to the record, but each would report the other's work.
        using var syncing = await LockAsync("sync.lock", TimeSpan.Zero, cancellationToken)
            ?? throw new InvalidOperationException($"Another sync of the outbox in {Directory} is running.");
        IReadOnlyList<OutboxEntry> pending;
        using (await LockAsync("outbox.lock", LockPatience, cancellationToken))
        {
            pending = await ReadPendingAsync(cancellationToken);
        }
        var results = new List<OutboxResult>(pending.Count);
        OutboxResult? stop = null;
        foreach (var entry in pending)
        {
            if (stop is not null)
            {
                results.Add(new OutboxResult(entry, OutboxOutcome.Queued, null, null, null, "not sent: " + stop.Reason));
                continue;
            }
            var result = await SendOneAsync(client, entry, cancellationToken);
            if (result.Outcome == OutboxOutcome.Queued)
            {
                stop = result;
            }
            else
            {
                using (await LockAsync("outbox.lock", LockPatience, CancellationToken.None))
                {
                    // Not cancellable: the silo has answered, and an unmarked answer would only cost a resend.
                    await AppendAsync(Line.Done(entry.EntryId, result), CancellationToken.None);
                }
            }
            results.Add(result);
        }
        using (await LockAsync("outbox.lock", LockPatience, CancellationToken.None))
        {
            await CompactAsync(CancellationToken.None);
        }
        return new OutboxSyncReport(results);
    }

    private static async Task<OutboxResult> SendOneAsync(ReadinessClient client, OutboxEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            var accepted = await client.SendJsonAsync(entry.Kind, entry.Command.GetRawText(), entry.CommandId, cancellationToken);
            return new OutboxResult(entry, accepted.AlreadyApplied ? OutboxOutcome.AlreadyApplied : OutboxOutcome.Applied, accepted, null, null, null);
        }
        catch (ReadinessApiException ex) when (KeepsQueued(ex.StatusCode))
        {
            return new OutboxResult(entry, OutboxOutcome.Queued, null, ex.StatusCode, ex.Problem, $"{ex.StatusCode} {ex.Problem.Detail ?? ex.Problem.Title}");
        }
        catch (ReadinessApiException ex)
        {
            return new OutboxResult(entry, OutboxOutcome.Refused, null, ex.StatusCode, ex.Problem, ex.Problem.Detail ?? ex.Problem.Title);
        }
        catch (Exception ex) when (ReadinessClient.IsUnknownOutcome(ex, cancellationToken))
        {
            return new OutboxResult(entry, OutboxOutcome.Queued, null, null, null,
                ex is TaskCanceledException ? "no answer in time" : $"silo unreachable: {ex.Message}");
        }
    }

    // A token refused or a silo overloaded says nothing about the command: it must not leave the outbox as refused.
    private static bool KeepsQueued(int status) => status is 401 or 403 or 408 or 429 || status >= 500;

    private async Task<IReadOnlyList<OutboxEntry>> ReadPendingAsync(CancellationToken cancellationToken)
    {
        var (entries, done) = await ReadAsync(cancellationToken);
        return [.. entries.Where(e => !done.Contains(e.EntryId))];
    }

    private async Task<(List<OutboxEntry> Entries, HashSet<string> Done)> ReadAsync(CancellationToken cancellationToken)
    {
        var entries = new List<OutboxEntry>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(FilePath))
        {
            return (entries, done);
        }
        foreach (var text in await File.ReadAllLinesAsync(FilePath, cancellationToken))
        {
            if (text.Length == 0)
            {
                continue;
            }
            Line? line;
            try
            {
                line = JsonSerializer.Deserialize<Line>(text, LineJson);
            }
            catch (JsonException)
            {
                // A line cut short by a crash while it was written: it was never acknowledged to anyone, so nothing is lost.
                continue;
            }
            switch (line)
            {
                case { Type: "queued", Entry: { } entry }:
                    entries.Add(entry);
                    break;
                case { Type: "done", EntryId: { } id }:
                    done.Add(id);
                    break;
            }
        }
        return (entries, done);
    }

    private async Task AppendAsync(Line line, CancellationToken cancellationToken)
    {
        CreateDirectory();
        var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(line, LineJson) + "\n");
        await using var file = new FileStream(FilePath, Private(FileMode.OpenOrCreate, FileAccess.ReadWrite));
        if (file.Length > 0)
        {
            // A line cut short by a crash would swallow this one: end it first, so only the cut line is lost.
            file.Seek(-1, SeekOrigin.End);
            if (file.ReadByte() != '\n')
            {
                file.WriteByte((byte)'\n');
            }
        }
        file.Seek(0, SeekOrigin.End);
        await file.WriteAsync(bytes, cancellationToken);
        // On disk before the caller hears "queued", or before the next command is sent.
        file.Flush(flushToDisk: true);
    }

    // Rewrites the file with only what is still pending, through a temporary file and a rename, so a crash leaves one whole file or the other.
    private async Task CompactAsync(CancellationToken cancellationToken)
    {
        var (entries, done) = await ReadAsync(cancellationToken);
        if (done.Count == 0)
        {
            return;
        }
        var temporary = FilePath + ".tmp";
        await using (var file = new FileStream(temporary, Private(FileMode.Create, FileAccess.Write)))
        await using (var writer = new StreamWriter(file, new UTF8Encoding(false)))
        {
            foreach (var entry in entries.Where(e => !done.Contains(e.EntryId)))
            {
                await writer.WriteAsync(JsonSerializer.Serialize(Line.Queued(entry), LineJson) + "\n");
            }
            await writer.FlushAsync(cancellationToken);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, FilePath, overwrite: true);
    }

    private void CreateDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static FileStreamOptions Private(FileMode mode, FileAccess access)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows())
        {
            // Reports may name people: readable by the owner alone, from the moment the file exists.
            options.UnixCreateMode = OwnerOnly;
        }
        return options;
    }

    /// <summary>
    /// Takes a lock file in the outbox's directory, across processes (.NET locks a file opened with <see cref="FileShare.None"/>);
    /// waits up to <paramref name="patience"/>, and gives null when that is zero and the lock is held.
    /// </summary>
    private async Task<IDisposable?> LockAsync(string name, TimeSpan patience, CancellationToken cancellationToken)
    {
        CreateDirectory();
        var path = Path.Combine(Directory, name);
        var deadline = clock.GetUtcNow() + patience;
        while (true)
        {
            try
            {
                var options = Private(FileMode.OpenOrCreate, FileAccess.ReadWrite);
                options.Share = FileShare.None;
                return new FileStream(path, options);
            }
            catch (IOException) when (patience == TimeSpan.Zero)
            {
                return null;
            }
            catch (IOException) when (clock.GetUtcNow() < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private static readonly JsonSerializerOptions LineJson = new(ContractJson.Options)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Names and places in Vietnamese stay readable to an operator who opens the file.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One line of the file: a queued command, or the mark that it was answered for.</summary>
    private sealed record Line(string Type, OutboxEntry? Entry, string? EntryId, OutboxOutcome? Outcome, int? Status, string? Reason, DateTimeOffset? At)
    {
        public static Line Queued(OutboxEntry entry) => new("queued", entry, null, null, null, null, null);

        public static Line Done(string entryId, OutboxResult result) =>
            new("done", null, entryId, result.Outcome, result.Status, result.Reason, DateTimeOffset.UtcNow);
    }
}
