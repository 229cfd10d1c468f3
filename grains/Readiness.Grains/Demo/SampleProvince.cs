using Readiness.Contracts;

namespace Readiness.Grains.Demo;

/// <summary>
/// The demo's second province, loaded when the provinces are spread over two databases so that each
/// holds one: a made-up province of three districts with four communes each. Unlike Bắc Kạn, none
/// of it comes from a report: its name says so, and every figure here is the demo's own.
/// </summary>
public static class SampleProvince
{
    public const string ProvinceId = "demo-mau";
    public const string ProvinceName = "Bộ CHQS tỉnh mẫu (số liệu của bản demo)";

    private static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);
    private static readonly DateTimeOffset Established = new(2022, 3, 1, 8, 0, 0, Vietnam);
    private static readonly string[] Districts = ["Huyện mẫu A", "Huyện mẫu B", "Huyện mẫu C"];
    private const int CommunesPerDistrict = 4;

    public static IEnumerable<string> DistrictIds() => Districts.Select(d => $"{ProvinceId}/{BacKan.Slug(d)}");

    public static IEnumerable<string> CommuneIds(string districtId) =>
        Enumerable.Range(1, CommunesPerDistrict).Select(n => $"{districtId}/xa-mau-{n}");

    /// <summary>The province's commands, parents first, with fixed ids; recent trainings relative to <paramref name="now"/>.</summary>
    public static IReadOnlyList<DemoCommand> Commands(DateTimeOffset now)
    {
        var commands = new List<DemoCommand>();
        var sequence = 0;
        void Add(int phase, string target, Func<string, ICommand> command) =>
            commands.Add(new DemoCommand(phase, target, command($"demo-mau:{++sequence}")));

        Add(0, ProvinceId, id => new RegisterUnit(id, ProvinceId, ProvinceName, Echelon.Province, null, 80, Established));
        foreach (var (district, districtId) in Districts.Zip(DistrictIds()))
        {
            Add(1, districtId, id => new RegisterUnit(id, districtId, $"Ban CHQS {district.ToLowerInvariant()}", Echelon.District, null, 20, Established));
            foreach (var (communeId, n) in CommuneIds(districtId).Select((c, i) => (c, i + 1)))
            {
                Add(2, communeId, id => new RegisterUnit(id, communeId, $"Ban CHQS xã mẫu {n} ({district})", Echelon.Commune, null, 12, Established));
                Add(3, $"{communeId}/dan-quan", id => new RegisterUnit(id, $"{communeId}/dan-quan", $"Trung đội dân quân xã mẫu {n}", Echelon.ForceUnit, null, 30, Established));
            }
        }

        var joined = Established.AddDays(7);
        var trained = new List<(string Id, int Count)> { (ProvinceId, 4) };
        Add(4, ProvinceId, id => new RecordMembersJoined(id, ProvinceId, ForceType.Standing, 76, joined));
        foreach (var districtId in DistrictIds())
        {
            Add(4, districtId, id => new RecordMembersJoined(id, districtId, ForceType.Standing, 18 + (BacKan.Stable(districtId) % 3), joined));
            trained.Add((districtId, 4));
            foreach (var communeId in CommuneIds(districtId))
            {
                Add(4, communeId, id => new RecordMembersJoined(id, communeId, ForceType.Standing, 12 - (BacKan.Stable(communeId) % 3), joined));
                Add(4, $"{communeId}/dan-quan", id => new RecordMembersJoined(id, $"{communeId}/dan-quan", ForceType.MilitiaSelfDefence, 30 - (BacKan.Stable(communeId) % 5), joined));
                Add(4, communeId, id => new EstablishPartyCell(id, communeId, 3 + (BacKan.Stable(communeId) % 4), joined.AddMonths(2)));
                trained.Add((communeId, 2));
                trained.Add(($"{communeId}/dan-quan", 4));
            }
        }
        foreach (var (unitId, count) in trained)
        {
            for (var n = 0; n < count; n++)
            {
                var at = now.AddDays(-15 - (n * 60) - (BacKan.Stable(unitId) % 10));
                var participants = 8 + (BacKan.Stable(unitId + n) % 15);
                Add(5, unitId, id => new RecordTraining(id, unitId, n % 2 == 0 ? "Huấn luyện chiến thuật" : "Cứu hộ, cứu nạn", participants, Grade.Good, at));
            }
        }
        return commands;
    }
}
