using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Store.Projections;

/// <summary>An exercise's document, folded from its stream.</summary>
public sealed class ExerciseRecord
{
    public string Id { get; set; } = string.Empty;
    public string ExerciseId { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public ExerciseLevel Level { get; set; }
    public ExerciseKind Kind { get; set; }
    public ExerciseStatus Status { get; set; }
    public string HostUnitId { get; set; } = string.Empty;
    public List<string> ParticipantUnitIds { get; set; } = [];
    public DateTimeOffset ScheduledStart { get; set; }
    public DateTimeOffset ScheduledEnd { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public Grade? Grade { get; set; }
    public int Participants { get; set; }
    public string? CancellationReason { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public ExerciseView ToView() => new(Id, ExerciseId, Name, Level, Kind, Status, HostUnitId, [.. ParticipantUnitIds], ScheduledStart, ScheduledEnd,
        StartedAt, CompletedAt, Grade, Participants, CancellationReason, Version, UpdatedAt);

    /// <summary>A copy that shares nothing the next fold changes.</summary>
    public ExerciseRecord Copy()
    {
        var copy = (ExerciseRecord)MemberwiseClone();
        copy.ParticipantUnitIds = [.. ParticipantUnitIds];
        return copy;
    }

    public void Record(object @event, long version, DateTimeOffset updatedAt, DateTimeOffset? recordedAt = null)
    {
        Version = version;
        UpdatedAt = updatedAt;
        switch (@event)
        {
            case ExercisePlanned e:
                ExerciseId = e.ExerciseId;
                Name = e.Name;
                Level = e.Level;
                Kind = e.Kind;
                Status = ExerciseStatus.Planned;
                HostUnitId = e.HostUnitId;
                ParticipantUnitIds = [.. e.ParticipantUnitIds];
                ScheduledStart = e.ScheduledStart;
                ScheduledEnd = e.ScheduledEnd;
                break;
            case ExerciseStarted e:
                Status = ExerciseStatus.Started;
                StartedAt = e.OccurredAt;
                break;
            case ExerciseCompleted e:
                Status = ExerciseStatus.Completed;
                CompletedAt = e.OccurredAt;
                Grade = e.Grade;
                Participants = e.Participants;
                break;
            case ExerciseCancelled e:
                Status = ExerciseStatus.Cancelled;
                CancellationReason = e.Reason;
                break;
        }
    }
}
