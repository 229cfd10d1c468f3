using System.Globalization;
using Readiness.Contracts;
using Readiness.Domain;

namespace Readiness.Store.Projections;

/// <summary>
/// Rates a unit at a moment: personnel, training, duty, equipment on hand and equipment serviceable, overall the worst of them unless a
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
            EquipmentOnHand(unit, policy),
            EquipmentServiceable(unit, policy),
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

    /// <summary>
    /// On hand against authorised in each category the unit is authorised to hold; the worst category
    /// sets the level, because a company with all its rifles and no radios cannot fight as one.
    /// </summary>
    public static AreaRating EquipmentOnHand(UnitRecord unit, ReadinessPolicy policy)
    {
        var authorised = unit.Equipment.Where(e => e.Value.Stock.Authorised > 0).OrderBy(e => e.Key).ToList();
        if (authorised.Count == 0)
        {
            return new AreaRating(ReadinessArea.EquipmentOnHand, null, null, "The unit is authorised no equipment.", []);
        }
        double Ratio(EquipmentStock s) => Math.Min(1.0, (double)s.OnHand / s.Authorised);
        var worst = authorised.MinBy(e => Ratio(e.Value.Stock));
        var measure = Ratio(worst.Value.Stock);
        var explanation = string.Create(Invariant,
            $"Worst category {worst.Key}: {worst.Value.Stock.OnHand} of {worst.Value.Stock.Authorised} authorised on hand ({measure:P0}). ")
            + string.Join("; ", authorised.Select(e => string.Create(Invariant, $"{e.Key} {e.Value.Stock.OnHand}/{e.Value.Stock.Authorised}"))) + ".";
        return new AreaRating(ReadinessArea.EquipmentOnHand, ReadinessPolicy.Level(measure, policy.EquipmentOnHandThresholds), Math.Round(measure, 4), explanation,
            [.. authorised.SelectMany(e => e.Value.Evidence).OrderBy(r => r.Version)]);
    }

    /// <summary>Serviceable against on hand in each category held, for a unit authorised any equipment; the worst category sets the level.</summary>
    public static AreaRating EquipmentServiceable(UnitRecord unit, ReadinessPolicy policy)
    {
        if (!unit.Equipment.Values.Any(e => e.Stock.Authorised > 0))
        {
            return new AreaRating(ReadinessArea.EquipmentServiceable, null, null, "The unit is authorised no equipment.", []);
        }
        var held = unit.Equipment.Where(e => e.Value.Stock.OnHand > 0).OrderBy(e => e.Key).ToList();
        if (held.Count == 0)
        {
            // Nothing on hand is the on-hand area's finding; here it would only repeat it.
            return new AreaRating(ReadinessArea.EquipmentServiceable, null, null, "The unit holds no equipment whose condition could be rated.", []);
        }
        double Ratio(EquipmentStock s) => (double)s.Serviceable / s.OnHand;
        var worst = held.MinBy(e => Ratio(e.Value.Stock));
        var measure = Ratio(worst.Value.Stock);
        var stock = worst.Value.Stock;
        var explanation = string.Create(Invariant,
            $"Worst category {worst.Key}: {stock.Serviceable} of {stock.OnHand} on hand serviceable ({measure:P0}), {stock.UnderRepair} under repair, {stock.Unserviceable} unserviceable.");
        return new AreaRating(ReadinessArea.EquipmentServiceable, ReadinessPolicy.Level(measure, policy.EquipmentServiceableThresholds), Math.Round(measure, 4), explanation,
            [.. held.SelectMany(e => e.Value.Evidence).OrderBy(r => r.Version)]);
    }

    /// <summary>
    /// Where a commander's Yes or Qualified for a mission meets figures that say otherwise. A No needs
    /// no check: it already says the unit cannot go.
    /// </summary>
    public static IReadOnlyList<MissionFlag> MissionFlags(UnitRecord unit, UnitRating rating, IReadOnlyList<DutyPostRecord> ownPosts)
    {
        var flags = new List<MissionFlag>();
        var personnel = rating.Areas.First(a => a.Area == ReadinessArea.Personnel);
        foreach (var (mission, record) in unit.Missions.OrderBy(m => m.Key))
        {
            if (record.Answer is not ({ } answer and (MissionAnswer.Yes or MissionAnswer.Qualified)))
            {
                continue;
            }
            void Flag(string problem, IEnumerable<EventRef> evidence) => flags.Add(new MissionFlag(mission, answer, problem, [.. evidence]));
            switch (mission)
            {
                case Mission.SearchAndRescue:
                    var rescue = unit.Equipment.GetValueOrDefault(EquipmentCategory.RescueEquipment);
                    var stock = rescue?.Stock ?? EquipmentStock.None;
                    if (stock.OnHand == 0)
                    {
                        Flag("Assessed ready for search and rescue, but the unit holds no rescue equipment.", rescue?.Evidence ?? []);
                    }
                    else if (stock.Unserviceable > 0 || stock.OnHand < stock.Authorised)
                    {
                        Flag(string.Create(Invariant,
                            $"Assessed ready for search and rescue, but its rescue equipment is {stock.OnHand} of {stock.Authorised} authorised on hand, {stock.Unserviceable} unserviceable."),
                            rescue!.Evidence);
                    }
                    break;
                case Mission.CombatReadinessDuty:
                    if (personnel.Level >= ReadinessLevel.R3)
                    {
                        Flag($"Assessed ready for combat-readiness duty, but personnel is at {personnel.Level}: {personnel.Explanation}", personnel.Evidence);
                    }
                    foreach (var post in ownPosts.Where(p => p.Kind == DutyKind.CombatReadiness && !p.Manned))
                    {
                        Flag($"Assessed ready for combat-readiness duty, but its post '{post.Name}' is not manned at required strength now.",
                            [new EventRef(post.PostId, post.Version, "DutyPost", post.UpdatedAt)]);
                    }
                    break;
                case Mission.Mobilisation:
                    if (personnel.Level >= ReadinessLevel.R3)
                    {
                        Flag($"Assessed ready for mobilisation, but personnel is at {personnel.Level}: {personnel.Explanation}", personnel.Evidence);
                    }
                    break;
            }
        }
        return flags;
    }

    public static UnitReadinessView View(UnitRecord unit, IEnumerable<DutyPostRecord> ownPosts, ReadinessPolicy policy, DateTimeOffset now)
    {
        var posts = ownPosts.ToList();
        var rating = Rate(unit, posts, policy, now);
        return new UnitReadinessView(
            unit.Id, unit.Name, unit.Echelon, unit.ParentId, unit.AuthorisedStrength, unit.ActualStrength,
            Math.Round(ReadinessPolicy.StrengthRatio(unit.ActualStrength, unit.AuthorisedStrength), 4),
            new Forces(unit.Recruits, unit.Standing, unit.ReserveMobilisation, unit.MilitiaSelfDefence),
            rating.Areas[0].Level!.Value, rating.Level, rating, unit.PartyCellActive, unit.Version, unit.UpdatedAt,
            [.. unit.Equipment.OrderBy(e => e.Key).Select(e => new EquipmentHolding(e.Key, e.Value.Stock.Authorised, e.Value.Stock.OnHand,
                e.Value.Stock.Serviceable, e.Value.Stock.UnderRepair, e.Value.Stock.Unserviceable))],
            [.. unit.Missions.OrderBy(m => m.Key).Select(m => new MissionStatus(m.Key, m.Value.Assigned.OccurredAt, m.Value.Answer, m.Value.Reason, m.Value.AssessedBy, m.Value.Assessment))],
            MissionFlags(unit, rating, posts),
            unit.Freshness(policy, now));
    }
}
