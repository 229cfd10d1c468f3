using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Readiness.Client;

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

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Parse(args);
        if (options?.Year is not { } year)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        using var client = Connection.Client(options.Url, options.Token, TimeSpan.FromSeconds(60));
        string document;
        string summary;
        try
        {
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
        }
        catch (ReadinessApiException ex)
        {
            Console.Error.WriteLine(Connection.Explain(ex));
            return 1;
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"Cannot reach the silo at {options.Url}: {ex.Message}. Start it with ./run.sh.");
            return 1;
        }

        if (options.Out is null)
        {
            Console.Out.Write(document);
            return 0;
        }
        await File.WriteAllTextAsync(options.Out, document);
        Console.Error.WriteLine($"{summary} → {Path.GetFullPath(options.Out)}");
        return 0;
    }

    private static Options? Parse(string[] args)
    {
        if (args.Length % 2 != 0)
        {
            return null;
        }
        var result = new Options(new Uri("http://127.0.0.1:5080"), "bac-kan", null, "vi", "html", null);
        for (var i = 0; i < args.Length; i += 2)
        {
            var value = args[i + 1];
            Options? next = args[i] switch
            {
                "--url" when Uri.TryCreate(value, UriKind.Absolute, out var url) => result with { Url = url },
                "--province" when value.Length > 0 => result with { Province = value },
                "--year" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var year) => result with { Year = year },
                "--lang" when value is "vi" or "en" => result with { Lang = value },
                "--format" when value is "html" or "json" => result with { Format = value },
                "--out" when value.Length > 0 => result with { Out = value },
                "--token" when value.Length > 0 => result with { Token = value },
                _ => null,
            };
            if (next is null)
            {
                Console.Error.WriteLine($"Bad option '{args[i]} {value}'.");
                return null;
            }
            result = next;
        }
        return result;
    }
}
