using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Spectre.Console;

namespace Readiness.Cli;

/// <summary><c>readiness import</c>: sends an export to a silo whose store is empty.</summary>
internal static class ImportCommand
{
    public const string Usage = """
        readiness import file.jsonl [--head FILE --jwks FILE] [--url http://127.0.0.1:5080] [--token T] [--json]
          Takes an export into a silo whose store holds no events. The silo checks every stream's
          hash chain first and refuses the whole file at its first bad line; otherwise it writes
          every event in one transaction and rebuilds the views before answering. Prints the events
          imported and events/s, or the refusal (line N: why); --json prints the report or the
          problem document as JSON. Exits 1 when refused. Needs an administrator's token:
          --token, or READINESS_TOKEN.
          The chains have no key: whoever changed the file could have recomputed them. With --head
          (a signed tree head kept for the source: one head, a page of its /api/audit/tree-heads, or
          its tree-heads.jsonl, whose last line is taken) and --jwks (the source's
          /.well-known/jwks.json, saved), the silo also checks the head's signature and that the
          file's first events give the head's root, and refuses the whole file otherwise. Without
          them it says on standard error that only the chains were checked.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed record Settings(Uri Url, string File, bool Json, string? Token, string? Head, string? Jwks);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("import", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var json = Options.Json("Print the report, or the problem document of a refusal, as JSON.");
        var file = new Argument<string>("file") { Description = "An export, as `readiness export` writes it." };
        var head = Options.Text("--head", "file", "The source's signed tree head to check the file against (a head JSON, a page of tree heads, or tree-heads.jsonl).");
        var jwks = Options.Text("--jwks", "file", "The source's public keys (its /.well-known/jwks.json, saved), to check the head's signature with.");
        var command = new UsageCommand("import",
            "Takes an export into a silo whose store holds no events: the silo checks every stream's hash chain first and refuses the whole file "
            + "at its first bad line, otherwise writes every event in one transaction and rebuilds the views. Exits 1 when refused. "
            + "Needs an administrator's token.", Usage)
        {
            file, head, jwks, url, token, json,
        };
        command.Validators.Add(result =>
        {
            if (result.Given(head) != result.Given(jwks))
            {
                result.AddError("Give --head and --jwks together: the head's signature is checked with the source's keys.");
            }
        });
        return command.Runs(parsed => RunAsync(new Settings(parsed.GetValue(url)!, parsed.GetValue(file)!, parsed.GetValue(json), parsed.GetValue(token),
            parsed.GetValue(head), parsed.GetValue(jwks)), output, error));
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        var path = options.File;
        if (!File.Exists(path))
        {
            await error.WriteLineAsync($"No such file: {path}");
            return 1;
        }
        TreeHead? sourceHead = null;
        string? sourceKeys = null;
        if (options.Head is { } headFile)
        {
            try
            {
                sourceHead = SignedHead.Read(await File.ReadAllTextAsync(headFile));
                sourceKeys = await File.ReadAllTextAsync(options.Jwks!);
                // Refused here, with the file named, rather than as the request is made.
                JsonDocument.Parse(sourceKeys).Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or JsonException)
            {
                await error.WriteLineAsync($"Could not read the head or its keys: {ex.Message}");
                return 1;
            }
        }
        // The silo answers only after checking, writing and rebuilding every view: minutes for a big store.
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromHours(1));
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var watched = Live.Watched(output, options.Json);
        if (!options.Json && !watched)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Sending {Path.GetFileName(path)} ({file.Length / 1048576.0:0.0} MB) to {options.Url}; the silo checks every chain, writes, then rebuilds the views…"));
        }
        var clock = Stopwatch.StartNew();
        try
        {
            var report = watched
                ? await SendWatched(client, file, path, options.Url, sourceHead, sourceKeys)
                : await client.ImportAsync(file, sourceHead, sourceKeys);
            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, Json));
            }
            else
            {
                var what = report.SourceHead is null ? "chains checked" : "chains and the source's signed head checked";
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Imported {report.Events:N0} events in {report.Streams:N0} streams in {report.Seconds:0.00} s, {report.EventsPerSecond:N0} events/s ({what}, written); " +
                        $"views rebuilt, {clock.Elapsed.TotalSeconds:0.00} s in all."));
                if (report.Checked is { } said)
                {
                    await output.WriteLineAsync(said);
                }
            }
            if (report.SourceHead is null || report.EventsAfterHead > 0)
            {
                // Said where it is seen even when the report goes to a file or a pipe.
                await error.WriteLineAsync(report.SourceHead is null
                    ? "Warning: only the per-stream hash chains were checked, and they have no key: anyone who changed the file could have recomputed them. " +
                        "Give --head and --jwks to check it against the source's signed tree head."
                    : string.Create(CultureInfo.InvariantCulture,
                        $"Warning: the last {report.EventsAfterHead:N0} events lie after the source's head and were checked only by their chains, which have no key."));
            }
            return 0;
        }
        catch (ReadinessApiException ex)
        {
            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(ex.Problem, Json));
            }
            else if (ex.Problem.Line is { } line)
            {
                // The detail begins with the line already ("Line 12: …"); say it plainly once.
                var reason = ex.Problem.Detail ?? ex.Message;
                var prefix = $"Line {line.ToString(CultureInfo.InvariantCulture)}: ";
                var detail = reason.StartsWith(prefix, StringComparison.Ordinal) ? reason[prefix.Length..] : reason;
                await error.WriteLineAsync($"Refused, nothing imported: line {line.ToString(CultureInfo.InvariantCulture)}: {detail}");
            }
            else
            {
                await error.WriteLineAsync($"Refused, nothing imported ({ex.StatusCode}): {ex.Problem.Detail ?? ex.Problem.Title ?? ex.Message}");
            }
            return 1;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync(Connection.Unreachable(options.Url, ex));
            return 1;
        }
    }

    /// <summary>
    /// The upload as the megabytes the request has read from the file, then the wait while the silo checks, writes and
    /// rebuilds, which it tells nothing of until it answers: no bar, since a percentage there would be made up.
    /// </summary>
    private static Task<ImportReport> SendWatched(ReadinessClient client, FileStream file, string path, Uri url, TreeHead? head, string? keys) =>
        Live.ProgressAsync(async context =>
        {
            var name = Path.GetFileName(path);
            var sending = context.AddTask(Sent(name, 0, file.Length, url));
            ProgressTask? silo = null;
            var counted = new ReadCounter(file, read =>
            {
                sending.Description = Sent(name, read, file.Length, url);
                if (read >= file.Length && silo is null)
                {
                    sending.Value = sending.MaxValue;
                    silo = context.AddTask("The silo checks every chain, writes, then rebuilds the views");
                }
            });
            var report = await client.ImportAsync(counted, head, keys);
            silo?.Value = silo.MaxValue;
            return report;
        }, bounded: false);

    private static string Sent(string name, long read, long length, Uri url) => Markup.Escape(string.Create(CultureInfo.InvariantCulture,
        $"Sending {name}: {read / 1048576.0:0.0} of {length / 1048576.0:0.0} MB to {url}"));

    /// <summary>The file as the request reads it, telling how far it has got; seeking and length pass through, so the request keeps its Content-Length.</summary>
    private sealed class ReadCounter(FileStream inner, Action<long> read) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => inner.Position = value;
        }

        public override int Read(byte[] buffer, int offset, int count) => Told(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Told(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Told(int count)
        {
            read(inner.Position);
            return count;
        }
    }
}
