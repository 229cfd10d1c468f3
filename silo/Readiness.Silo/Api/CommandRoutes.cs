using System.Diagnostics;
using Microsoft.Extensions.Options;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;
using Readiness.Grains.Actors;
using Readiness.Grains.Structure;
using Readiness.Silo.Hosting;
using Readiness.Silo.Http;
using Readiness.Silo.Security;

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
        var catalogue = new CommandCatalogue();
        var commands = new Mapper(routes.MapGroup("/api/commands").WithTags("Commands").RequireAuthorization(Policies.Report).Reads(ResourceScope.CommandBody), catalogue);

        commands.Unit<RegisterUnit>("Register a unit under its parent (the id without its last level), which must already exist.", created: true);
        commands.Unit<ChangeAuthorisedStrength>("Set a unit's authorised strength, with the reason.");
        commands.Unit<EnlistRecruits>("Record conscripts of a cohort joining a unit (tuyển quân).");
        commands.Unit<HandOverRecruits>("Record recruits handed over to the army (giao quân); at most the unit's current recruits.");
        commands.Unit<AssignConscriptionQuota>("Set how many recruits the unit must hand over in a year.");
        commands.Unit<RecordMembersJoined>("Record members joining a force of the unit: Standing, ReserveMobilisation (DBĐV) or MilitiaSelfDefence (DQTV).");
        commands.Unit<RecordMembersLeft>("Record members leaving a force of the unit, with the reason.");
        commands.Unit<RecordTraining>("Record training completed: subject, participants, result.");
        commands.Unit<RecordDefenceEducation>("Record defence and security education delivered to pupils and students or to cadres.");
        commands.Unit<RecordOutreachSession>("Record one outreach session on defence and security knowledge and its attendances.");
        commands.Unit<EstablishPartyCell>("Record the unit's military party cell established.");
        commands.Unit<DissolvePartyCell>("Record the unit's military party cell dissolved.");
        commands.Unit<ConferAward>("Record an award to the unit (Collective) or one of its people (Individual).");
        commands.Unit<AssessReadiness>("A commander sets the unit's level with a written justification; it overrides the computed level until withdrawn.");
        commands.Unit<RecordCommanderComment>("The province commander's comment for the echelon above (up to 2000 characters); the province's next upward report carries it.");
        commands.Unit<WithdrawReadinessAssessment>("Withdraw the commander's assessment; the computed level applies again.");
        commands.Unit<AllotEquipment>("Set the quantity of a category (Weapons, Communications, Vehicles, RescueEquipment) the unit is authorised to hold, with the reason.");
        commands.Unit<ReceiveEquipment>("Record items of a category received, counted serviceable, and where from.");
        commands.Unit<TransferEquipment>("Transfer items of a category to another registered unit, which records them as received; "
            + "at most what is on hand, and the caller must cover both units.");
        commands.Unit<WriteOffEquipment>("Write off items of a category, with the reason; at most what is on hand.");
        commands.Unit<ReportEquipmentCondition>("Report a category's items by condition: serviceable, under repair, unserviceable; the three must add up to what is on hand.");
        commands.Unit<AssignMission>("Assign the unit a mission: CombatReadinessDuty, SearchAndRescue or Mobilisation.");
        commands.Unit<AssessMission>("A commander answers whether the unit can do an assigned mission now: Yes, Qualified or No, with the reason.");
        commands.Unit<UnassignMission>("Take a mission from the unit, with the reason.");

        commands.Exercise<PlanExercise>("Plan an exercise hosted by the unit its id starts with; participants are that unit's own units.", created: true);
        commands.Exercise<StartExercise>("Start a planned exercise.");
        commands.Exercise<CompleteExercise>("Complete a started exercise with its grade; every participating unit is credited.");
        commands.Exercise<CancelExercise>("Cancel a planned or started exercise, with the reason.");

        commands.DutyPost<EstablishDutyPost>("Establish a duty post owned by the unit its id starts with.", created: true);
        commands.DutyPost<StartDutyShift>("Start a shift at a post with no shift on.");
        commands.DutyPost<HandOverDutyShift>("Hand the shift over from the commander on duty to the next.");
        commands.DutyPost<EndDutyShift>("End the shift on; the post is then unmanned.");
        commands.DutyPost<ReportDutyStaffing>("Report the staff present mid-shift; below the required number is a shortfall.");
        commands.DutyPost<ReportDutyIncident>("Report an incident at the post.");
        commands.DutyPost<CloseDutyIncident>("Close an open incident.");

        // Reorganising the chain of command changes who reads and reports what: administrators' work.
        var orders = new Mapper(routes.MapGroup("/api/commands").WithTags("Reorganisation").RequireAuthorization(Policies.Administer).Reads(ResourceScope.CommandBody), catalogue);
        orders.Reorganisation<ResubordinateUnit>("Place a unit under a new parent from a date, citing the order; no cycle, and not under a dissolved unit.");
        orders.Reorganisation<RenameUnit>("Give a unit a new name, and a new echelon when one is given (re-designation), from a date, citing the order.");
        orders.Reorganisation<MergeUnits>("Merge units into a successor (registered first when new), which carries on their history, from a date, citing the order.");
        orders.Reorganisation<DissolveUnit>("Dissolve a unit from a date, with or without a successor, citing the order; "
            + "its units must be moved or dissolved first or in the same order. It takes no report dated after.");
        orders.Reorganisation<Reorganise>("Record a whole reorganisation under one order and date: many moves, renames and dissolutions, "
            + "checked together and recorded together, so that no view shows half of it.");

        // The contracts hold no one's data: every reporter gets the same answer, which a page may keep for when it is offline.
        routes.MapGet("/api/commands", () => catalogue.All)
            .RequireAuthorization(Policies.Report)
            .Reads(ResourceScope.NoArea)
            .WithTags("Commands")
            .WithName("DescribeCommands")
            .WithSummary("Every command a route takes, as a form: its path, the role that may send it, what it reports on, and each field's name, type "
                + "(text, prose, integer, choice with its values, moment, list, object) and whether it is required. The reporting page draws its forms from it.")
            .Produces<IReadOnlyList<CommandDescription>>();
    }

    /// <summary>Maps each command's route in its group and describes it in the catalogue.</summary>
    private sealed class Mapper(RouteGroupBuilder group, CommandCatalogue catalogue)
    {
        public void Unit<TCommand>(string summary, bool created = false)
            where TCommand : IUnitCommand =>
            Map<TCommand>(summary, created, "/api/units/",
                c => c.UnitId, (grains, c) => grains.GetGrain<IUnitGrain>(c.UnitId).Execute(c));

        public void Exercise<TCommand>(string summary, bool created = false)
            where TCommand : IExerciseCommand =>
            Map<TCommand>(summary, created, "/api/exercises/",
                c => c.ExerciseId, (grains, c) => grains.GetGrain<IExerciseGrain>(c.ExerciseId).Execute(c));

        public void DutyPost<TCommand>(string summary, bool created = false)
            where TCommand : IDutyPostCommand =>
            Map<TCommand>(summary, created, "/api/duty-posts/",
                c => c.PostId, (grains, c) => grains.GetGrain<IDutyPostGrain>(c.PostId).Execute(c));

        public void Reorganisation<TCommand>(string summary)
            where TCommand : IReorganisationCommand =>
            Map<TCommand>(summary, created: false, "/api/provinces/",
                c => IChainOfCommandGrain.Key, (grains, c) => grains.GetGrain<IChainOfCommandGrain>(IChainOfCommandGrain.Key).Execute(c),
                c => ReorganisationSteps.UnitsNamed(c));

        private void Map<TCommand>(string summary, bool created, string viewPath,
            Func<TCommand, string> actorId, Func<IGrainFactory, TCommand, Task<CommandResult>> send,
            Func<TCommand, IReadOnlyList<string>>? namedUnits = null)
            where TCommand : ICommand
        {
            catalogue.Add<TCommand>(summary);
            var route = group.MapPost($"/{CommandPaths.NameOf(typeof(TCommand))}",
                    async (TCommand command, IGrainFactory grains, IOptions<ReadinessOptions> options, ChainOfCommandCache chain, ReadinessClock clock,
                        HttpContext http) =>
                {
                    // A malformed id or a missing command id must not even activate a grain.
                    if (CommandText.Problem(command) is { } textProblem)
                    {
                        return Problems.Invalid(textProblem);
                    }
                    if (CommandText.Problem(http.Request.Headers[CorrelationHeader].ToString(), $"The {CorrelationHeader} header") is { } headerProblem)
                    {
                        return Problems.Invalid(headerProblem);
                    }
                    // Each unit the command names is judged by the chain of command at the moment the command is about.
                    var ids = namedUnits?.Invoke(command) ?? [actorId(command)];
                    if (ids.Select(UnitPath.Problem).FirstOrDefault(p => p is not null) is { } idProblem)
                    {
                        return Problems.Invalid(idProblem);
                    }
                    var tree = await chain.GetAsync(http.RequestAborted);
                    var outside = command is IReorganisationCommand order
                        ? tree.OutsideOrder(http.User.Scopes(), ids, order.EffectiveFrom)
                        : ids.FirstOrDefault(id => !http.User.Covers(tree, id, command.OccurredAt ?? clock.UtcNow));
                    if (outside is not null)
                    {
                        return ResourceScopes.Forbidden(http, $"Your token's scopes ({string.Join(", ", http.User.Scopes())}) do not cover '{outside}'.");
                    }
                    if (string.IsNullOrWhiteSpace(command.CommandId))
                    {
                        return Problems.Invalid("commandId is required: a unique id per command, reused only to retry that command.");
                    }
                    CallerContext.Set(Caller(http), CorrelationId(http));
                    CallerContext.SetTokenMintedBy(TokenIssuer.MintedBy(http.User));
                    CallerContext.SetReporter(http.User.Scopes(),
                        http.User.IsInRole(command is IReorganisationCommand ? Access.Admin : Access.Reporter));
                    // One bound on the whole call, directory look-ups and forwarding included: past it the
                    // caller gets a 503 to resend, never a request left hanging on a silo that has died.
                    var result = await send(grains, command).WaitAsync(options.Value.Orleans.ResponseTimeout, http.RequestAborted);
                    if (result.Rejection is { } rejection)
                    {
                        return Problems.For(rejection, result.StreamId, result.CommandId);
                    }
                    var body = new CommandAccepted(result.CommandId, result.StreamId, result.Version, result.AlreadyApplied);
                    return created && !result.AlreadyApplied ? Results.Created($"{viewPath}{result.StreamId}", body) : Results.Ok(body);
                })
                .WithName(typeof(TCommand).Name)
                .WithSummary(summary)
                .WithDescription("Retrying with the same commandId returns the first result with alreadyApplied = true and appends nothing. "
                    + "An X-Correlation-Id header (up to 128 characters) is stored with the events; otherwise the trace id is. "
                    + "No text field (nor that header) may hold a control character or an unpaired UTF-16 surrogate; "
                    + "reasons, justifications and resolutions may hold tab, line feed and carriage return.")
                .Produces<CommandAccepted>()
                .ProducesProblem(StatusCodes.Status400BadRequest)
                .ProducesProblem(StatusCodes.Status403Forbidden)
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status409Conflict)
                .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
            if (created)
            {
                route.Produces<CommandAccepted>(StatusCodes.Status201Created);
            }
        }
    }

    // Every route here needs a token, so the fallback is only for a token without a subject.
    private static string Caller(HttpContext http) =>
        http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : $"anonymous@{http.Connection.RemoteIpAddress}";

    private const string CorrelationHeader = "X-Correlation-Id";

    // Else the request's trace id, which the grain used to read from its own span: spans now cross grain
    // calls only when traces are exported, and ASP.NET Core keeps an activity per request either way.
    private static string? CorrelationId(HttpContext http) =>
        http.Request.Headers[CorrelationHeader].ToString() is { Length: > 0 and <= 128 } id ? id : Activity.Current?.TraceId.ToHexString();
}
