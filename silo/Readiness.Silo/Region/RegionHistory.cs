using Readiness.Domain;
using Readiness.Store;

namespace Readiness.Silo.Region;

/// <summary>
/// What the region received from one province, read back from its stream (<c>region:</c> and the id):
/// the record as it stood at a moment, and the reports accepted over a time. The region's views of the
/// past are folds of its own events, as a province's are of its.
/// </summary>
public sealed class RegionHistory(ProvinceDatabases databases)
{
    /// <summary>The province's record from every event received by <paramref name="asOf"/>.</summary>
    public async Task<ProvinceRecord> AtAsync(string provinceId, DateTimeOffset asOf, CancellationToken cancellationToken)
    {
        var record = new ProvinceRecord();
        await foreach (var e in EventsAsync(provinceId, asOf, cancellationToken))
        {
            record = RegionRules.Evolve(record, e.Data);
        }
        return record;
    }

    /// <summary>The reports accepted from <paramref name="provinceId"/> that it made between the two times, oldest first.</summary>
    public async Task<List<ProvinceReportAccepted>> AcceptedAsync(string provinceId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var accepted = new List<ProvinceReportAccepted>();
        await foreach (var e in EventsAsync(provinceId, to, cancellationToken))
        {
            if (e.Data is ProvinceReportAccepted report && report.GeneratedAt >= from && report.GeneratedAt <= to)
            {
                accepted.Add(report);
            }
        }
        return accepted;
    }

    private IAsyncEnumerable<PastEvent> EventsAsync(string provinceId, DateTimeOffset asOf, CancellationToken cancellationToken) =>
        databases.Of(provinceId).Events.StreamEventsAsync(Grains.Actors.RegionProvinceGrain.StreamPrefix + provinceId, asOf, long.MaxValue, cancellationToken);
}
