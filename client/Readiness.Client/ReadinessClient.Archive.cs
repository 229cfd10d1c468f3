using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Readiness.Contracts;

namespace Readiness.Client;

public sealed partial class ReadinessClient
{
    /// <summary>The media type of an export: CloudEvents, one JSON object a line.</summary>
    public const string ArchiveMediaType = "application/x-ndjson";

    private const int CopyBufferSize = 64 * 1024;

    /// <summary>
    /// Writes the recorded history of an area, or of the whole store, to <paramref name="destination"/>
    /// as the server streams it: CloudEvents in JSON lines, in recording order, each event with its
    /// metadata and its hash. The file is never held in memory, so any size can be exported.
    /// </summary>
    /// <param name="destination">Where the lines go, such as a <see cref="FileStream"/>; left open.</param>
    /// <param name="area">A province or a unit under it, such as <c>bac-kan</c> or <c>bac-kan/ba-be</c>; the whole store when null.</param>
    /// <param name="linesWritten">Told the number of lines written so far, after each block copied; may be null.</param>
    /// <param name="cancellationToken">Cancels the export; what was written so far stays in <paramref name="destination"/>.</param>
    /// <returns>The number of lines (events) written.</returns>
    /// <exception cref="ReadinessApiException">400 for a malformed area.</exception>
    /// <remarks>
    /// The <see cref="HttpClient.Timeout"/> bounds only the wait for the response to begin; the
    /// body then streams for as long as it takes.
    /// </remarks>
    public Task<long> ExportAsync(Stream destination, string? area = null, IProgress<long>? linesWritten = null,
        CancellationToken cancellationToken = default) =>
        ExportFromAsync(area is null ? "api/export" : $"api/export?area={Uri.EscapeDataString(area)}", destination, linesWritten, cancellationToken);

    /// <summary>
    /// Writes the whole recorded history of one database, where the provinces are spread over several
    /// (each keeps its own sequence and its own Merkle log), as <see cref="ExportAsync"/> writes a store's.
    /// </summary>
    /// <param name="destination">Where the lines go; left open.</param>
    /// <param name="database">The database's name, such as <c>main</c>; <see cref="GetProjectionLagAsync"/> names each.</param>
    /// <param name="linesWritten">Told the number of lines written so far; may be null.</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    /// <returns>The number of lines (events) written.</returns>
    /// <exception cref="ReadinessApiException">404 for a database the silo does not know.</exception>
    public Task<long> ExportDatabaseAsync(Stream destination, string database, IProgress<long>? linesWritten = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return ExportFromAsync($"api/export?database={Uri.EscapeDataString(database)}", destination, linesWritten, cancellationToken);
    }

    private async Task<long> ExportFromAsync(string path, Stream destination, IProgress<long>? linesWritten, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        // Headers only: the default would buffer the whole export before handing it over.
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            await Read<ImportReport>(response, cancellationToken); // throws the problem
        }

        await using var source = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long lines = 0;
            var lastByte = (byte)'\n';
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                lastByte = buffer[read - 1];
                linesWritten?.Report(lines);
            }
            await destination.FlushAsync(cancellationToken);
            // The server ends every line with a newline; count a last one that lacks it all the same.
            return lastByte == '\n' ? lines : lines + 1;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Sends an export (CloudEvents in JSON lines, as <see cref="ExportAsync"/> writes it) to be taken
    /// into an empty store. The server checks every stream's hash chain before writing anything, then
    /// writes all the events in one transaction and rebuilds every view from them before it answers.
    /// </summary>
    /// <param name="source">The file, streamed from its current position to its end, never held in memory here; left open.</param>
    /// <param name="cancellationToken">Cancels the call. Once the server has begun writing, the import either completes or is rolled back as a whole.</param>
    /// <returns>How many events and streams were imported, and how fast (the chain check included, the rebuild of the views not).</returns>
    /// <exception cref="ReadinessApiException">
    /// 400 when the file does not verify or cannot be read: <see cref="ApiProblem.Line"/> is its first bad
    /// line (counted from 1) and <see cref="ApiProblem.Detail"/> why; nothing was imported.
    /// 409 when the store already holds events.
    /// </exception>
    /// <remarks>
    /// The whole import, upload and rebuild included, must fit in the <see cref="HttpClient.Timeout"/>
    /// of the client given to the constructor: its 100 s default is short for a large store, so give
    /// the <see cref="HttpClient"/> used for imports a long one (the CLI uses an hour).
    /// </remarks>
    public Task<ImportReport> ImportAsync(Stream source, CancellationToken cancellationToken = default) =>
        ImportAsync(source, null, null, cancellationToken);

    /// <summary>
    /// Sends an export as <see cref="ImportAsync(Stream, CancellationToken)"/> does, with the source's
    /// signed tree head: the server also checks the head's signature with <paramref name="sourceKeys"/>
    /// and that the source's Merkle log over the file's first events has the head's root at its size,
    /// and refuses the whole file otherwise (400, without a line), before writing anything.
    /// </summary>
    /// <param name="source">The file, as for <see cref="ImportAsync(Stream, CancellationToken)"/>.</param>
    /// <param name="sourceHead">A head kept for the source (one of its <see cref="GetTreeHeadsAsync"/>, or a line of its <c>tree-heads.jsonl</c>).</param>
    /// <param name="sourceKeys">The source's public keys, a JWK Set as its <c>/.well-known/jwks.json</c> gives it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The report; its <see cref="ImportReport.SourceHead"/> is the head checked.</returns>
    public async Task<ImportReport> ImportAsync(Stream source, TreeHead? sourceHead, string? sourceKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        if ((sourceHead is null) != (sourceKeys is null))
        {
            throw new ArgumentException("Give the source's tree head and its keys together: the head's signature is checked with the keys.", nameof(sourceKeys));
        }
        using var content = new UploadContent(source);
        content.Headers.ContentType = new MediaTypeHeaderValue(ArchiveMediaType);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("api/import", UriKind.Relative)) { Content = content };
        if (sourceHead is not null)
        {
            // Headers are one line: the head and the key set go compact.
            request.Headers.Add(TreeHeadHeader, JsonSerializer.Serialize(sourceHead, ContractJson.Options));
            using var keys = JsonDocument.Parse(sourceKeys!);
            request.Headers.Add(HeadKeysHeader, JsonSerializer.Serialize(keys.RootElement));
        }
        // Not resent on an unknown outcome: a second attempt after a successful one would get 409.
        using var response = await http.SendAsync(request, cancellationToken);
        return await Read<ImportReport>(response, cancellationToken);
    }

    /// <summary>The request header an import's source head travels in.</summary>
    public const string TreeHeadHeader = "X-Readiness-Tree-Head";

    /// <summary>The request header the source's keys travel in.</summary>
    public const string HeadKeysHeader = "X-Readiness-Head-Keys";

    /// <summary>
    /// Reads the caller's stream as the request is sent, like <see cref="StreamContent"/>, but leaves
    /// it open: StreamContent disposes it, which would take the file from a caller who still holds it.
    /// </summary>
    private sealed class UploadContent(Stream source) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken) =>
            source.CopyToAsync(stream, CopyBufferSize, cancellationToken);

        // A known length lets the request go with Content-Length rather than chunked.
        protected override bool TryComputeLength(out long length)
        {
            length = source.CanSeek ? source.Length - source.Position : 0;
            return source.CanSeek;
        }
    }
}
