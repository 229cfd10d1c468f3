namespace Readiness.Domain;

/// <summary>The actor whose stream holds an event.</summary>
public enum EventActor
{
    /// <summary>A unit of the chain of command (<c>IUnitGrain</c>), its stream keyed by the unit's id.</summary>
    Unit,

    /// <summary>An exercise (<c>IExerciseGrain</c>), stream <c>exercise:</c> and its id.</summary>
    Exercise,

    /// <summary>A duty post (<c>IDutyPostGrain</c>), stream <c>post:</c> and its id.</summary>
    DutyPost,

    /// <summary>A province's dealings with the echelon above it (<c>IUpwardReportGrain</c>), stream <c>report:</c> and its id.</summary>
    UpwardReport,

    /// <summary>The chain of command itself (<c>IChainOfCommandGrain</c>), stream <c>chain:</c> and its id: the orders that reorganise it.</summary>
    ChainOfCommand,

    /// <summary>A province as the military region's silo sees it (<c>IRegionProvinceGrain</c>), stream <c>region:</c> and the province's id: the reports it received.</summary>
    Region,

    /// <summary>The provinces a military region's silo takes reports from, registered through its admin route (<c>IRegionRegistryGrain</c>), stream <c>registry:provinces</c>.</summary>
    RegionRegistry,
}
