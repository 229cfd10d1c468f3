using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Readiness.Contracts;
using Readiness.Domain.Integrity;
using Readiness.Silo.Security;

namespace Readiness.Benchmarks;

/// <summary>
/// What the region's own instance costs: how many signed province reports a second it verifies (signature,
/// sequence, the head's signature and its consistency proof from the last witnessed head) and stores as events,
/// at 1, 8 and 32 provinces reporting at once, and one consistency check against a log of a million leaves.
/// Every province's log is a million leaves long when it first reports, so each proof is of a real province's size.
/// <c>dotnet run -c Release --project tests/Readiness.Benchmarks -- --region [reports per province]</c>
/// </summary>
public static class RegionFigures
{
    private const long LogSize = 1_000_000;
    private const int LeavesPerReport = 40;
    private const int ChainHeadsPerReport = 300;
    // The first province warms the silo (JIT, pools, the region's grains) and is not reported.
    private static readonly int[] ProvincesAtOnce = [1, 1, 8, 32];

    public static async Task<int> RunAsync(int reportsPerProvince)
    {
        Console.WriteLine($"Region figures: {reportsPerProvince} reports per province, logs of {LogSize:N0} leaves, {Environment.ProcessorCount} cores");
        var watch = Stopwatch.StartNew();
        var log = new MemoryLog();
        for (long i = 0; i < LogSize + (long)LeavesPerReport * reportsPerProvince; i++)
        {
            log.Append(SHA256.HashData(BitConverter.GetBytes(i)));
        }
        Console.WriteLine($"  log built in {watch.Elapsed.TotalSeconds:0.0} s");
        var consistencyCheck = TimeConsistencyCheck(log);

        var provinces = ProvincesAtOnce.SelectMany((count, level) => Enumerable.Range(0, count).Select(n => new ReportingProvince($"tinh-{level}-{n:00}"))).ToList();
        // Reports from a real province silo, not signed beforehand.
        var live = new ReportingProvince("tinh-that");
        try
        {
            watch.Restart();
            var deliveries = provinces.ToDictionary(p => p.Id, p => p.Deliveries(log, reportsPerProvince));
            Console.WriteLine($"  {provinces.Count * reportsPerProvince:N0} reports signed beforehand in {watch.Elapsed.TotalSeconds:0.0} s (not timed below)");

            await using var database = await BenchDatabase.CreateAsync();
            var regionKeyPem = Es256Key.NewPem();
            await using var region = await SiloRunner.StartAsync(database, RegionSettings([.. provinces, live], regionKeyPem));
            using var anonymous = new HttpClient { BaseAddress = region.BaseAddress };

            var failed = false;
            var offset = 0;
            foreach (var (count, level) in ProvincesAtOnce.Select((count, level) => (count, level)))
            {
                var reporting = provinces.Skip(offset).Take(count).ToList();
                offset += count;
                var latencies = reporting.Select(_ => new Latencies()).ToArray();
                var refusals = new string?[count];
                var storedBefore = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE type = 'province_report_accepted'");
                var started = Stopwatch.GetTimestamp();
                await Task.WhenAll(reporting.Select((province, n) => Task.Run(async () =>
                {
                    foreach (var delivery in deliveries[province.Id])
                    {
                        var t0 = Stopwatch.GetTimestamp();
                        using var response = await anonymous.SendAsync(delivery.Request());
                        latencies[n].Add(Latencies.Since(t0));
                        if (response.StatusCode != HttpStatusCode.OK)
                        {
                            refusals[n] ??= $"{province.Id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                        }
                    }
                })));
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                var stored = await database.ScalarAsync("SELECT count(*) FROM readiness.mt_events WHERE type = 'province_report_accepted'") - storedBefore;
                var all = new Latencies();
                foreach (var l in latencies)
                {
                    all.AddRange(l);
                }
                var expected = count * reportsPerProvince;
                if (level == 0)
                {
                    failed |= stored != expected;
                    continue;
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {count,2} provinces at once: {stored / seconds,7:N0} reports/s verified and stored ({stored:N0} of {expected:N0} stored), p50 {all.P50:0.0} ms, p99 {all.P99:0.0} ms"));
                foreach (var refusal in refusals.OfType<string>())
                {
                    Console.WriteLine($"    refused: {refusal}");
                    failed = true;
                }
                failed |= stored != expected;
            }
            failed |= !await LevelChangeToRegionAsync(region, regionKeyPem, live);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  one consistency check at {LogSize:N0} leaves (the proof from the last witnessed head, {consistencyCheck.Hashes} hashes): {consistencyCheck.Microseconds:0.0} µs"));
            return failed ? 1 : 0;
        }
        finally
        {
            foreach (var province in provinces)
            {
                province.Dispose();
            }
            live.Dispose();
        }
    }

    /// <summary>
    /// A real province silo beside the region, reporting to it with its default settings (the outbox polled every 30 s,
    /// and worked at once when a committed batch changes a province's level): its commander's assessment changes its level,
    /// and the time is from that command's answer to the region's list of provinces showing the new level. The region's
    /// page asks for that list every 5 s besides.
    /// </summary>
    private static async Task<bool> LevelChangeToRegionAsync(SiloRunner region, string regionKeyPem, ReportingProvince reporting)
    {
        const int changes = 20;
        // The province keeps the heads the region cosigns only with the region's key pinned, as a real one would.
        var witnessKeys = Path.Combine(Path.GetTempPath(), $"readiness-bench-witness-{Environment.ProcessId}.json");
        using (var regionKey = Es256Key.FromPem(regionKeyPem, "region"))
        {
            await File.WriteAllTextAsync(witnessKeys, JsonSerializer.Serialize(new PublicJwkSet([regionKey.PublicKey with { Purpose = CosignedHead.SignedPurpose }]), SiloRunner.Web));
        }
        try
        {
            return await LevelChangeToRegionAsync(region, reporting, witnessKeys, changes);
        }
        finally
        {
            File.Delete(witnessKeys);
        }
    }

    private static async Task<bool> LevelChangeToRegionAsync(SiloRunner region, ReportingProvince reporting, string witnessKeys, int changes)
    {
        await using var database = await BenchDatabase.CreateAsync();
        await using var province = await SiloRunner.StartAsync(database, new Dictionary<string, string?>
        {
            ["Readiness:UpwardReports:Endpoints:0:Name"] = "region",
            ["Readiness:UpwardReports:Endpoints:0:Url"] = new Uri(region.BaseAddress, "/api/region/reports").ToString(),
            ["Readiness:UpwardReports:Endpoints:0:WitnessKeysFile"] = witnessKeys,
            ["Readiness:UpwardReports:SigningKeyPem"] = reporting.ReportKeyPem,
            ["Readiness:Log:SigningKeyPem"] = reporting.HeadKeyPem,
        });
        var registered = await province.Http.PostAsJsonAsync(new Uri("/api/commands/register-unit", UriKind.Relative),
            new RegisterUnit(Guid.NewGuid().ToString("N"), reporting.Id, $"Tỉnh {reporting.Id}", Echelon.Province, null, 120, DateTimeOffset.UtcNow.AddYears(-1)), SiloRunner.Web);
        registered.EnsureSuccessStatusCode();

        var latencies = new Latencies();
        var level = ReadinessLevel.R2;
        for (var n = 0; n < changes; n++)
        {
            level = level == ReadinessLevel.R1 ? ReadinessLevel.R2 : ReadinessLevel.R1;
            // Apart from the last change's report, so that each is timed on its own.
            await Task.Delay(Random.Shared.Next(500, 1500));
            using var assessed = await province.Http.PostAsJsonAsync(new Uri("/api/commands/assess-readiness", UriKind.Relative),
                new AssessReadiness(Guid.NewGuid().ToString("N"), reporting.Id, level, "Kiểm tra thực tế", "Chỉ huy trưởng"), SiloRunner.Web);
            assessed.EnsureSuccessStatusCode();
            var t0 = Stopwatch.GetTimestamp();
            var deadline = t0 + 60 * Stopwatch.Frequency;
            while (true)
            {
                var seen = await region.Http.GetFromJsonAsync<List<WitnessedProvince>>(new Uri("/api/region/provinces", UriKind.Relative), SiloRunner.Web);
                if (seen?.FirstOrDefault(p => p.Id == reporting.Id)?.Level == level)
                {
                    latencies.Add(Latencies.Since(t0));
                    break;
                }
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    Console.WriteLine($"    the region did not show {reporting.Id} at {level} within 60 s of the change");
                    return false;
                }
                await Task.Delay(20);
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  a province's level change to the region's list ({changes} changes, the province's default outbox settings): p50 {latencies.P50:N0} ms, p99 {latencies.P99:N0} ms"));
        return true;
    }

    private static (double Microseconds, int Hashes) TimeConsistencyCheck(MemoryLog log)
    {
        var first = LogSize - LeavesPerReport;
        var firstRoot = MerkleLog.RangeHash(log, 0, first);
        var secondRoot = MerkleLog.RangeHash(log, 0, LogSize);
        var proof = MerkleLog.ConsistencyProof(log, first, LogSize);
        const int checks = 20_000;
        var watch = Stopwatch.StartNew();
        for (var n = 0; n < checks; n++)
        {
            if (!MerkleLog.VerifyConsistency(first, LogSize, firstRoot, secondRoot, proof))
            {
                throw new InvalidOperationException("A consistency proof made from the log did not verify.");
            }
        }
        return (watch.Elapsed.TotalMicroseconds / checks, proof.Count);
    }

    private static Dictionary<string, string?> RegionSettings(IReadOnlyList<ReportingProvince> provinces, string regionKeyPem)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Readiness:Region:Enabled"] = "true",
            ["Readiness:Region:Name"] = "quan-khu-benchmark",
            ["Readiness:Region:SigningKeyPem"] = regionKeyPem,
        };
        for (var i = 0; i < provinces.Count; i++)
        {
            settings[$"Readiness:Region:Provinces:{i}:Id"] = provinces[i].Id;
            var keys = new[] { provinces[i].ReportKey.PublicKey with { Purpose = UpwardReport.SignedPurpose }, provinces[i].HeadKey.PublicKey with { Purpose = TreeHeadText.Purpose } };
            for (var k = 0; k < keys.Length; k++)
            {
                settings[$"Readiness:Region:Provinces:{i}:Keys:{k}:Kid"] = keys[k].Kid;
                settings[$"Readiness:Region:Provinces:{i}:Keys:{k}:X"] = keys[k].X;
                settings[$"Readiness:Region:Provinces:{i}:Keys:{k}:Y"] = keys[k].Y;
                settings[$"Readiness:Region:Provinces:{i}:Keys:{k}:Purpose"] = keys[k].Purpose;
            }
        }
        return settings;
    }

    private sealed record Delivery(string Body, string Signature, long? From, string? Proof)
    {
        public HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/region/reports", UriKind.Relative))
            {
                Content = new StringContent(Body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Readiness-Signature", Signature);
            if (From is { } from)
            {
                request.Headers.Add(ConsistencyHeaders.From, from.ToString(CultureInfo.InvariantCulture));
                request.Headers.Add(ConsistencyHeaders.Proof, Proof);
            }
            return request;
        }
    }

    /// <summary>A province as the region sees it: its id, its two pinned keys, and reports the size of a real one.</summary>
    private sealed class ReportingProvince(string id) : IDisposable
    {
        private const string LogName = "readiness";
        private Es256Key? reportKey;
        private Es256Key? headKey;

        public string Id { get; } = id;
        public string ReportKeyPem { get; } = Es256Key.NewPem();
        public string HeadKeyPem { get; } = Es256Key.NewPem();
        public Es256Key ReportKey => reportKey ??= Es256Key.FromPem(ReportKeyPem, $"{Id} report");
        public Es256Key HeadKey => headKey ??= Es256Key.FromPem(HeadKeyPem, $"{Id} head");

        public List<Delivery> Deliveries(MemoryLog log, int count)
        {
            var madeAt = DateTimeOffset.UtcNow;
            var chainHeads = Enumerable.Range(0, ChainHeadsPerReport)
                .Select(n => new ChainHead($"{Id}/xa-{n:000}", 120 + n, Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(n))))).ToList();
            var districts = Enumerable.Range(0, 8).Select(n => new ProvinceDistrictLine($"{Id}/kv-{n}", $"Khu vực {n}", ReadinessLevel.R1, new LevelCounts(30, 4, 0, 0))).ToList();
            var deliveries = new List<Delivery>(count);
            for (var number = 1; number <= count; number++)
            {
                var size = LogSize + (long)LeavesPerReport * (number - 1);
                var root = Convert.ToBase64String(MerkleLog.RangeHash(log, 0, size));
                var head = new TreeHead(size, root, madeAt, HeadKey.KeyId, HeadKey.SignDetached(Encoding.UTF8.GetBytes(TreeHeadText.Payload(size, root, madeAt, LogName))), LogName);
                var report = new UpwardReport($"{Id}/routine/{number}", Id, $"Tỉnh {Id}", "routine", madeAt, ReadinessLevel.R1,
                    new LevelCounts(240, 32, 1, 0), districts, 0, 0, number, "digest", chainHeads, head, Log: LogName, ReportSequence: number);
                var body = JsonSerializer.Serialize(report, SiloRunner.Web);
                var signature = ReportKey.SignDetached(Encoding.UTF8.GetBytes(body));
                deliveries.Add(number == 1
                    ? new Delivery(body, signature, null, null)
                    : new Delivery(body, signature, size - LeavesPerReport,
                        string.Join(',', MerkleLog.ConsistencyProof(log, size - LeavesPerReport, size).Select(Convert.ToBase64String))));
            }
            return deliveries;
        }

        public void Dispose()
        {
            reportKey?.Dispose();
            headKey?.Dispose();
        }
    }
}
