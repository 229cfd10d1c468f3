using Microsoft.Extensions.Logging;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Domain;
using Readiness.Store;
using Readiness.Grains.Structure;

namespace Readiness.Grains.Actors;

/// <summary>
/// The chain of command's own grain: one activation decides every reorganisation order, so two
/// orders never check against the same tree and together make a cycle. Each order is decided on the
/// tree read afresh from the store, and its changes are one append to the stream <c>chain:main</c> in
/// the main database; this silo's tree, and that of each silo a changed unit lives on, is read again
/// before the order is acknowledged.
/// </summary>
public sealed class ChainOfCommandGrain(ProvinceDatabases databases, ReadinessClock clock, ReadinessTelemetry telemetry, ChainOfCommandCache tree,
    ILogger<ChainOfCommandGrain> logger)
    : EventSourcedGrain<int>(databases, clock, telemetry, logger), IChainOfCommandGrain
{
    public const string StreamPrefix = "chain:";

    protected override string StreamKey => StreamPrefix + Id;

    // No province is named so, so the stream lives in the main database whatever the configuration.
    protected override string ProvinceId => StreamKey;

    protected override int Initial() => 0;

    protected override int Evolve(int changes, object @event) => changes + 1;

    public async Task<CommandResult> Execute(IReorganisationCommand command)
    {
        if (Id != IChainOfCommandGrain.Key)
        {
            return CommandResult.Rejected(command.CommandId, Id, Version, RejectionKind.Invalid, $"The chain of command is the grain '{IChainOfCommandGrain.Key}'.");
        }
        var result = await Execute(command, async () => ReorganisationRules.Decide(await tree.RefreshAsync(force: true), command, Clock.UtcNow));
        if (result.Accepted && !result.AlreadyApplied)
        {
            await tree.RefreshAsync(force: true);
            // Each unit the order changed is told, so that the silo it lives on, which judges its reports,
            // knows of a dissolution before the order is acknowledged, not up to a second later.
            await Task.WhenAll(ReorganisationSteps.Of(command).Select(step => step.UnitId).Distinct(StringComparer.Ordinal)
                .Select(unitId => GrainFactory.GetGrain<IUnitGrain>(unitId).StructureChanged()));
        }
        return result;
    }
}
