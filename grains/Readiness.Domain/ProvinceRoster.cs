using System.Globalization;
using Readiness.Contracts;

namespace Readiness.Domain;

/// <summary>
/// The province projection's document: every unit of one province with the figures a roll-up
/// needs. Kept flat so that applying an event touches one entry; <see cref="ToView"/> builds the
/// district and commune tree for readers.
/// </summary>
public sealed class ProvinceRoster
{
    // Names are shown to Vietnamese readers in their dictionary order ('Đ' after 'D').
    private static readonly StringComparer VietnameseOrder = StringComparer.Create(CultureInfo.GetCultureInfo("vi-VN"), ignoreCase: false);

    public string Id { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public Dictionary<string, RosterEntry> Units { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The global sequence of the last event applied.</summary>
    public long Sequence { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public void Record(UnitRegistered e)
    {
        if (e.Echelon == Echelon.Province)
        {
            Name = e.Name;
        }
        Units[e.UnitId] = new RosterEntry(e.Name, e.Echelon, e.AuthorisedStrength, ActualStrength: 0);
    }

    public void Record(RecruitsEnlisted e)
    {
        if (Units.TryGetValue(e.UnitId, out var entry))
        {
            Units[e.UnitId] = entry with { ActualStrength = entry.ActualStrength + e.Count };
        }
    }

    public void Advance(long sequence, DateTimeOffset recordedAt)
    {
        Sequence = Math.Max(Sequence, sequence);
        UpdatedAt = recordedAt > UpdatedAt ? recordedAt : UpdatedAt;
    }

    public ProvinceReadinessView ToView(ReadinessPolicy policy)
    {
        var levels = Units.ToDictionary(u => u.Key, u => policy.PersonnelLevel(u.Value.ActualStrength, u.Value.AuthorisedStrength), StringComparer.Ordinal);
        var byDistrict = Units.Keys
            .Where(id => UnitPath.Depth(id) >= 2)
            .GroupBy(id => UnitPath.DistrictOf(id)!, StringComparer.Ordinal);

        var districts = new List<DistrictReadinessView>();
        foreach (var district in byDistrict)
        {
            Units.TryGetValue(district.Key, out var head);
            var communes = district
                .Where(id => UnitPath.Depth(id) >= 3)
                .GroupBy(id => UnitPath.CommuneOf(id)!, StringComparer.Ordinal)
                .Where(g => Units.ContainsKey(g.Key))
                .Select(g =>
                {
                    var commune = Units[g.Key];
                    return new CommuneReadinessView(
                        g.Key, commune.Name, levels[g.Key],
                        commune.AuthorisedStrength, commune.ActualStrength, Count(g, levels));
                })
                .OrderBy(c => c.Name, VietnameseOrder)
                .ToList();
            districts.Add(new DistrictReadinessView(
                district.Key, head?.Name ?? district.Key, head is null ? null : levels[district.Key],
                district.Sum(id => Units[id].AuthorisedStrength), district.Sum(id => Units[id].ActualStrength),
                Count(district, levels), communes));
        }
        districts.Sort((a, b) => VietnameseOrder.Compare(a.Name, b.Name));

        return new ProvinceReadinessView(
            Id, Name.Length == 0 ? Id : Name, levels.TryGetValue(Id, out var own) ? own : null,
            Count(Units.Keys, levels), districts, Sequence, UpdatedAt);
    }

    private static LevelCounts Count(IEnumerable<string> unitIds, Dictionary<string, ReadinessLevel> levels) =>
        unitIds.Aggregate(LevelCounts.None, (counts, id) => counts.Add(levels[id]));
}

public sealed record RosterEntry(string Name, Echelon Echelon, int AuthorisedStrength, int ActualStrength);
