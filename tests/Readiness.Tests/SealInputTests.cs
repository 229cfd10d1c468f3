using System.Globalization;

namespace Readiness.Tests;

/// <summary>
/// The call seal's MAC input names the target and the interface by their text, formatted in place
/// (CallerContext.Seal.cs); silos that format them as a string must compute the same MAC.
/// </summary>
public class SealInputTests
{
    public static TheoryData<string, string> Ids => new()
    {
        { "unit", "bq00/ba-be/xa-1" },
        { "exercise", "Tỉnh Bắc Kạn/diễn tập 2026" },
        { "dutypost", "a key with 🎖 beyond the basic plane" },
        { "chainofcommand", "main" },
    };

    [Theory]
    [MemberData(nameof(Ids))]
    public void A_grain_id_and_an_interface_format_in_place_as_their_text(string type, string key)
    {
        var id = GrainId.Create(type, key);
        var face = GrainInterfaceType.Create($"Readiness.Abstractions.I{type}Grain");
        Span<char> text = stackalloc char[256];

        Assert.True(((ISpanFormattable)id).TryFormat(text, out var written, default, CultureInfo.InvariantCulture));
        Assert.Equal(id.ToString(), text[..written].ToString());
        Assert.True(((ISpanFormattable)face).TryFormat(text, out written, default, CultureInfo.InvariantCulture));
        Assert.Equal(face.ToString(), text[..written].ToString());
    }
}
