using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Tests.Infrastructure;

namespace Readiness.Tests;

/// <summary>
/// The input rule on text (no control character, no unpaired surrogate), walked over every text
/// field of every command found by reflection, through HTTP and straight to the grains.
/// </summary>
public class TextRuleTests(SiloFixture silo)
{
    [Fact]
    public async Task Every_text_field_of_every_command_refuses_a_NUL_a_control_character_and_a_lone_surrogate_with_a_400_naming_it()
    {
        var tree = await silo.NewProvinceAsync();
        var before = await StreamsOf(tree);
        var failures = new List<string>();
        var sent = 0;

        foreach (var type in CommandBodies.Types)
        {
            foreach (var field in CommandBodies.TextFields(type))
            {
                foreach (var (escape, codePoint) in CommandBodies.RefusedText)
                {
                    var body = CommandBodies.WithText(type, tree, SiloFixture.NewId(), field, escape);
                    using var response = await silo.Http.PostAsync(new Uri(CommandBodies.RouteOf(type), UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
                    sent++;
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    {
                        failures.Add($"{(int)response.StatusCode} {response.Content.Headers.ContentType} for {type.Name}.{field} with {codePoint}: {text}");
                        continue;
                    }
                    var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString() ?? "";
                    if (!detail.StartsWith(field + " holds ", StringComparison.Ordinal) || !Names(detail, codePoint))
                    {
                        failures.Add($"{type.Name}.{field} with {codePoint}: the detail does not name the field and the character: {detail}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent}:\n" + string.Join('\n', failures.Take(30)));
        Assert.True(sent >= 300, $"only {sent} requests: the walk over the commands' text fields found too few");
        Assert.Equal(before, await StreamsOf(tree));
    }

    [Fact]
    public async Task A_command_sent_straight_to_its_grain_is_refused_the_same_way()
    {
        var tree = await silo.NewProvinceAsync();
        var before = await StreamsOf(tree);
        var failures = new List<string>();

        foreach (var type in CommandBodies.Types)
        {
            foreach (var field in CommandBodies.TextFields(type))
            {
                foreach (var hostile in new[] { "\0", "\u001b", "\ud800" })
                {
                    // Through JSON with a marker, since the JSON reader itself refuses a lone surrogate.
                    var json = CommandBodies.WithText(type, tree, SiloFixture.NewId(), field, "@@");
                    var command = Replaced((ICommand)JsonSerializer.Deserialize(json, type, SiloFixture.Json)!, "@@", hostile);
                    var result = command switch
                    {
                        IUnitCommand c => await silo.Grains.GetGrain<IUnitGrain>(c.UnitId).Execute(c),
                        IExerciseCommand c => await silo.Grains.GetGrain<IExerciseGrain>(c.ExerciseId).Execute(c),
                        IDutyPostCommand c => await silo.Grains.GetGrain<IDutyPostGrain>(c.PostId).Execute(c),
                        IReorganisationCommand c => await silo.Grains.GetGrain<IChainOfCommandGrain>(IChainOfCommandGrain.Key).Execute(c),
                        _ => throw new InvalidOperationException(type.Name),
                    };
                    if (result.Rejection is not { Kind: RejectionKind.Invalid } rejection || !rejection.Message.StartsWith(field + " holds ", StringComparison.Ordinal))
                    {
                        failures.Add($"{type.Name}.{field} with U+{(int)hostile[0]:X4}: {result.Rejection?.Kind} {result.Rejection?.Message}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(30)));
        Assert.Equal(before, await StreamsOf(tree));
    }

    [Fact]
    public async Task Prose_keeps_its_lines_and_tabs()
    {
        var tree = await silo.NewProvinceAsync();
        await silo.AcceptAsync(new RecordMembersJoined(SiloFixture.NewId(), tree.CommuneId, ForceType.MilitiaSelfDefence, 3));

        using var response = await silo.Http.PostAsJsonAsync("/api/commands/record-members-left",
            new RecordMembersLeft(SiloFixture.NewId(), tree.CommuneId, ForceType.MilitiaSelfDefence, 1, "Chuyển vùng:\r\n\t- thôn Bản Vài"), SiloFixture.Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // A NUL in a header never reaches the application: Kestrel refuses the request with a bare 400 first.
    [Theory]
    [InlineData("batch\u00077", "U+0007")]
    [InlineData("batch\u001b[2J", "U+001B")]
    [InlineData("batch\u007f", "U+007F")]
    public async Task A_correlation_id_with_a_control_character_is_refused_and_appends_nothing(string correlationId, string codePoint)
    {
        var tree = await silo.NewProvinceAsync();
        var before = await StreamsOf(tree);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/commands/enlist-recruits")
        {
            Content = JsonContent.Create(new EnlistRecruits(SiloFixture.NewId(), tree.CommuneId, 2, 2025), options: SiloFixture.Json),
        };
        Assert.True(request.Headers.TryAddWithoutValidation("X-Correlation-Id", correlationId));

        using var response = await silo.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString();
        Assert.StartsWith("The X-Correlation-Id header holds the control character " + codePoint, detail, StringComparison.Ordinal);
        Assert.Equal(before, await StreamsOf(tree));
    }

    [Theory]
    [InlineData("\"a\\u0000b\"", "U+0000")]
    [InlineData("\"region\\u001b[31m\"", "U+001B")]
    [InlineData("\"a\\ud800\"", "U+D800")]
    public async Task A_token_for_a_subject_with_a_control_character_or_a_lone_surrogate_is_not_minted(string subjectJson, string codePoint)
    {
        using var admin = silo.Host.AdminClient();
        var body = $$"""{"subject":{{subjectJson}},"scopes":["bac-kan"],"roles":["viewer"],"hours":1}""";

        using var response = await admin.PostAsync(new Uri("/api/admin/tokens", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
        Assert.Contains("subject holds ", detail, StringComparison.Ordinal);
        Assert.True(Names(detail, codePoint), detail);
    }

    // The JSON reader refuses a lone surrogate before the text rule sees it, and cannot always say which.
    private static bool Names(string detail, string codePoint) =>
        detail.Contains(codePoint, StringComparison.Ordinal)
        || (codePoint.StartsWith("U+D", StringComparison.Ordinal) && detail.Contains("unpaired UTF-16 surrogate", StringComparison.Ordinal));

    /// <summary>The same command with <paramref name="marker"/> replaced in every text field.</summary>
    private static ICommand Replaced(ICommand command, string marker, string text)
    {
        var type = command.GetType();
        var arguments = type.GetConstructors().Single().GetParameters().Select(p => type.GetProperty(p.Name!)!.GetValue(command) switch
        {
            string s => s.Replace(marker, text, StringComparison.Ordinal),
            IReadOnlyList<string> list => list.Select(s => s.Replace(marker, text, StringComparison.Ordinal)).ToArray(),
            var other => other,
        }).ToArray();
        return (ICommand)Activator.CreateInstance(type, arguments)!;
    }

    /// <summary>Every stream of the test's province with its version and last sequence, in order.</summary>
    private async Task<string?> StreamsOf(TestProvince tree) => await silo.Database.ScalarTextAsync(
        $"SELECT string_agg(id || '@' || version, ',' ORDER BY id) || '/' || (SELECT coalesce(max(seq_id), 0) FROM readiness.mt_events WHERE stream_id LIKE '%{tree.ProvinceId}%') " +
            $"FROM readiness.mt_streams WHERE id LIKE '%{tree.ProvinceId}%'");
}
