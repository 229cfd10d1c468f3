using Readiness.Client;
using Readiness.Contracts;

namespace Readiness.Cli;

/// <summary>Picks plausible reports for the province's units and posts, and sends them at a steady rate.</summary>
internal sealed class Simulation(ReadinessClient client, string province, TextWriter output)
{
    private string province = province;
    private static readonly string[] Topics = ["Luật Quốc phòng", "Luật Dân quân tự vệ", "Phòng chống thiên tai", "Bảo vệ biên giới"];
    private static readonly string[] Subjects = ["Bắn súng tiểu liên AK", "Huấn luyện chiến thuật", "Cứu hộ, cứu nạn", "Phòng chống cháy rừng"];
    private static readonly string[] Incidents = ["Cháy rừng", "Sạt lở đất", "Lũ quét", "Tai nạn giao thông"];

    private readonly Random random = new(2024);
    private readonly List<UnitSummary> communes = [];
    // Each commune's force units (its militia platoon), by the commune's id: found under it, whatever their ids say.
    private readonly Dictionary<string, List<string>> forces = new(StringComparer.Ordinal);
    private readonly List<string> posts = [];

    public int Sent { get; private set; }
    public int Refused { get; private set; }

    public async Task RunAsync(double rate, CancellationToken cancellationToken)
    {
        // A province merged into another reports no more: its successor's units do.
        if (await client.GetProvinceReadinessAsync(province, cancellationToken) is { DissolvedAt: { } dissolved, SuccessorId: { } successor })
        {
            await output.WriteLineAsync($"{province} was merged into {successor} on {dissolved:yyyy-MM-dd}; simulating {successor}.");
            province = successor;
        }
        // Communes stand under a district, a regional command, or (since January 2026) the province itself.
        var underProvince = await Units(province, cancellationToken);
        communes.AddRange(underProvince.Where(u => u.Echelon == Echelon.Commune));
        foreach (var district in underProvince.Where(d => d.Echelon is Echelon.District or Echelon.RegionalDefence))
        {
            communes.AddRange((await Units(district.Id, cancellationToken)).Where(u => u.Echelon == Echelon.Commune));
            posts.Add($"{district.Id}/sscd");
        }
        foreach (var commune in communes)
        {
            forces[commune.Id] = [.. (await Units(commune.Id, cancellationToken)).Where(u => u.Echelon == Echelon.ForceUnit).Select(u => u.Id)];
        }
        posts.Add($"{province}/sscd");
        if (communes.Count == 0)
        {
            await output.WriteLineAsync($"{province} has no commune command under it to report for; nothing was sent.");
            return;
        }
        await output.WriteLineAsync($"Simulating reports for {communes.Count} communes and {posts.Count} duty posts at {rate}/s. Ctrl+C stops.");

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / rate));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                // Not cancelled once under way: a report abandoned in flight may still be applied, and then
                // the count printed at the end would be short of what the store holds.
                await SendOne(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Time is up, or Ctrl+C.
        }
    }

    private async Task SendOne(CancellationToken cancellationToken)
    {
        var commune = communes[random.Next(communes.Count)];
        var militia = forces[commune.Id] is { Count: > 0 } platoons ? platoons[random.Next(platoons.Count)] : commune.Id;
        var post = posts[random.Next(posts.Count)];
        string Id() => ReadinessClient.NewCommandId();
        ICommand command = random.Next(10) switch
        {
            0 or 1 => new RecordOutreachSession(Id(), commune.Id, Topics[random.Next(Topics.Length)], random.Next(40, 130)),
            2 or 3 => new RecordTraining(Id(), militia, Subjects[random.Next(Subjects.Length)], random.Next(15, 31), random.Next(6) == 0 ? Grade.Pass : Grade.Excellent),
            4 => new RecordMembersJoined(Id(), militia, ForceType.MilitiaSelfDefence, random.Next(1, 3)),
            5 => new RecordMembersLeft(Id(), militia, ForceType.MilitiaSelfDefence, 1, "Hết niên hạn"),
            6 => new ReportDutyStaffing(Id(), post, random.Next(3) == 0 ? 3 : 12, "Báo cáo quân số trực"),
            7 => await Handover(post, cancellationToken),
            8 => new ReportDutyIncident(Id(), post, $"sim-{Guid.NewGuid():N}"[..12], Incidents[random.Next(Incidents.Length)], commune.Name),
            _ => new RecordDefenceEducation(Id(), commune.Id, EducationAudience.Cadres, random.Next(10, 40)),
        };
        try
        {
            var accepted = await client.SendAsync(command, cancellationToken);
            Sent++;
            await output.WriteLineAsync($"{DateTime.Now:HH:mm:ss} {command.GetType().Name,-26} {accepted.StreamId} v{accepted.Version}");
        }
        // A refused token refuses every report: stop and say so rather than count them.
        catch (ReadinessApiException ex) when (ex.StatusCode is not (401 or 403))
        {
            Refused++;
            await output.WriteLineAsync($"{DateTime.Now:HH:mm:ss} {command.GetType().Name,-26} refused: {ex.Problem.Detail}");
        }
    }

    private async Task<ICommand> Handover(string post, CancellationToken cancellationToken)
    {
        var current = await client.GetDutyPostAsync(post, cancellationToken);
        var next = $"Trực ban {random.Next(1, 5)}";
        return current.OnDuty
            ? new HandOverDutyShift(ReadinessClient.NewCommandId(), post, current.Commander!, next, current.StaffRequired)
            : new StartDutyShift(ReadinessClient.NewCommandId(), post, next, current.StaffRequired);
    }

    private Task<IReadOnlyList<UnitSummary>> Units(string parent, CancellationToken cancellationToken) =>
        client.GetUnitsAsync(province, parent, cancellationToken);
}
