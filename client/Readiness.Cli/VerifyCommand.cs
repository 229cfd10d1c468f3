using System.Globalization;
using System.Text.Json;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Domain.Integrity;

namespace Readiness.Cli;

/// <summary><c>readiness verify</c>: recomputes the hash chains and says whether the record is as it was written.</summary>
internal static class VerifyCommand
{
    public const string Usage = """
        readiness verify [--stream key | --area id] [--json] [--url http://127.0.0.1:5080] [--token T]
        readiness verify --head FILE --events FILE [--jwks FILE]
        readiness verify --head FILE [--jwks FILE] [--database name] [--url …] [--token T]
          Recomputes the hash chain of every stream (or of one: a unit id, exercise:<id>, post:<id>;
          or of an area's streams, such as --area bac-kan/ba-be) and prints the verdict, the first
          broken link with the hash expected and the one found, and events per second. --json
          prints the whole report. Exits 1 when a link is broken, 2 when it could not check.
          --token (else READINESS_TOKEN, else .local/dev-token) is sent as the bearer token.
          Over every stream it also recomputes the Merkle log from the events and names the first
          position where it parts from the stored leaves or the latest signed head.
          With --head, offline: recomputes the log from a whole-store export (--events, from
          'readiness export') and compares its root with a signed tree head kept elsewhere (a head
          JSON, or a tree-heads.jsonl whose last line is taken); --jwks checks the head's signature
          against a JWK Set (the silo's /.well-known/jwks.json, saved). Nothing is asked of a silo.
          With --head and no --events, against a copy: a head kept for the store an import came
          from is checked against the silo the file was imported into, which recomputes the
          source's log from the imported events under the sequences the source gave them.
        """;

    // Enough to see the pattern of a tampering without burying the verdict.
    private const int BreaksListed = 10;

    private sealed record Settings(Uri Url, string? Stream, string? Area, bool Json, string? Token, string? Database = null);

    private sealed record OfflineSettings(string Head, string Events, string? Jwks, bool Json);

    private sealed record ImportedSettings(Uri Url, string? Token, string Head, string? Jwks, string? Database, bool Json);

    /// <summary>A head kept for an import's source, checked against the copy.</summary>
    private sealed record ImportedHeadResult(bool Intact, TreeHead Head, bool? SignatureValid, ImportedLog Imported, string? Problem);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("verify", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var json = Options.Json("Print the whole report as JSON.");
        var stream = Options.Text("--stream", "key", "Only this stream: a unit id, exercise:<id> or post:<id>.");
        var area = Options.Text("--area", "area", "Only the streams of this area, such as bac-kan/ba-be.");
        var database = Options.Text("--database", "name", "Where the provinces are spread over several databases, only this one's streams and Merkle log.");
        var head = Options.Text("--head", "file", "Offline: a signed tree head kept elsewhere (JSON, or the last line of tree-heads.jsonl).");
        var events = Options.Text("--events", "file", "Offline: a whole-store export to check against --head; without it, --head is checked against the events imported into the silo.");
        var jwks = Options.Text("--jwks", "file", "The JWK Set to check the head's signature with.");
        var command = new UsageCommand("verify",
            "Recomputes the hash chain of every stream, or of one stream or area's, and prints the verdict, the first broken link with the hash "
            + "expected and the one found, and events per second. Exits 0 when intact, 1 when a link is broken, 2 when it could not check.", Usage)
        {
            stream, area, database, json, url, token, head, events, jwks,
        };
        command.Validators.Add(result =>
        {
            if (new[] { result.Given(stream), result.Given(area), result.Given(database) }.Count(given => given) > 1)
            {
                result.AddError("Give one of --stream, --area or --database.");
            }
            if (result.Given(events) && !result.Given(head))
            {
                result.AddError("Give --head with --events: the export is checked against the head.");
            }
            if (result.Given(events) && result.Given(database))
            {
                result.AddError("--events is checked offline: --database names a silo's database, for --head without --events.");
            }
            if (result.Given(head) && (result.Given(stream) || result.Given(area)))
            {
                result.AddError("A head covers the whole store: --head checks a whole export, not a --stream or --area.");
            }
            if (result.Given(jwks) && !result.Given(head))
            {
                result.AddError("--jwks checks a head's signature: give it with --head.");
            }
        });
        return command.Runs(parsed => parsed.GetValue(head) is { } headFile
            ? parsed.GetValue(events) is { } eventsFile
                ? RunOfflineAsync(new OfflineSettings(headFile, eventsFile, parsed.GetValue(jwks), parsed.GetValue(json)), output, error)
                : RunImportedAsync(
                    new ImportedSettings(parsed.GetValue(url)!, parsed.GetValue(token), headFile, parsed.GetValue(jwks), parsed.GetValue(database), parsed.GetValue(json)), output, error)
            : RunAsync(new Settings(parsed.GetValue(url)!, parsed.GetValue(stream), parsed.GetValue(area), parsed.GetValue(json), parsed.GetValue(token), parsed.GetValue(database)), output, error));
    }

    private static async Task<int> RunOfflineAsync(OfflineSettings options, TextWriter output, TextWriter error)
    {
        OfflineLogResult result;
        try
        {
            result = await OfflineLogCheck.CheckAsync(options.Head, options.Events, options.Jwks, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            await error.WriteLineAsync($"Could not check: {ex.Message}");
            return 2;
        }
        if (options.Json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(result, AuditOptions.Indented));
            return result.Intact ? 0 : 1;
        }
        var signature = result.SignatureValid switch
        {
            true => "its signature holds",
            false => "ITS SIGNATURE DOES NOT HOLD",
            null => "signature not checked (no --jwks)",
        };
        var what = string.Create(CultureInfo.InvariantCulture, $"head of size {result.Head.Size:N0} made {result.Head.MadeAt:u}, {signature}");
        if (result.Mismatch is null && result.SignatureValid != false)
        {
            await output.WriteLineAsync($"INTACT: the export's first {result.Head.Size:N0} events give the root of the {what}.");
            return 0;
        }
        await output.WriteLineAsync($"BROKEN: the export does not match the {what}.");
        if (result.Mismatch is { } mismatch)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  from position {mismatch.Position}: {mismatch.Problem}"));
        }
        return 1;
    }

    /// <summary>A head kept for an import's source against the copy: the silo recomputes the source's log from the imported events, and the roots must agree.</summary>
    private static async Task<int> RunImportedAsync(ImportedSettings options, TextWriter output, TextWriter error)
    {
        TreeHead head;
        bool? signatureValid = null;
        try
        {
            head = SignedHead.Read(await File.ReadAllTextAsync(options.Head));
            if (options.Jwks is { } jwks)
            {
                signatureValid = SignedHead.SignatureProblem(head, await File.ReadAllTextAsync(jwks)) is null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            await error.WriteLineAsync($"Could not check: {ex.Message}");
            return 2;
        }
        using var client = Connection.Client(options.Url, options.Token, AuditOptions.QueryTimeout);
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            var imported = await client.GetImportedLogAsync(null, options.Database);
            string? problem = null;
            if (imported.Events < head.Size)
            {
                problem = string.Create(CultureInfo.InvariantCulture, $"The silo holds {imported.Events:N0} imported events; the head covers {head.Size:N0}.");
            }
            else
            {
                if (imported.TreeSize != head.Size)
                {
                    imported = await client.GetImportedLogAsync(head.Size, options.Database);
                }
                if (imported.Root != head.Root)
                {
                    problem = string.Create(CultureInfo.InvariantCulture,
                        $"The imported events give the root {imported.Root}, the head has {head.Root}: " +
                            $"one of the first {head.Size:N0} was changed, removed, added or moved since the source signed the head.");
                }
            }
            var result = new ImportedHeadResult(problem is null && signatureValid != false, head, signatureValid, imported, problem);
            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(result, AuditOptions.Indented));
                return result.Intact ? 0 : 1;
            }
            var signature = signatureValid switch
            {
                true => "its signature holds",
                false => "ITS SIGNATURE DOES NOT HOLD",
                null => "signature not checked (no --jwks)",
            };
            var what = string.Create(CultureInfo.InvariantCulture, $"the source's head of size {head.Size:N0} made {head.MadeAt:u}, {signature}");
            if (result.Intact)
            {
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"INTACT: the first {head.Size:N0} of the {imported.Events:N0} imported events, " +
                        $"under the sequences the source gave them ({imported.FirstSourceSequence:N0}–{imported.LastSourceSequence:N0}), give the root of {what}."));
                return 0;
            }
            await output.WriteLineAsync($"BROKEN: the imported events do not match {what}.");
            if (problem is not null)
            {
                await output.WriteLineAsync($"  {problem}");
            }
            return 1;
        }, 2);
    }

    private static Task<VerifyReport> Verify(ReadinessClient client, Settings options) =>
        options.Database is { } database ? client.VerifyDatabaseAsync(database) : client.VerifyAsync(options.Stream, options.Area);

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        using var client = Connection.Client(options.Url, options.Token, AuditOptions.QueryTimeout);
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            var report = Live.Watched(output, options.Json)
                ? await Live.WaitAsync($"Recomputing the hash chains of {Scope(options)}", () => Verify(client, options))
                : await Verify(client, options);

            if (options.Json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(report, AuditOptions.Indented));
                return report.Intact ? 0 : 1;
            }
            var scope = Scope(options);
            var checkedText = string.Create(CultureInfo.InvariantCulture,
                $"{report.StreamsChecked:N0} stream{(report.StreamsChecked == 1 ? "" : "s")}, {report.EventsChecked:N0} event{(report.EventsChecked == 1 ? "" : "s")} checked in " +
                    $"{report.Seconds:0.00} s ({report.EventsPerSecond:N0} events/s)");
            if (report.Intact)
            {
                await output.WriteLineAsync($"INTACT: every link of {scope} holds. {checkedText}.");
                await WriteLog(output, report.Log);
                return 0;
            }
            if (report.Breaks.Count == 0)
            {
                await output.WriteLineAsync($"INTACT: every link of {scope} holds. {checkedText}.");
                await WriteLog(output, report.Log);
                return 1;
            }
            var brokenStreams = report.Breaks.Select(b => b.Stream).Distinct(StringComparer.Ordinal).Count();
            await output.WriteLineAsync($"BROKEN: {report.Breaks.Count} broken link(s) in {brokenStreams} stream(s) of {scope}. {checkedText}.");
            if (report.FirstBreak is { } first)
            {
                await output.WriteLineAsync("First broken link:");
                await WriteBreak(output, first);
            }
            var others = report.Breaks.Where(b => b != report.FirstBreak).ToList();
            if (others.Count > 0)
            {
                await output.WriteLineAsync("Other broken links (the first of each stream):");
                foreach (var other in others.Take(BreaksListed))
                {
                    await WriteBreak(output, other);
                }
                if (others.Count > BreaksListed)
                {
                    await output.WriteLineAsync($"  … and {others.Count - BreaksListed} more (--json lists them all).");
                }
            }
            await WriteLog(output, report.Log);
            return 1;
        }, 2);
    }

    private static async Task WriteLog(TextWriter output, LogVerifyReport? log)
    {
        if (log is null)
        {
            return;
        }
        var head = log.LatestHead is { } latest
            ? string.Create(CultureInfo.InvariantCulture, $"latest head: size {latest.Size:N0}, made {latest.MadeAt:u}, ")
                + (latest.Signature is null ? "UNSIGNED" : log.HeadSignatureValid ? "signature holds" : "signature DOES NOT HOLD")
            : "no signed head yet";
        var counts = string.Create(CultureInfo.InvariantCulture,
            $"{log.EventsChecked:N0} events recomputed against {log.LeavesStored:N0} stored leaves in {log.Seconds:0.00} s ({log.EventsPerSecond:N0} events/s); {head}");
        if (log.FirstDisagreement is not { } first)
        {
            await output.WriteLineAsync($"LOG INTACT: {counts}.");
            return;
        }
        await output.WriteLineAsync($"LOG BROKEN: {counts}.");
        var where = first.Sequence is { } sequence
            ? string.Create(CultureInfo.InvariantCulture, $", sequence {sequence}") +
                (first.Stream is { } s ? string.Create(CultureInfo.InvariantCulture, $", stream {s} version {first.Version}") : "")
            : "";
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"First disagreement: position {first.Position}{where}: {first.Problem}"));
    }

    private static async Task WriteBreak(TextWriter output, ChainBreak link)
    {
        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  stream {link.Stream}, version {link.Version}: {link.Problem}"));
        await output.WriteLineAsync($"    expected: {link.Expected ?? "—"}");
        await output.WriteLineAsync($"    found:    {link.Found ?? "—"}");
    }

    private static string Scope(Settings options) =>
        options.Stream is { } stream ? $"stream {stream}" : options.Area is { } area ? $"area {area}" : options.Database is { } database ? $"the {database} database" : "every stream";
}
