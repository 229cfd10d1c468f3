using System.Globalization;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Grains.Projections;

/// <summary>
/// Rates a unit at a moment: personnel, training and duty areas, overall the worst of them unless a
/// commander's assessment sets it. Every area says what it measured and which events it rests on.
/// </summary>
public static class ReadinessRating
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static UnitRating Rate(UnitRecord unit, IEnumerable<DutyPostRecord> ownPosts, ReadinessPolicy policy, DateTimeOffset now)
    {
        var areas = new List<AreaRating>
        {
            Personnel(unit, policy),
            Training(unit, policy, now),
            Duty(unit, ownPosts.ToList(), policy, now),
        };

        if (unit.Assessment is { } assessment)
        {
            areas.Add(new AreaRating(ReadinessArea.Assessment, assessment.Level, null,
                $"Commander's assessment by {assessment.AssessedBy}: {assessment.Justification}", [assessment.Source]));
            return new UnitRating(assessment.Level, ReadinessArea.Assessment,
                $"Set by the commander's assessment ({assessment.AssessedBy}), overriding the computed areas.", areas, now);
        }

        var worst = areas.Where(a => a.Level is not null).MaxBy(a => a.Level!.Value)!;
        return new UnitRating(worst.Level!.Value, worst.Area, $"The {worst.Area.ToString().ToLowerInvariant()} area sets the level: {worst.Explanation}", areas, now);
    }

    public static AreaRating Personnel(UnitRecord unit, ReadinessPolicy policy)
    {
        var ratio = ReadinessPolicy.StrengthRatio(unit.ActualStrength, unit.AuthorisedStrength);
        return new AreaRating(ReadinessArea.Personnel, policy.PersonnelLevel(unit.ActualStrength, unit.AuthorisedStrength), Math.Round(ratio, 4),
            string.Create(Invariant, $"{unit.ActualStrength} of {unit.AuthorisedStrength} authorised ({ratio:P0})."),
            unit.StrengthEvidence);
    }

    public static AreaRating Training(UnitRecord unit, ReadinessPolicy policy, DateTimeOffset now)
    {
        var cycleStart = now.AddDays(-policy.TrainingCycleDays);
        var inCycle = unit.Training.Where(t => t.Source.OccurredAt > cycleStart && t.Source.OccurredAt <= now).ToList();
        var passed = inCycle.Where(t => t.Result != Grade.Fail).ToList();
        var required = policy.RequiredTraining(unit.Echelon);
        var measure = Math.Min(1.0, (double)passed.Count / required);
        var level = ReadinessPolicy.Level(measure, policy.TrainingThresholds);
        var explanation = string.Create(Invariant, $"{passed.Count} of {required} required trainings and exercises passed in the last {policy.TrainingCycleDays} days.");

        var lastExercise = unit.Training
            .Where(t => t.ExerciseId is not null && t.Source.OccurredAt > now.AddDays(-policy.ExerciseRecencyDays) && t.Source.OccurredAt <= now)
            .MaxBy(t => t.Source.OccurredAt);
        var evidence = passed.Select(t => t.Source).ToList();
        if (lastExercise is { Result: Grade.Fail } failed)
        {
            level = level > ReadinessLevel.R3 ? level : ReadinessLevel.R3;
            explanation += $" The last exercise ({failed.ExerciseId}) was failed, which holds training at R3 or below.";
            evidence.Add(failed.Source);
        }
        return new AreaRating(ReadinessArea.Training, level, Math.Round(measure, 4), explanation, evidence);
    }

    public static AreaRating Duty(UnitRecord unit, IReadOnlyList<DutyPostRecord> ownPosts, ReadinessPolicy policy, DateTimeOffset now)
    {
        if (ownPosts.Count == 0)
        {
            return new AreaRating(ReadinessArea.Duty, null, null, "The unit keeps no duty post.", []);
        }
        var from = now.AddDays(-policy.DutyWindowDays);
        var coverage = ownPosts.Average(p => p.Coverage(from, now));
        var explanation = string.Create(Invariant,
            $"Its {ownPosts.Count} duty post(s) were manned at required strength {coverage:P1} of the last {policy.DutyWindowDays} days.");
        return new AreaRating(ReadinessArea.Duty, ReadinessPolicy.Level(coverage, policy.DutyThresholds), Math.Round(coverage, 4), explanation,
            ownPosts.Select(p => new EventRef(p.PostId, p.Version, "DutyPost", p.UpdatedAt)).ToList());
    }

    public static UnitReadinessView View(UnitRecord unit, IEnumerable<DutyPostRecord> ownPosts, ReadinessPolicy policy, DateTimeOffset now)
    {
        var rating = Rate(unit, ownPosts, policy, now);
        return new UnitReadinessView(
            unit.Id, unit.Name, unit.Echelon, unit.ParentId, unit.AuthorisedStrength, unit.ActualStrength,
            Math.Round(ReadinessPolicy.StrengthRatio(unit.ActualStrength, unit.AuthorisedStrength), 4),
            new Forces(unit.Recruits, unit.Standing, unit.ReserveMobilisation, unit.MilitiaSelfDefence),
            rating.Areas[0].Level!.Value, rating.Level, rating, unit.PartyCellActive, unit.Version, unit.UpdatedAt);
    }
}
