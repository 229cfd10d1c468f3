using Marten;
using Npgsql;

namespace Readiness.Store;

/// <summary>
/// The one seam between Readiness and the tables Marten keeps its events, streams and daemon
/// progress in. Marten's own API covers appends and loads; what it does not offer (the rows as
/// stored, for the hash chain; folds over an area's events selected by two times; a rebuild that
/// swaps documents in under the stream locks) is SQL, and all of that SQL lives in this class, split
/// by concern into its partial files. A Marten upgrade that reshapes its tables is answered here alone.
/// </summary>
public sealed partial class EventStore(NpgsqlDataSource database, IDocumentStore store)
{
    private const string Events = ReadinessStore.Schema + ".mt_events";
    private const string Streams = ReadinessStore.Schema + ".mt_streams";
    private const string Progression = ReadinessStore.Schema + ".mt_event_progression";
    private const string EventSequence = ReadinessStore.Schema + ".mt_events_sequence";
    private const string RosterDocuments = ReadinessStore.Schema + ".mt_doc_provinceroster";

    private static async IAsyncEnumerable<EventRow> RowsAsync(NpgsqlCommand command, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return EventRow.Read(reader);
            }
        }
    }

    private static async Task<List<string>> StringsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
