using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The log's figures against PostgreSQL, in one run: the writer's rate, verify's rate over the whole
/// store, and the append path with the log kept and not. Explicit: it copies the demo's events until
/// the store holds READINESS_LOG_FIGURES_EVENTS (200,000 by default), which takes the machine a while.
/// <c>Readiness.Tests -method Readiness.Tests.MerkleLogFigures.Measure -explicit only</c>
/// </summary>
public class MerkleLogFigures(LogSiloFixture log, ITestOutputHelper output) : IClassFixture<LogSiloFixture>
{
    [Fact(Explicit = true)]
    public async Task Measure()
    {
        var target = long.Parse(Environment.GetEnvironmentVariable("READINESS_LOG_FIGURES_EVENTS") ?? "200000", CultureInfo.InvariantCulture);
        var units = (await log.Database.ScalarTextAsync(
            "SELECT string_agg(id, ' ') FROM (SELECT id FROM readiness.mt_streams WHERE id ~ '^[a-z0-9-]+/[a-z0-9-]+/[a-z0-9-]+$' ORDER BY id LIMIT 32) u"))!.Split(' ');

        // The append path, with the log kept (the writer on its 500 ms poll) and without, one after the other.
        var withLog = await AppendRateAsync(units, keepLog: true);
        var withoutLog = await AppendRateAsync(units, keepLog: false);
        await log.CatchUpAsync();

        // A large store: the demo's streams copied under new ids, every copy a new run of sequences.
        var reported = await log.ReportedAsync();
        var copies = Math.Max(0, (target - reported) / reported);
        var copying = Stopwatch.StartNew();
        await using (var connection = new Npgsql.NpgsqlConnection(log.Database.SuperuserConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"""
                INSERT INTO readiness.mt_streams SELECT (r).* FROM (SELECT jsonb_populate_record(NULL::readiness.mt_streams, to_jsonb(s) || jsonb_build_object('id', s.id || '~' || k)) AS r
                  FROM readiness.mt_streams s, generate_series(1, {copies}) k WHERE s.id <> 'mt_tombstone' OFFSET 0) copied;
                -- OFFSET 0 keeps the row made once: (f()).* would call nextval once per column.
                INSERT INTO readiness.mt_events SELECT (r).* FROM (SELECT jsonb_populate_record(NULL::readiness.mt_events, to_jsonb(e) || jsonb_build_object(
                    'seq_id', nextval('readiness.mt_events_sequence'), 'id', gen_random_uuid(), 'stream_id', e.stream_id || '~' || k)) AS r
                  FROM generate_series(1, {copies}) k, LATERAL (SELECT * FROM readiness.mt_events WHERE stream_id <> 'mt_tombstone' ORDER BY seq_id) e OFFSET 0) copied;
                """, connection) { CommandTimeout = 3600 };
            await command.ExecuteNonQueryAsync();
        }
        var total = await log.ReportedAsync();
        output.WriteLine($"copied to {total:N0} events in {copying.Elapsed.TotalSeconds:0.0} s");

        var before = await log.LeavesAsync();
        var writing = Stopwatch.StartNew();
        await log.CatchUpAsync();
        var written = await log.LeavesAsync() - before;
        var writeSeconds = writing.Elapsed.TotalSeconds - 1.1;

        using var http = log.Host.AdminClient();
        http.Timeout = TimeSpan.FromMinutes(30);
        var report = (await http.GetFromJsonAsync<VerifyReport>(new Uri("/api/audit/verify", UriKind.Relative), SiloFixture.Json))!;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            append path, 8 callers, {AppendCount:N0} commands each way: log kept {withLog:N0} commands/s, log off {withoutLog:N0} commands/s
            writer: {written:N0} leaves in {writeSeconds:0.0} s = {written / writeSeconds:N0} leaves/s (read, hash, insert leaves and nodes, sign heads)
            verify over {report.EventsChecked:N0} events: {report.Seconds:0.0} s in all ({report.EventsPerSecond:N0} events/s, chains and log); the log part {report.Log!.Seconds:0.0} s ({report.Log.EventsPerSecond:N0} events/s), log intact {report.Log.Intact}
            """));
        Assert.True(report.Log.Intact, report.Log.FirstDisagreement?.Problem);
    }

    private const int AppendCount = 2000;

    private async Task<double> AppendRateAsync(string[] units, bool keepLog)
    {
        using var stop = new CancellationTokenSource();
        var writer = keepLog ? Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await log.Writer.RunOnceAsync(CancellationToken.None);
                await Task.Delay(500, CancellationToken.None);
            }
        }) : Task.CompletedTask;
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < AppendCount)
            {
                var unit = units[n % units.Length];
                var result = await log.Host.Grains.GetGrain<IUnitGrain>(unit).Execute(
                    new RecordOutreachSession(Guid.NewGuid().ToString(), unit, $"Buổi {n}", 10, DateTimeOffset.UtcNow.AddDays(-1)));
                Assert.True(result.Accepted, result.Rejection?.Message);
            }
        })));
        var rate = AppendCount / watch.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await writer;
        return rate;
    }
}
