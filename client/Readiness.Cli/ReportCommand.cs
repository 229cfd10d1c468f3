using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Readiness.Cli;

/// <summary><c>readiness report</c>: the province's year-end local-defence report, as HTML or JSON.</summary>
internal static class ReportCommand
{
    public const string Usage = """
        readiness report --year 2024 [--province bac-kan] [--lang vi|en] [--format html|json] [--out file] [--url http://127.0.0.1:5080] [--token T]
          Writes the province's year-end local-defence report: the figures by district and in total,
          the awards by kind, each figure with the ids of the events behind it. HTML (the default) is
          a printable document; JSON carries every event id. Written to --out, or to standard output.
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Vietnamese stays readable in the file instead of becoming \u escapes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    private sealed record Options(Uri Url, string Province, int? Year, string Lang, string Format, string? Out, string? Token = null);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var options = Parse(args, error);
        if (options?.Year is not { } year)
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromSeconds(60));
        return await Connection.CallAsync(error, options.Url, async () =>
        {
            string document;
            string summary;
            if (options.Format == "html")
            {
                document = await client.GetYearReportHtmlAsync(options.Province, year, options.Lang);
                summary = $"HTML report of {options.Province} for {year}";
            }
            else
            {
                var report = await client.GetYearReportAsync(options.Province, year, options.Lang);
                document = JsonSerializer.Serialize(report, Json);
                summary = $"{report.Title}: {report.Basis.EventsCited} events cited, up to sequence {report.Basis.LastSequence}";
            }

            if (options.Out is null)
            {
                await output.WriteAsync(document);
                return 0;
            }
            await File.WriteAllTextAsync(options.Out, document);
            await error.WriteLineAsync($"{summary} → {Path.GetFullPath(options.Out)}");
            return 0;
        });
    }

    private static Options? Parse(string[] args, TextWriter error)
    {
        var result = new Options(AuditOptions.DefaultUrl, "bac-kan", null, "vi", "html", null);
        var reader = new OptionReader(error);
        // An odd count is refused before any option is read, so it never says "Bad option".
        if (args.Length % 2 != 0 || !reader.ReadPairs(args, Own))
        {
            return null;
        }
        return result with { Url = reader.Url, Token = reader.Token };

        bool Own(string name, string value)
        {
            Options? next = name switch
            {
                "--province" when value.Length > 0 => result with { Province = value },
                "--year" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var year) => result with { Year = year },
                "--lang" when value is "vi" or "en" => result with { Lang = value },
                "--format" when value is "html" or "json" => result with { Format = value },
                "--out" when value.Length > 0 => result with { Out = value },
                _ => null,
            };
            result = next ?? result;
            return next is not null;
        }
    }
}
