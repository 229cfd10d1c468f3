using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Store.Projections;

/// <summary>
/// Everything the views need to know of one unit, folded from its stream: an entry of the province
/// roster (asynchronous), and of the views of the past, which fold it the same way.
/// </summary>
public sealed class UnitRecord
{
    private const int StrengthEvidenceKept = 10;
    private const int EquipmentEvidenceKept = 6;

    /// <summary>
    /// Comments kept on the unit: more than a province's commander writes between two reports (at least monthly),
    /// few enough that the province's roster part stays small.
    /// </summary>
    public const int CommentsKept = 20;

    public string Id { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public Echelon Echelon { get; set; }
    public string? ParentId { get; set; }
    public DateTimeOffset RegisteredAt { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public int AuthorisedStrength { get; set; }
    public int Recruits { get; set; }
    public int Standing { get; set; }
    public int ReserveMobilisation { get; set; }
    public int MilitiaSelfDefence { get; set; }
    public int ActualStrength => Recruits + Standing + ReserveMobilisation + MilitiaSelfDefence;

    /// <summary>The latest events that changed strength or authorisation, newest last.</summary>
    public List<EventRef> StrengthEvidence { get; set; } = [];
    public List<TrainingRecord> Training { get; set; } = [];
    public List<PartyCellPeriod> PartyCell { get; set; } = [];
    public AssessmentRecord? Assessment { get; set; }
    public Dictionary<int, YearTally> Years { get; set; } = [];
    public Dictionary<EquipmentCategory, EquipmentRecord> Equipment { get; set; } = [];
    public Dictionary<Mission, MissionRecord> Missions { get; set; } = [];

    /// <summary>The commander's latest comments for the echelon above, oldest first.</summary>
    public List<CommanderComment> Comments { get; set; } = [];

    /// <summary>When the newest thing reported of the unit happened; an overdue notice is not a report.</summary>
    public DateTimeOffset? LastReportedAt { get; set; }

    /// <summary>When the unit's reminder last noted a missed report.</summary>
    public DateTimeOffset? OverdueNotedAt { get; set; }

    /// <summary>The unit's freshness at <paramref name="now"/> under its echelon's reporting interval.</summary>
    public Freshness Freshness(ReadinessPolicy policy, DateTimeOffset now)
    {
        var due = LastReportedAt is { } last && policy.ReportingInterval(Echelon) is { } interval ? last + interval : (DateTimeOffset?)null;
        return new Freshness(LastReportedAt, due, due is { } by && now > by, OverdueNotedAt);
    }

    /// <summary>A copy that shares nothing the next fold changes: the collections are its own, their items immutable or copied.</summary>
    public UnitRecord Copy()
    {
        var copy = (UnitRecord)MemberwiseClone();
        copy.StrengthEvidence = [.. StrengthEvidence];
        copy.Training = [.. Training];
        copy.PartyCell = [.. PartyCell];
        copy.Years = Years.ToDictionary(y => y.Key, y => y.Value.Copy());
        copy.Equipment = new(Equipment);
        copy.Missions = new(Missions);
        copy.Comments = [.. Comments];
        return copy;
    }

    public bool PartyCellActive => PartyCell.Count > 0 && PartyCell[^1].DissolvedAt is null;

    public YearTally Year(int year)
    {
        if (!Years.TryGetValue(year, out var tally))
        {
            Years[year] = tally = new YearTally();
        }
        return tally;
    }

    /// <summary>Folds one event of this unit's stream; <paramref name="version"/> is its position in the stream.</summary>
    public void Record(object @event, long version, DateTimeOffset updatedAt, DateTimeOffset? recordedAt = null)
    {
        Version = version;
        UpdatedAt = updatedAt;
        recording = recordedAt ?? updatedAt;
        if (@event is ReportOverdue notice)
        {
            OverdueNotedAt = notice.OccurredAt;
        }
        else if (@event is IReadinessEvent reported && (LastReportedAt is not { } last || reported.OccurredAt > last))
        {
            LastReportedAt = reported.OccurredAt;
        }
        switch (@event)
        {
            case UnitRegistered e:
                Id = e.UnitId;
                Name = e.Name;
                Echelon = e.Echelon;
                ParentId = e.ParentId;
                RegisteredAt = e.OccurredAt;
                AuthorisedStrength = e.AuthorisedStrength;
                Strength(e, version, e.OccurredAt);
                break;
            case AuthorisedStrengthChanged e:
                AuthorisedStrength = e.AuthorisedStrength;
                Strength(e, version, e.OccurredAt);
                break;
            case RecruitsEnlisted e:
                Recruits += e.Count;
                Year(CommandTime.YearOf(e.OccurredAt)).RecruitsEnlisted += e.Count;
                Strength(e, version, e.OccurredAt);
                break;
            case RecruitsHandedOver e:
                Recruits -= e.Count;
                Year(CommandTime.YearOf(e.OccurredAt)).RecruitsHandedOver += e.Count;
                Strength(e, version, e.OccurredAt);
                break;
            case ConscriptionQuotaAssigned e:
                Year(e.Year).ConscriptionQuota = e.Quota;
                break;
            case MembersJoined e:
                AddMembers(e.Force, e.Count);
                Strength(e, version, e.OccurredAt);
                break;
            case MembersLeft e:
                AddMembers(e.Force, -e.Count);
                Strength(e, version, e.OccurredAt);
                break;
            case TrainingCompleted e:
                Training.Add(new TrainingRecord(Ref(e, version, e.OccurredAt), e.Subject, e.Result, e.Participants, null));
                break;
            case ExerciseParticipationRecorded e:
                Training.Add(new TrainingRecord(Ref(e, version, e.OccurredAt), $"{e.Level} {e.Kind} exercise", e.Grade, 0, e.ExerciseId));
                break;
            case DefenceEducationDelivered e when e.Audience == EducationAudience.PupilsAndStudents:
                Year(CommandTime.YearOf(e.OccurredAt)).PupilsAndStudentsEducated += e.Participants;
                break;
            case DefenceEducationDelivered e:
                Year(CommandTime.YearOf(e.OccurredAt)).CadresEducated += e.Participants;
                break;
            case OutreachSessionHeld e:
                Year(CommandTime.YearOf(e.OccurredAt)).OutreachSessions++;
                Year(CommandTime.YearOf(e.OccurredAt)).OutreachAttendances += e.Attendances;
                break;
            case PartyCellEstablished e:
                PartyCell.Add(new PartyCellPeriod(e.OccurredAt, null, e.Members));
                break;
            case PartyCellDissolved e when PartyCellActive:
                PartyCell[^1] = PartyCell[^1] with { DissolvedAt = e.OccurredAt };
                break;
            case AwardConferred e:
                var awards = Year(e.Year).Awards;
                var key = $"{e.Kind}/{e.RecipientKind}";
                awards[key] = awards.GetValueOrDefault(key) + 1;
                break;
            case ReadinessAssessed e:
                Assessment = new AssessmentRecord(e.Level, e.Justification, e.AssessedBy, Ref(e, version, e.OccurredAt));
                break;
            case ReadinessAssessmentWithdrawn:
                Assessment = null;
                break;
            case MissionAssigned e:
                Missions[e.Mission] = new MissionRecord(Ref(e, version, e.OccurredAt), null, null, null, null);
                break;
            case MissionAssessed e when Missions.TryGetValue(e.Mission, out var mission):
                Missions[e.Mission] = mission with { Answer = e.Answer, Reason = e.Reason, AssessedBy = e.AssessedBy, Assessment = Ref(e, version, e.OccurredAt) };
                break;
            case MissionUnassigned e:
                Missions.Remove(e.Mission);
                break;
            case CommanderCommentRecorded e:
                Comments.Add(new CommanderComment(e.Comment, e.CommentedBy, e.OccurredAt, Ref(e, version, e.OccurredAt)));
                if (Comments.Count > CommentsKept)
                {
                    Comments.RemoveRange(0, Comments.Count - CommentsKept);
                }
                break;
            default:
                if (EquipmentStock.CategoryOf(@event) is { } category)
                {
                    var held = Equipment.GetValueOrDefault(category) ?? new EquipmentRecord(EquipmentStock.None, []);
                    var evidence = held.Evidence.Append(Ref(@event, version, OccurredAtOf(@event))).TakeLast(EquipmentEvidenceKept).ToList();
                    Equipment[category] = new EquipmentRecord(held.Stock.Apply(@event), evidence);
                }
                break;
        }
    }

    public bool PartyCellActiveAt(DateTimeOffset at) =>
        PartyCell.Any(p => p.EstablishedAt <= at && (p.DissolvedAt is null || p.DissolvedAt > at));

    private void AddMembers(ForceType force, int delta)
    {
        switch (force)
        {
            case ForceType.Standing: Standing += delta; break;
            case ForceType.ReserveMobilisation: ReserveMobilisation += delta; break;
            default: MilitiaSelfDefence += delta; break;
        }
    }

    private void Strength(object e, long version, DateTimeOffset at)
    {
        StrengthEvidence.Add(Ref(e, version, at));
        if (StrengthEvidence.Count > StrengthEvidenceKept)
        {
            StrengthEvidence.RemoveAt(0);
        }
    }

    private EventRef Ref(object e, long version, DateTimeOffset at) => new(Id, version, e.GetType().Name, at, recording);

    // When the event being folded was recorded, for its evidence; not part of the document.
    private DateTimeOffset recording;

    private static DateTimeOffset OccurredAtOf(object e) => e is IReadinessEvent readiness ? readiness.OccurredAt : default;
}
