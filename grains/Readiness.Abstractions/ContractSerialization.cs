using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Domain;

namespace Readiness.Abstractions;

/// <summary>
/// Commands cross grain calls as the HTTP contract records integrators post: the contracts carry no
/// Orleans attributes, so the cluster writes them with System.Text.Json in <see cref="ContractJson"/>'s
/// form. Each type travels under a fixed alias (<c>readiness.cmd.</c> and its route name, or
/// <c>readiness.</c> and its name for the values inside them), so renaming a class cannot break a
/// mixed-version cluster, and nothing outside this list is read off the wire. The records are
/// immutable, so a call inside one silo passes the instance instead of a copy.
/// </summary>
public static class ContractSerialization
{
    /// <summary>Every contract type that crosses a grain call, under its alias.</summary>
    public static IReadOnlyDictionary<string, Type> Aliases { get; } = BuildAliases();

    private static readonly HashSet<Type> Carried = [.. Aliases.Values];

    public static ISerializerBuilder AddReadinessContracts(this ISerializerBuilder serializer)
    {
        ArgumentNullException.ThrowIfNull(serializer);
        serializer.AddJsonSerializer(
            isSerializable: Carried.Contains,
            isCopyable: _ => false,
            options => options.Configure(json => json.SerializerOptions = ContractJson.Options));
        serializer.Configure(manifest =>
        {
            foreach (var (alias, type) in Aliases)
            {
                manifest.WellKnownTypeAliases[alias] = type;
            }
        });
        serializer.Services.AddSingleton<IGeneralizedCopier, ImmutableContractCopier>();
        return serializer;
    }

    private static Dictionary<string, Type> BuildAliases()
    {
        var contracts = typeof(ICommand).Assembly.GetExportedTypes();
        var aliases = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var command in contracts.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICommand).IsAssignableFrom(t)))
        {
            aliases.Add("readiness.cmd." + CommandPaths.NameOf(command), command);
        }
        foreach (var value in new[]
            {
                typeof(Rejection), typeof(RejectionKind), typeof(Echelon), typeof(ReadinessLevel), typeof(UnitProfile), typeof(VerdictOutcome), typeof(ReportRefusal), typeof(MissionTally),
            }
            .Concat(contracts.Where(t => t.IsEnum && t.Namespace == typeof(ICommand).Namespace)).Distinct())
        {
            aliases.Add("readiness." + CommandPaths.NameOf(value), value);
        }
        return aliases;
    }

    /// <summary>Contract records are immutable: a copy is the instance itself.</summary>
    private sealed class ImmutableContractCopier : IGeneralizedCopier
    {
        public bool IsSupportedType(Type type) => Carried.Contains(type);

        public object? DeepCopy(object? input, CopyContext context) => input;
    }
}
