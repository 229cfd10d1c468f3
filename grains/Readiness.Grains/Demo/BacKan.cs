using System.Globalization;
using System.Text;

namespace Readiness.Grains.Demo;

/// <summary>
/// Bắc Kạn province as it stood in 2024: 8 district-level commands and 108 commune-level ones
/// (96 communes, 6 wards, 6 towns), per docs/domain.md.
/// </summary>
public static class BacKan
{
    public const string ProvinceId = "bac-kan";
    public const string ProvinceName = "Bộ CHQS tỉnh Bắc Kạn";

    public static readonly IReadOnlyList<DemoDistrict> Districts =
    [
        new("Thành phố Bắc Kạn", "Ban CHQS thành phố Bắc Kạn",
            Wards: ["Đức Xuân", "Phùng Chí Kiên", "Sông Cầu", "Nguyễn Thị Minh Khai", "Huyền Tụng", "Xuất Hóa"],
            Towns: [],
            Communes: ["Dương Quang", "Nông Thượng"]),
        new("Ba Bể", "Ban CHQS huyện Ba Bể",
            Wards: [], Towns: ["Chợ Rã"],
            Communes: ["Bành Trạch", "Cao Thượng", "Chu Hương", "Địa Linh", "Đồng Phúc", "Hà Hiệu", "Hoàng Trĩ",
                "Khang Ninh", "Mỹ Phương", "Nam Mẫu", "Phúc Lộc", "Quảng Khê", "Thượng Giáo", "Yến Dương"]),
        new("Bạch Thông", "Ban CHQS huyện Bạch Thông",
            Wards: [], Towns: ["Phủ Thông"],
            Communes: ["Cẩm Giàng", "Cao Sơn", "Đôn Phong", "Dương Phong", "Lục Bình", "Mỹ Thanh", "Nguyên Phúc",
                "Quân Hà", "Quang Thuận", "Sĩ Bình", "Tân Tú", "Vi Hương", "Vũ Muộn"]),
        new("Chợ Đồn", "Ban CHQS huyện Chợ Đồn",
            Wards: [], Towns: ["Bằng Lũng"],
            Communes: ["Bản Thi", "Bằng Lãng", "Bằng Phúc", "Bình Trung", "Đại Sảo", "Đồng Thắng", "Lương Bằng",
                "Nam Cường", "Nghĩa Tá", "Ngọc Phái", "Phương Viên", "Quảng Bạch", "Tân Lập", "Xuân Lạc", "Yên Mỹ",
                "Yên Phong", "Yên Thịnh", "Yên Thượng", "Đông Viên"]),
        new("Chợ Mới", "Ban CHQS huyện Chợ Mới",
            Wards: [], Towns: ["Đồng Tâm"],
            Communes: ["Bình Văn", "Cao Kỳ", "Hòa Thành", "Mai Lạp", "Như Cố", "Nông Hạ", "Quảng Chu", "Tân Sơn",
                "Thanh Mai", "Thanh Thịnh", "Thanh Vận", "Yên Cư", "Yên Đĩnh"]),
        new("Na Rì", "Ban CHQS huyện Na Rì",
            Wards: [], Towns: ["Yến Lạc"],
            Communes: ["Côn Minh", "Cư Lễ", "Cường Lợi", "Dương Sơn", "Đổng Xá", "Kim Hỷ", "Kim Lư", "Lạng San",
                "Liêm Thủy", "Lương Thượng", "Quang Phong", "Sơn Thành", "Trần Phú", "Văn Lang", "Văn Minh", "Xuân Dương"]),
        new("Ngân Sơn", "Ban CHQS huyện Ngân Sơn",
            Wards: [], Towns: ["Nà Phặc"],
            Communes: ["Bằng Vân", "Cốc Đán", "Đức Vân", "Hiệp Lực", "Thuần Mang", "Thượng Ân", "Thượng Quan",
                "Trung Hòa", "Vân Tùng"]),
        new("Pác Nặm", "Ban CHQS huyện Pác Nặm",
            Wards: [], Towns: [],
            Communes: ["An Thắng", "Bằng Thành", "Bộc Bố", "Cao Tân", "Cổ Linh", "Công Bằng", "Giáo Hiệu",
                "Nghiên Loan", "Nhạn Môn", "Xuân La"]),
    ];

    /// <summary>The commune-level commands of a district, in the order the report's tables list them.</summary>
    public static IEnumerable<DemoCommune> Communes(DemoDistrict district)
    {
        var districtId = DistrictId(district);
        foreach (var (kind, names) in new[] { ("phường", district.Wards), ("thị trấn", district.Towns), ("xã", district.Communes) })
        {
            foreach (var name in names)
            {
                yield return new DemoCommune($"{districtId}/{Slug(name)}", $"Ban CHQS {kind} {name}", $"{kind} {name}");
            }
        }
    }

    public static string DistrictId(DemoDistrict district) => $"{ProvinceId}/{Slug(district.Name)}";

    /// <summary>A path segment from a Vietnamese name: 'Thành phố Bắc Kạn' → 'thanh-pho-bac-kan'.</summary>
    public static string Slug(string name)
    {
        var decomposed = name.Replace('Đ', 'D').Replace('đ', 'd').Normalize(NormalizationForm.FormD);
        var slug = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(char.ToLowerInvariant(c));
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }
        return slug.ToString().TrimEnd('-');
    }

    /// <summary>A hash that is the same in every process, unlike string.GetHashCode.</summary>
    public static int Stable(string text) => text.Aggregate(17, (hash, c) => unchecked((hash * 31) + c)) & int.MaxValue;
}

/// <summary>A commune-level command: its id, its command's name and the place ("xã Chu Hương").</summary>
public sealed record DemoCommune(string Id, string Name, string Place);

public sealed record DemoDistrict(string Name, string CommandName, string[] Wards, string[] Towns, string[] Communes);

