using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Store.Projections;

/// <summary>
/// A duty post's document. Manning is kept as periods during which a shift was on with at least the
/// required staff, so coverage over any window is a sum of overlaps.
/// </summary>
public sealed class DutyPostRecord
{
    public string Id { get; set; } = string.Empty;
    public string PostId { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public DutyKind Kind { get; set; }
    public string OwnerUnitId { get; set; } = string.Empty;
    public int StaffRequired { get; set; }
    public int ShiftHours { get; set; }
    public DateTimeOffset EstablishedAt { get; set; }
    public bool OnDuty { get; set; }
    public string? Commander { get; set; }
    public int StaffPresent { get; set; }
    public DateTimeOffset? ShiftStartedAt { get; set; }
    public List<ManningPeriod> Manning { get; set; } = [];
    public List<OpenIncident> OpenIncidents { get; set; } = [];
    public int IncidentsReported { get; set; }
    public HandoverAlert? OpenAlert { get; set; }
    public int AlertsRaised { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public bool Manned => OnDuty && StaffPresent >= StaffRequired;

    public DutyPostView ToView() => new(Id, PostId, Name, Kind, OwnerUnitId, StaffRequired, ShiftHours, EstablishedAt, OnDuty, Commander, StaffPresent,
        ShiftStartedAt, [.. Manning], [.. OpenIncidents], IncidentsReported, OpenAlert, AlertsRaised, Version, UpdatedAt, Manned);

    /// <summary>A copy that shares nothing the next fold changes.</summary>
    public DutyPostRecord Copy()
    {
        var copy = (DutyPostRecord)MemberwiseClone();
        copy.Manning = [.. Manning];
        copy.OpenIncidents = [.. OpenIncidents];
        return copy;
    }

    public void Record(object @event, long version, DateTimeOffset updatedAt, DateTimeOffset? recordedAt = null)
    {
        Version = version;
        UpdatedAt = updatedAt;
        switch (@event)
        {
            case DutyPostEstablished e:
                PostId = e.PostId;
                Name = e.Name;
                Kind = e.Kind;
                OwnerUnitId = e.OwnerUnitId;
                StaffRequired = e.StaffRequired;
                ShiftHours = e.ShiftHours;
                EstablishedAt = e.OccurredAt;
                break;
            case DutyShiftStarted e:
                Staff(() => { OnDuty = true; Commander = e.Commander; StaffPresent = e.StaffPresent; ShiftStartedAt = e.OccurredAt; }, e.OccurredAt);
                break;
            case DutyShiftHandedOver e:
                Staff(() => { Commander = e.IncomingCommander; StaffPresent = e.StaffPresent; ShiftStartedAt = e.OccurredAt; }, e.OccurredAt);
                OpenAlert = null;
                break;
            case DutyShiftEnded e:
                Staff(() => { OnDuty = false; Commander = null; StaffPresent = 0; ShiftStartedAt = null; }, e.OccurredAt);
                OpenAlert = null;
                break;
            case DutyStaffingReported e:
                Staff(() => StaffPresent = e.StaffPresent, e.OccurredAt);
                break;
            case DutyIncidentReported e:
                OpenIncidents.Add(new OpenIncident(e.IncidentId, e.Kind, e.Place, e.OccurredAt));
                IncidentsReported++;
                break;
            case DutyIncidentClosed e:
                OpenIncidents.RemoveAll(i => i.IncidentId == e.IncidentId);
                break;
            case DutyHandoverOverdue e:
                OpenAlert = new HandoverAlert(e.ShiftStartedAt, e.DueAt, e.OccurredAt);
                AlertsRaised++;
                break;
        }
    }

    /// <summary>The share of [from, to) during which the post was manned at required strength, counted from when it existed.</summary>
    public double Coverage(DateTimeOffset from, DateTimeOffset to)
    {
        var start = from > EstablishedAt ? from : EstablishedAt;
        if (to <= start)
        {
            return 0;
        }
        var manned = TimeSpan.Zero;
        foreach (var period in Manning)
        {
            var periodEnd = period.To ?? to;
            var overlapStart = period.From > start ? period.From : start;
            var overlapEnd = periodEnd < to ? periodEnd : to;
            if (overlapEnd > overlapStart)
            {
                manned += overlapEnd - overlapStart;
            }
        }
        return manned / (to - start);
    }

    // Opens or closes a manning period when a change flips whether the post is manned.
    private void Staff(Action change, DateTimeOffset at)
    {
        var wasManned = Manned;
        change();
        if (!wasManned && Manned)
        {
            Manning.Add(new ManningPeriod(at, null));
        }
        else if (wasManned && !Manned && Manning.Count > 0)
        {
            Manning[^1] = Manning[^1] with { To = at };
        }
    }
}
