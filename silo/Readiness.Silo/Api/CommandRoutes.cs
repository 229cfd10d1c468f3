using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;

namespace Readiness.Silo.Api;

/// <summary>
/// Commands: each reports something that happened to a unit, an exercise or a duty post. The body
/// is the command itself and names its actor, because actor ids are paths
/// (<c>bac-kan/ba-be/cho-ra</c>) that read badly inside a route.
/// </summary>
internal static class CommandRoutes
{
    public static void MapCommandRoutes(this IEndpointRouteBuilder routes)
    {
        var commands = routes.MapGroup("/api/commands").WithTags("Commands");

        commands.Unit<RegisterUnit>("register-unit", "Register a unit under its parent (the id without its last level), which must already exist.", created: true);
        commands.Unit<ChangeAuthorisedStrength>("change-authorised-strength", "Set a unit's authorised strength, with the reason.");
        commands.Unit<EnlistRecruits>("enlist-recruits", "Record conscripts of a cohort joining a unit (tuyển quân).");
        commands.Unit<HandOverRecruits>("hand-over-recruits", "Record recruits handed over to the army (giao quân); at most the unit's current recruits.");
        commands.Unit<AssignConscriptionQuota>("assign-conscription-quota", "Set how many recruits the unit must hand over in a year.");
        commands.Unit<RecordMembersJoined>("record-members-joined", "Record members joining a force of the unit: Standing, ReserveMobilisation (DBĐV) or MilitiaSelfDefence (DQTV).");
        commands.Unit<RecordMembersLeft>("record-members-left", "Record members leaving a force of the unit, with the reason.");
        commands.Unit<RecordTraining>("record-training", "Record training completed: subject, participants, result.");
        commands.Unit<RecordDefenceEducation>("record-defence-education", "Record defence and security education delivered to pupils and students or to cadres.");
        commands.Unit<RecordOutreachSession>("record-outreach-session", "Record one outreach session on defence and security knowledge and its attendances.");
        commands.Unit<EstablishPartyCell>("establish-party-cell", "Record the unit's military party cell established.");
        commands.Unit<DissolvePartyCell>("dissolve-party-cell", "Record the unit's military party cell dissolved.");
        commands.Unit<ConferAward>("confer-award", "Record an award to the unit (Collective) or one of its people (Individual).");
        commands.Unit<AssessReadiness>("assess-readiness", "A commander sets the unit's level with a written justification; it overrides the computed level until withdrawn.");
        commands.Unit<WithdrawReadinessAssessment>("withdraw-readiness-assessment", "Withdraw the commander's assessment; the computed level applies again.");

        commands.Exercise<PlanExercise>("plan-exercise", "Plan an exercise hosted by the unit its id starts with; participants are that unit's own units.", created: true);
        commands.Exercise<StartExercise>("start-exercise", "Start a planned exercise.");
        commands.Exercise<CompleteExercise>("complete-exercise", "Complete a started exercise with its grade; every participating unit is credited.");
        commands.Exercise<CancelExercise>("cancel-exercise", "Cancel a planned or started exercise, with the reason.");

        commands.DutyPost<EstablishDutyPost>("establish-duty-post", "Establish a duty post owned by the unit its id starts with.", created: true);
        commands.DutyPost<StartDutyShift>("start-duty-shift", "Start a shift at a post with no shift on.");
        commands.DutyPost<HandOverDutyShift>("hand-over-duty-shift", "Hand the shift over from the commander on duty to the next.");
        commands.DutyPost<EndDutyShift>("end-duty-shift", "End the shift on; the post is then unmanned.");
        commands.DutyPost<ReportDutyStaffing>("report-duty-staffing", "Report the staff present mid-shift; below the required number is a shortfall.");
        commands.DutyPost<ReportDutyIncident>("report-duty-incident", "Report an incident at the post.");
        commands.DutyPost<CloseDutyIncident>("close-duty-incident", "Close an open incident.");
    }

    private static void Unit<TCommand>(this RouteGroupBuilder commands, string name, string summary, bool created = false)
        where TCommand : IUnitCommand =>
        commands.Map<TCommand>(name, summary, created, "/api/units/",
            c => c.UnitId, (grains, c) => grains.GetGrain<IUnitGrain>(c.UnitId).Execute(c));

    private static void Exercise<TCommand>(this RouteGroupBuilder commands, string name, string summary, bool created = false)
        where TCommand : IExerciseCommand =>
        commands.Map<TCommand>(name, summary, created, "/api/exercises/",
            c => c.ExerciseId, (grains, c) => grains.GetGrain<IExerciseGrain>(c.ExerciseId).Execute(c));

    private static void DutyPost<TCommand>(this RouteGroupBuilder commands, string name, string summary, bool created = false)
        where TCommand : IDutyPostCommand =>
        commands.Map<TCommand>(name, summary, created, "/api/duty-posts/",
            c => c.PostId, (grains, c) => grains.GetGrain<IDutyPostGrain>(c.PostId).Execute(c));

    private static void Map<TCommand>(this RouteGroupBuilder commands, string name, string summary, bool created, string viewPath,
        Func<TCommand, string> actorId, Func<IGrainFactory, TCommand, Task<CommandResult>> send)
        where TCommand : ICommand
    {
        var route = commands.MapPost($"/{name}", async (TCommand command, IGrainFactory grains) =>
            {
                // A malformed id or a missing command id must not even activate a grain.
                var id = actorId(command);
                if (UnitPath.Problem(id) is { } idProblem)
                {
                    return Problems.Invalid(idProblem);
                }
                if (string.IsNullOrWhiteSpace(command.CommandId))
                {
                    return Problems.Invalid("commandId is required: a unique id per command, reused only to retry that command.");
                }
                var result = await send(grains, command);
                if (result.Rejection is { } rejection)
                {
                    return Problems.For(rejection, result.StreamId, result.CommandId);
                }
                var body = new CommandAccepted(result.CommandId, result.StreamId, result.Version, result.AlreadyApplied);
                return created && !result.AlreadyApplied ? Results.Created($"{viewPath}{result.StreamId}", body) : Results.Ok(body);
            })
            .WithName(string.Concat(name.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])))
            .WithSummary(summary)
            .WithDescription("Retrying with the same commandId returns the first result with alreadyApplied = true and appends nothing.")
            .Produces<CommandAccepted>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        if (created)
        {
            route.Produces<CommandAccepted>(StatusCodes.Status201Created);
        }
    }
}
