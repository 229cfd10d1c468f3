using System.CommandLine;
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

    private sealed record Settings(Uri Url, string Province, int Year, string Lang, string Format, string? Out, string? Token);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("report", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var url = Options.Url();
        var token = Options.Token();
        var year = Options.Number<int>("--year", "The year of the report, such as 2024.", _ => true, "a year such as 2024", NumberStyles.None);
        year.HelpName = "year";
        year.Required = true;
        var province = Options.Text("--province", "id", "The province.", "bac-kan");
        var lang = new Option<string>("--lang") { Description = "The language of the report.", DefaultValueFactory = _ => "vi" };
        lang.AcceptOnlyFromAmong("vi", "en");
        var format = new Option<string>("--format") { Description = "A printable HTML document, or JSON that carries every event id.", DefaultValueFactory = _ => "html" };
        format.AcceptOnlyFromAmong("html", "json");
        var target = Options.Text("--out", "file", "Write to this file, not to standard output.");
        var command = new UsageCommand("report",
            "Writes the province's year-end local-defence report: the figures by district and in total, the awards by kind, each figure with "
            + "the ids of the events behind it.", Usage)
        {
            year, province, lang, format, target, url, token,
        };
        return command.Runs(parsed => RunAsync(new Settings(parsed.GetValue(url)!, parsed.GetValue(province)!, parsed.GetValue(year)!.Value,
            parsed.GetValue(lang)!, parsed.GetValue(format)!, parsed.GetValue(target), parsed.GetValue(token)), output, error));
    }

    private static async Task<int> RunAsync(Settings options, TextWriter output, TextWriter error)
    {
        var year = options.Year;
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
            await OwnerOnlyFile.WriteAllTextAsync(options.Out, document);
            await error.WriteLineAsync($"{summary} → {Path.GetFullPath(options.Out)}");
            return 0;
        });
    }
}
