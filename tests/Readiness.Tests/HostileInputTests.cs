using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// Thousands of malformed or hostile requests, generated from every command's shape with a fixed
/// seed (and every text field of every command with each character the input rule refuses): none
/// may get a 5xx, every refusal is a problem document, and none appends an event.
/// READINESS_HOSTILE_REQUESTS raises the count.
/// </summary>
public class HostileInputTests(SiloFixture silo)
{
    private static readonly string[] HostileIds =
    [
        "", " ", "'; DROP TABLE readiness.mt_events; --", "<script>alert(1)</script>", "../../etc/passwd", "bac-kan/../x",
        "bac-kan//x", "BAC-KAN", "bac_kan", "bac-kan/", "/bac-kan", "bac-kan/%00", "bắc-kạn", "\u0000", "bac-kan\nx",
        new string('a', 300), string.Join('/', Enumerable.Repeat("a", 20)), "exercise:bac-kan", "post:bac-kan/x", "*",
    ];

    private static readonly JsonNode?[] WrongValues =
    [
        null, true, new JsonObject(), new JsonArray(1, 2), "many", -1e308, 1e308, 99999999999999999999m, long.MinValue,
        "2024-13-45T25:61:00Z", "0000-00-00", "yesterday", "R9", "Emperor", "'; DELETE FROM readiness.mt_streams; --", "<img src=x onerror=alert(1)>",
    ];

    [Fact]
    public async Task Malformed_and_hostile_commands_and_queries_get_problem_documents_never_a_5xx_and_append_nothing()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("READINESS_HOSTILE_REQUESTS"), CultureInfo.InvariantCulture, out var n) ? n : 2000;
        var tree = await silo.NewProvinceAsync();
        var prefix = $"hostile-{Guid.NewGuid():N}-";
        var random = new Random(20241231);
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();

        // First every text field of every command once with each refused character, then the random mix.
        var sweep = CommandBodies.Types
            .SelectMany(type => CommandBodies.TextFields(type).SelectMany(field => CommandBodies.RefusedText.Select(text => (type, field, text.Escape))))
            .ToList();
        for (var i = 0; i < sweep.Count + count; i++)
        {
            using var request = i < sweep.Count ? RefusedTextCommand(sweep[i], tree, prefix + i)
                : i % 5 == 4 ? HostileQuery(random, tree) : HostileCommand(random, tree, prefix + i);
            var description = $"{request.Method} {request.RequestUri} {(request.Content is null ? "" : Truncate(await request.Content.ReadAsStringAsync()))}";
            using var response = await silo.Http.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status >= 500)
            {
                failures.Add($"{status} for {description}: {Truncate(await response.Content.ReadAsStringAsync())}");
            }
            // Kestrel itself refuses a NUL in the path, with a bare 400, before the application sees it.
            else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json"
                && !(status == 400 && request.RequestUri!.OriginalString.EndsWith("/%00", StringComparison.Ordinal)))
            {
                failures.Add($"{status} without a problem document for {description}");
            }
            else if (status < 400 && request.Method == HttpMethod.Post)
            {
                failures.Add($"{status}: accepted {description}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(20)));
        Assert.Equal(0, await silo.Database.ScalarAsync(
            "SELECT count(*) FROM readiness.mt_events WHERE headers->>'command-id' LIKE @prefix", ("prefix", prefix + "%")));
        // Refusals must come from reading the input, not from the rate limiter standing in front of it.
        Assert.True(statuses.Keys.All(s => s is (>= 400 and < 500 and not 429) or 200), string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        Directory.CreateDirectory("TestResults");
        await File.WriteAllTextAsync("TestResults/hostile-input.txt",
            $"{sweep.Count + count} hostile requests: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Value} × {s.Key}")) + "; 0 events appended\n");
    }

    /// <summary>A command that a valid body was turned into by one to three breaking mutations.</summary>
    private static HttpRequestMessage HostileCommand(Random random, TestProvince tree, string commandId)
    {
        var type = CommandBodies.Types[random.Next(CommandBodies.Types.Count)];
        var request = new HttpRequestMessage(HttpMethod.Post, CommandBodies.RouteOf(type));
        var body = CommandBodies.For(type, tree, commandId);
        var fields = CommandBodies.Fields(type).Where(f => f.Name != "commandId").ToList();
        var actorField = fields.First(f => f.Name is "unitId" or "exerciseId" or "postId" or "unitIds" or "steps").Name;
        switch (random.Next(10))
        {
            case 9:
                var text = CommandBodies.TextFields(type);
                return RefusedTextCommand((type, text[random.Next(text.Count)], CommandBodies.RefusedText[random.Next(CommandBodies.RefusedText.Count)].Escape), tree, commandId);
            case 0:
                request.Content = Raw(Encoding.UTF8.GetBytes(body.ToJsonString())[..^random.Next(1, 10)]);
                return request;
            case 1:
                var bytes = Encoding.UTF8.GetBytes(body.ToJsonString().Replace("\"x\"", "\"\u0001\"", StringComparison.Ordinal));
                bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100);
                request.Content = Raw([.. bytes, 0xC3, 0x28, 0xFF]);
                return request;
            case 2:
                request.Content = Raw(Encoding.UTF8.GetBytes(random.Next(3) switch { 0 => "[]", 1 => "", _ => "null" }));
                return request;
            case 3:
                body.Remove(random.Next(2) == 0 ? "commandId" : actorField);
                break;
            case 4:
                body["commandId"] = random.Next(2) == 0 ? "" : new string('c', 129);
                break;
            case 5:
                body[actorField] = HostileIds[random.Next(HostileIds.Length)];
                break;
            case 6:
                body["occurredAt"] = random.Next(2) == 0 ? "2099-01-01T00:00:00Z" : "not-a-date";
                break;
            default:
                var typed = fields.Where(f => f.Type != typeof(string)).ToList();
                if (typed.Count == 0)
                {
                    body[actorField] = HostileIds[random.Next(HostileIds.Length)];
                    break;
                }
                var (name, fieldType) = typed[random.Next(typed.Count)];
                // occurredAt is optional: null means now, so it breaks nothing there.
                var breaking = WrongValues.Where(v => Breaks(v, fieldType) && !(v is null && name == "occurredAt")).ToList();
                body[name] = breaking[random.Next(breaking.Count)]?.DeepClone();
                break;
        }
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>A valid command but for one text field holding a control character or a lone surrogate (a JSON escape).</summary>
    private static HttpRequestMessage RefusedTextCommand((Type Type, string Field, string Escape) text, TestProvince tree, string commandId) =>
        new(HttpMethod.Post, CommandBodies.RouteOf(text.Type))
        {
            Content = new StringContent(CommandBodies.WithText(text.Type, tree, commandId, text.Field, text.Escape), Encoding.UTF8, "application/json"),
        };

    /// <summary>True when the value cannot bind to a field of the type, so the request must be refused.</summary>
    private static bool Breaks(JsonNode? value, Type type)
    {
        if (value is null)
        {
            return type.IsValueType || type == typeof(IReadOnlyList<string>);
        }
        if (value is JsonValue scalar && scalar.TryGetValue<string>(out var text))
        {
            return type == typeof(DateTimeOffset) ? !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, out _)
                : type.IsEnum ? !Enum.GetNames(type).Contains(text, StringComparer.OrdinalIgnoreCase)
                : true;
        }
        if (value is JsonValue number && (number.TryGetValue<double>(out _) || number.TryGetValue<decimal>(out _) || number.TryGetValue<long>(out _)))
        {
            return type == typeof(int) ? !number.TryGetValue<int>(out var small) || small < 1 : type != typeof(long);
        }
        return true;
    }

    private static HttpRequestMessage HostileQuery(Random random, TestProvince tree)
    {
        var hostile = Uri.EscapeDataString(HostileIds[random.Next(HostileIds.Length)]);
        var wrong = Uri.EscapeDataString(WrongValues[random.Next(WrongValues.Length)]?.ToJsonString() ?? "null");
        string[] paths =
        [
            $"/api/units/{hostile}", $"/api/exercises/{hostile}", $"/api/duty-posts/{hostile}",
            $"/api/provinces/{tree.ProvinceId}/readiness?asOf={wrong}", $"/api/provinces/{tree.ProvinceId}/readiness?knownAt={wrong}",
            $"/api/history?unit={hostile}", $"/api/history?unit={tree.CommuneId}&limit={wrong}", $"/api/history?unit={tree.CommuneId}&kind={wrong}",
            $"/api/provinces/{tree.ProvinceId}/history?after={wrong}", $"/api/provinces/{tree.ProvinceId}/units?parent={hostile}",
            $"/api/provinces/{hostile}/districts/{hostile}", $"/api/provinces/{tree.ProvinceId}/reports/{wrong}",
            $"/api/audit/verify?area={hostile}", $"/api/export?area={hostile}",
        ];
        return new HttpRequestMessage(HttpMethod.Get, paths[random.Next(paths.Length)]);
    }

    private static ByteArrayContent Raw(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        return content;
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
