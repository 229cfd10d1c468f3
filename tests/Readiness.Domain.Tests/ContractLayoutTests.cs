using System.Reflection;
using Readiness.Abstractions;
using Readiness.Contracts;
using Readiness.Contracts.Http;
using Readiness.Store;

namespace Readiness.Domain.Tests;

/// <summary>
/// Contracts by audience: integrators take the HTTP contracts and nothing of Orleans or Marten; the
/// grain abstractions alone carry Orleans serializer attributes; everything a grain call carries
/// has a codec under a fixed name.
/// </summary>
public class ContractLayoutTests
{
    private static readonly Assembly Contracts = typeof(ICommand).Assembly;
    private static readonly Assembly Abstractions = typeof(IUnitGrain).Assembly;

    [Fact]
    public void The_HTTP_contracts_reference_nothing_but_the_runtime()
    {
        Assert.DoesNotContain(Contracts.GetReferencedAssemblies(), reference => !IsRuntime(reference.Name!));
    }

    [Fact]
    public void Of_the_grain_side_only_the_store_is_built_against_Marten_or_Npgsql()
    {
        static bool IsStorage(AssemblyName reference) =>
            reference.Name is { } name && (name.StartsWith("Marten", StringComparison.Ordinal) || name.StartsWith("Npgsql", StringComparison.Ordinal)
                || name.StartsWith("JasperFx", StringComparison.Ordinal) || name.StartsWith("Weasel", StringComparison.Ordinal));
        Assembly[] above = [Contracts, Abstractions, typeof(UnitRules).Assembly, typeof(Grains.Actors.UnitGrain).Assembly];

        var leaks = above.SelectMany(a => a.GetReferencedAssemblies().Where(IsStorage).Select(r => $"{a.GetName().Name} → {r.Name}")).ToList();

        Assert.True(leaks.Count == 0, "only Readiness.Store (and the host) may use Marten or Npgsql: " + string.Join(", ", leaks));
        Assert.Contains(typeof(ReadinessStore).Assembly.GetReferencedAssemblies(), IsStorage);
    }

    [Fact]
    public void Only_the_grain_abstractions_carry_Orleans_serializer_attributes()
    {
        Assembly[] others = [Contracts, typeof(UnitRules).Assembly, typeof(ReadinessStore).Assembly, typeof(Grains.Actors.UnitGrain).Assembly];
        var marked = others.SelectMany(a => a.GetTypes())
            .Where(t => !t.Name.StartsWith('<') && t.Namespace?.StartsWith("OrleansCodeGen", StringComparison.Ordinal) != true)
            .Where(t => t.GetCustomAttributes().Any(a => a.GetType().Namespace == "Orleans" && a.GetType().Name is "GenerateSerializerAttribute" or "IdAttribute"))
            .Select(t => t.FullName);
        Assert.Empty(marked);
    }

    [Fact]
    public void Every_value_a_grain_call_carries_has_a_generated_serializer_or_a_named_contract_codec()
    {
        var grainInterfaces = Abstractions.GetExportedTypes().Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t)).ToList();
        Assert.NotEmpty(grainInterfaces);
        var carried = grainInterfaces.SelectMany(i => i.GetMethods())
            .SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))
            .Select(Unwrap).Where(t => t is not null && t != typeof(void)).Select(t => t!).Distinct().ToList();
        var missing = carried.Where(t => !IsCarried(t)).Select(t => t.FullName).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_command_travels_under_its_route_name()
    {
        var commands = Contracts.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICommand).IsAssignableFrom(t)).ToList();
        // A floor, not a count: it guards the reflection, and a new command should not have to touch this file.
        Assert.True(commands.Count >= 35, string.Join(", ", commands.Select(c => c.Name)));
        Assert.All(commands, c => Assert.Same(c, ContractSerialization.Aliases["readiness.cmd." + CommandPaths.NameOf(c)]));
    }

    private static bool IsCarried(Type type)
    {
        if (type.IsPrimitive || type == typeof(string) || type == typeof(DateTimeOffset))
        {
            return true;
        }
        if (type.IsInterface && type.Assembly == Contracts)
        {
            // A command interface: every implementation must be carried.
            return Contracts.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false } && type.IsAssignableFrom(t)).All(IsCarried);
        }
        if (ContractSerialization.Aliases.Values.Contains(type))
        {
            return true;
        }
        var attributes = type.GetCustomAttributes().Select(a => a.GetType().Name).ToHashSet();
        return type.Assembly == Abstractions && attributes.IsSupersetOf(["GenerateSerializerAttribute", "ImmutableAttribute", "AliasAttribute"]);
    }

    private static Type? Unwrap(Type type)
    {
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)))
        {
            return Nullable.GetUnderlyingType(type.GetGenericArguments()[0]) ?? type.GetGenericArguments()[0];
        }
        return type == typeof(Task) || type == typeof(ValueTask) ? null : type;
    }

    private static bool IsRuntime(string name) => name is "System.Runtime" or "netstandard" || name.StartsWith("System.", StringComparison.Ordinal);
}
