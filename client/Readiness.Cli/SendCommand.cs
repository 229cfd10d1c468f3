using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Readiness.Client;
using Readiness.Contracts;
using Readiness.Contracts.Http;

namespace Readiness.Cli;

/// <summary>
/// <c>readiness send</c>: one report typed by an operator, such as a commune's on a poor link; with <c>--queue-if-offline</c>
/// it waits in the outbox when the silo cannot be reached, for <c>readiness sync</c>.
/// </summary>
internal static class SendCommand
{
    public const string Usage = """
        readiness send KIND JSON [--queue-if-offline] [--outbox DIR] [--json] [--url http://127.0.0.1:5080] [--token T]
          Sends one command: KIND is its route name (enlist-recruits, record-members-joined, ...), JSON
          its body as in docs/api.md; a command id is added when the body has none. With
          --queue-if-offline, a command the silo cannot take now (unreachable, no answer, 5xx, 429)
          waits in the outbox, with the time it was sent as its occurredAt, for readiness sync.
          An administrator reorganises the chain of command the same way (resubordinate-unit,
          rename-unit, merge-units, dissolve-unit, reorganise), such as
          send resubordinate-unit '{"unitId":"bac-kan/ba-be/cho-ra","parentId":"bac-kan/kv-1",
          "order":"2786/QĐ-BQP","effectiveFrom":"2025-07-01T00:00:00+07:00"}'; readiness tree shows the result.
          Exits 1 when refused, with the problem's detail.
        """;

    // Every command the contracts define, by its route name: the kinds an operator may type.
    private static readonly Dictionary<string, Type> Kinds = typeof(ICommand).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICommand).IsAssignableFrom(t))
        .ToDictionary(CommandPaths.NameOf, StringComparer.Ordinal);

    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) => CommandLine.RunAsync("send", args, output, error);

    public static UsageCommand Create(TextWriter output, TextWriter error)
    {
        var kind = new Argument<string>("kind") { Description = "The command's route name, such as enlist-recruits." };
        kind.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !Kinds.ContainsKey(result.Tokens[0].Value))
            {
                result.AddError($"Unknown command kind '{result.Tokens[0].Value}': one of {string.Join(", ", Kinds.Keys.Order(StringComparer.Ordinal))}.");
            }
        });
        var body = new Argument<string>("json") { Description = "The command's body as JSON; a commandId is added when it has none." };
        var queue = new Option<bool>("--queue-if-offline") { Description = "Keep the command in the outbox when the silo cannot take it now; readiness sync sends it later." };
        var directory = OutboxCommand.Directory();
        var json = Options.Json("Print the silo's answer, or the outbox entry, as JSON.");
        var url = Options.Url();
        var token = Options.Token();
        var command = new UsageCommand("send",
            "Sends one command, such as a commune's report or an administrator's reorganisation; with --queue-if-offline it waits in the outbox when the silo cannot take it now, "
            + "for readiness sync. Exits 1 when refused.", Usage)
        {
            kind, body, queue, directory, json, url, token,
        };
        return command.Runs(parsed => RunAsync(parsed.GetValue(kind)!, parsed.GetValue(body)!, parsed.GetValue(queue) ? OutboxCommand.Open(parsed.GetValue(directory)) : null,
            parsed.GetValue(json), parsed.GetValue(url)!, parsed.GetValue(token), output, error));
    }

    private static async Task<int> RunAsync(string kind, string body, ReadinessOutbox? outbox, bool json, Uri url, string? token, TextWriter output, TextWriter error)
    {
        ICommand command;
        try
        {
            var node = JsonNode.Parse(body) as JsonObject ?? throw new JsonException("the body must be a JSON object.");
            if (node["commandId"] is null)
            {
                node["commandId"] = ReadinessClient.NewCommandId();
            }
            command = (ICommand)(node.Deserialize(Kinds[kind], ContractJson.Options) ?? throw new JsonException("the body is empty."));
        }
        catch (JsonException ex)
        {
            await error.WriteLineAsync($"Not a {kind} command: {ex.Message}");
            return 1;
        }
        return await SendAsync(kind, command, outbox, json, url, token, output, error);
    }

    /// <summary>Sends one command (or keeps it in <paramref name="outbox"/>) and prints what became of it.</summary>
    internal static async Task<int> SendAsync(string kind, ICommand command, ReadinessOutbox? outbox, bool json, Uri url, string? token, TextWriter output, TextWriter error)
    {
        using var client = Connection.Client(url, token, TimeSpan.FromSeconds(30));
        return await Connection.CallAsync(error, url, async () =>
        {
            SendOrQueueResult result = outbox is null
                ? new SendOrQueueResult(await client.SendAsync(command), null, null)
                : await client.SendOrQueueAsync(command, outbox);
            if (json)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    kind,
                    command.CommandId,
                    outcome = result.IsQueued ? "Queued" : result.Accepted!.AlreadyApplied ? "AlreadyApplied" : "Applied",
                    result.Accepted?.StreamId,
                    result.Accepted?.Version,
                    result.Queued?.OccurredAt,
                    result.Reason,
                }, AuditOptions.Indented));
            }
            else if (result.Queued is { } entry)
            {
                await output.WriteLineAsync($"queued           {kind} {command.CommandId}: {result.Reason}");
                await error.WriteLineAsync($"Kept in {outbox!.Directory} with occurredAt {entry.OccurredAt:O}; readiness sync sends it when the silo answers.");
            }
            else
            {
                var accepted = result.Accepted!;
                await output.WriteLineAsync($"{(accepted.AlreadyApplied ? "already applied " : "applied         ")} {kind} {command.CommandId} → {accepted.StreamId} v{accepted.Version}");
            }
            return 0;
        });
    }
}
